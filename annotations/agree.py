"""Agreement between two annotators: span precision, recall and F1, and Cohen's kappa.

B is scored against A: A's spans play the reference ("gold"), B's the prediction. Only the
articles both annotated are compared (see `shared_articles`).

Exact matches. A B span matches an A span with the same article, start, end and label.
`precision = matches / B's spans`, `recall = matches / A's spans`, `support = A's spans`,
`f1 = 2PR / (P + R)`, per label and overall (micro: counts summed over labels). A ratio
with nothing to divide by is 0.0, as in seqeval and scikit-learn. On word-aligned spans that
do not overlap these are exactly seqeval's (conlleval's) entity scores.

Partial matches. A B span and an A span *may* match when they have the same label and
share at least one character. Each span matches at most once: the matches are a maximum
one-to-one matching between A's and B's spans of a label in an article. So one long B span
covering two short A spans counts once (it is one match, and one A span stays unmatched),
and `precision = matches / B's spans`, `recall = matches / A's spans` use one number of
matches, as in the exact case. Every exact match is a partial match, so partial scores are
never lower than exact ones.

Kappa. Each article's text is cut into words with `annotations.tokenizer` (whitespace
tokens left out) and each word tagged from each side's spans in BIO (`B-label` on a span's
first word, `I-label` on the rest, `O` outside; a word is in a span when they share a
character). A word carries one tag, so where one side's spans overlap the longer wins, as in
the CoNLL export. Cohen's kappa over all words of the shared articles:
`(p_o - p_e) / (1 - p_e)`, `p_o` the share of words tagged alike and `p_e = sum over tags of
p_A(tag) * p_B(tag)`. When `p_e == 1` (both sides gave every word the same single tag) kappa
is 1.0; with no words at all (no article text available) it is None. Articles whose text is
not available are left out of kappa only, and named in `Agreement.no_text`.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotations.spans import Span, non_overlapping


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 of B against A, from the counts they are made of."""

    matches: int = 0
    reference: int = 0
    """A's spans (the support)."""
    predicted: int = 0
    """B's spans."""

    @property
    def precision(self) -> float:
        return self.matches / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matches / self.reference if self.reference else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.reference

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.matches + other.matches,
            self.reference + other.reference,
            self.predicted + other.predicted,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "support": self.support,
        }


@dataclass(frozen=True)
class LabelScores:
    exact: Scores = Scores()
    partial: Scores = Scores()

    def __add__(self, other: LabelScores) -> LabelScores:
        return LabelScores(self.exact + other.exact, self.partial + other.partial)

    def to_dict(self) -> dict[str, Any]:
        return {"exact": self.exact.to_dict(), "partial": self.partial.to_dict()}


@dataclass(frozen=True)
class Agreement:
    """How far B agrees with A on the articles both annotated."""

    articles: tuple[str, ...]
    labels: dict[str, LabelScores]
    overall: LabelScores
    kappa: float | None
    words: int = 0
    """Words the kappa is computed over."""
    no_text: tuple[str, ...] = ()
    """Shared articles left out of kappa because their text is not available."""
    name_a: str = "A"
    name_b: str = "B"

    def to_json(self) -> dict[str, Any]:
        """`{"articles": N, "labels": {...}, "overall": {...}, "kappa": K}`, for `--json`."""
        return {
            "articles": len(self.articles),
            "labels": {label: scores.to_dict() for label, scores in self.labels.items()},
            "overall": self.overall.to_dict(),
            "kappa": self.kappa,
        }


@dataclass(frozen=True)
class Side:
    """One annotator's (or one store's) spans and the articles they count as annotated."""

    name: str
    spans: tuple[Span, ...]
    annotated: frozenset[str] = field(default_factory=frozenset)
    """Articles that count as annotated even without a span (for example, marked done)."""

    @property
    def articles(self) -> set[str]:
        return {span.article_id for span in self.spans} | set(self.annotated)


def shared_articles(a: Side, b: Side) -> list[str]:
    """Articles both sides annotated: each has a span there, or counts it as annotated."""
    return sorted(a.articles & b.articles)


def exact_matches(spans_a: Iterable[Span], spans_b: Iterable[Span]) -> int:
    keys_a = {(s.article_id, s.start, s.end, s.label) for s in spans_a}
    keys_b = {(s.article_id, s.start, s.end, s.label) for s in spans_b}
    return len(keys_a & keys_b)


def partial_matches(spans_a: Sequence[Span], spans_b: Sequence[Span]) -> int:
    """Size of a maximum one-to-one matching of same-label spans that share a character."""
    total = 0
    groups_b: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for span in spans_b:
        groups_b[(span.article_id, span.label)].append(span)
    groups_a: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for span in spans_a:
        groups_a[(span.article_id, span.label)].append(span)
    for key, group_a in groups_a.items():
        group_b = groups_b.get(key)
        if group_b:
            total += _max_matching(_dedupe(group_a), _dedupe(group_b))
    return total


def _dedupe(spans: list[Span]) -> list[tuple[int, int]]:
    return sorted({(s.start, s.end) for s in spans})


def _max_matching(left: list[tuple[int, int]], right: list[tuple[int, int]]) -> int:
    """Maximum bipartite matching (augmenting paths, iterative) on interval overlap."""
    right_sorted = sorted(range(len(right)), key=lambda j: right[j][0])
    starts = [right[j][0] for j in right_sorted]
    longest = max((end - start for start, end in right), default=0)

    def neighbours(i: int) -> list[int]:
        # A right span overlapping [start, end) starts in (start - longest, end).
        start, end = left[i]
        low = bisect.bisect_right(starts, start - longest)
        high = bisect.bisect_left(starts, end)
        return [j for j in right_sorted[low:high] if right[j][1] > start]

    adjacency = [neighbours(i) for i in range(len(left))]
    match_right: dict[int, int] = {}
    size = 0
    for root in range(len(left)):
        # Depth-first search for an augmenting path, with an explicit stack.
        parent: dict[int, tuple[int, int | None]] = {}  # right node -> (left node, its prev)
        seen: set[int] = set()
        stack = [(root, iter(adjacency[root]), None)]
        found: int | None = None
        while stack and found is None:
            i, edges, via = stack[-1]
            for j in edges:
                if j in seen:
                    continue
                seen.add(j)
                parent[j] = (i, via)
                if j not in match_right:
                    found = j
                    break
                owner = match_right[j]
                stack.append((owner, iter(adjacency[owner]), j))
                break
            else:
                stack.pop()
        if found is None:
            continue
        j: int | None = found
        while j is not None:
            i, via = parent[j]
            match_right[j] = i
            j = via
        size += 1
    return size


def span_scores(
    spans_a: Sequence[Span], spans_b: Sequence[Span], labels: Iterable[str] = ()
) -> tuple[dict[str, LabelScores], LabelScores]:
    """Per-label and overall (micro) exact and partial scores of B against A."""
    names = list(dict.fromkeys([*labels, *sorted({s.label for s in (*spans_a, *spans_b)})]))
    per_label: dict[str, LabelScores] = {}
    overall = LabelScores()
    for label in names:
        a = [s for s in spans_a if s.label == label]
        b = [s for s in spans_b if s.label == label]
        ref, pred = len({s.key[:4] for s in a}), len({s.key[:4] for s in b})
        scores = LabelScores(
            exact=Scores(exact_matches(a, b), ref, pred),
            partial=Scores(partial_matches(a, b), ref, pred),
        )
        per_label[label] = scores
        overall = overall + scores
    return per_label, overall


def bio_tags(words: Sequence[tuple[int, int]], spans: Iterable[Span]) -> list[str]:
    """One BIO tag per word (`(start, end)` offsets); overlapping spans: the longer wins."""
    kept, _dropped = non_overlapping(spans)
    tags = ["O"] * len(words)
    starts = [start for start, _end in words]
    for span in kept:
        first = True
        index = max(bisect.bisect_right(starts, span.start) - 1, 0)
        while index < len(words) and words[index][0] < span.end:
            start, end = words[index]
            if end > span.start:
                tags[index] = ("B-" if first else "I-") + span.label
                first = False
            index += 1
    return tags


def cohen_kappa(tags_a: Sequence[str], tags_b: Sequence[str]) -> float | None:
    """Cohen's kappa of two equally long tag sequences; see the module docstring."""
    if len(tags_a) != len(tags_b):
        raise ValueError("kappa needs two tag sequences of one length")
    n = len(tags_a)
    if not n:
        return None
    observed = sum(1 for x, y in zip(tags_a, tags_b, strict=True) if x == y) / n
    count_a, count_b = Counter(tags_a), Counter(tags_b)
    expected = sum(count_a[tag] * count_b.get(tag, 0) for tag in count_a) / (n * n)
    if expected >= 1.0:
        return 1.0
    return (observed - expected) / (1 - expected)


def word_offsets(text: str) -> list[tuple[int, int]]:
    """Start and end of each non-whitespace token of `text` (annotations.tokenizer)."""
    from annotations.tokenizer import is_space, tokenize

    return [(t.start, t.end) for t in tokenize(text) if not is_space(t)]


def word_tags(
    articles: Iterable[str],
    spans_a: Iterable[Span],
    spans_b: Iterable[Span],
    texts: Mapping[str, str],
) -> tuple[list[str], list[str], list[str]]:
    """BIO tags of every word of `articles` from each side, and the articles without text."""
    by_a: dict[str, list[Span]] = defaultdict(list)
    by_b: dict[str, list[Span]] = defaultdict(list)
    for span in spans_a:
        by_a[span.article_id].append(span)
    for span in spans_b:
        by_b[span.article_id].append(span)
    tags_a: list[str] = []
    tags_b: list[str] = []
    missing: list[str] = []
    for article_id in articles:
        text = texts.get(article_id)
        if text is None:
            missing.append(article_id)
            continue
        words = word_offsets(text)
        tags_a += bio_tags(words, by_a.get(article_id, ()))
        tags_b += bio_tags(words, by_b.get(article_id, ()))
    return tags_a, tags_b, missing


def agreement(
    a: Side,
    b: Side,
    texts: Mapping[str, str] | None = None,
    labels: Iterable[str] = (),
) -> Agreement:
    """Scores of `b` against `a` on the articles both annotated.

    `texts` maps article ids to their text (for kappa); `labels` lists labels to report
    even when neither side used them, in that order (others follow, sorted).
    """
    articles = shared_articles(a, b)
    keep = set(articles)
    spans_a = [s for s in a.spans if s.article_id in keep]
    spans_b = [s for s in b.spans if s.article_id in keep]
    per_label, overall = span_scores(spans_a, spans_b, labels)
    tags_a, tags_b, missing = word_tags(articles, spans_a, spans_b, texts or {})
    return Agreement(
        articles=tuple(articles),
        labels=per_label,
        overall=overall,
        kappa=cohen_kappa(tags_a, tags_b),
        words=len(tags_a),
        no_text=tuple(missing),
        name_a=a.name,
        name_b=b.name,
    )


def store_side(
    store: Any,
    annotator: str | None = None,
    name: str | None = None,
    article_ids: Iterable[str] = (),
) -> Side:
    """One side read from a `Store`: one annotator's spans, or every span in it.

    An article counts as annotated by a whole store when it holds a span there or the store
    marks it done (checked for `article_ids`, usually the corpus, and the store's own
    articles); by one annotator of a store, only when that annotator has a span in it (done
    flags are not per annotator).
    """
    spans = [
        span
        for article_id in store.article_ids_with_spans()
        for span in store.spans(article_id, annotator)
    ]
    annotated: frozenset[str] = frozenset()
    if annotator is None:
        candidates = {*article_ids, *(article.id for article in store.stored_articles())}
        annotated = frozenset(i for i in candidates if store.is_done(i))
    return Side(name or annotator or str(store.path), tuple(spans), annotated)


def overlapping_pairs(spans: Iterable[Span]) -> list[tuple[str, str, list[str]]]:
    """Pairs of annotators (sorted) and the articles both have spans in, where any."""
    by_annotator: dict[str, set[str]] = defaultdict(set)
    for span in spans:
        by_annotator[span.annotator].add(span.article_id)
    out = []
    for x, y in itertools.combinations(sorted(by_annotator), 2):
        shared = sorted(by_annotator[x] & by_annotator[y])
        if shared:
            out.append((x, y, shared))
    return out

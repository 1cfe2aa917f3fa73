"""What a review is, without Textual: two stores compared, and decisions kept in a third.

`spantag review A.json B.json -o merged.json` builds a `Review` (`Review.open`) and shows it
in `tui.review_app.ReviewApp`; tests drive a `Review` directly too. It holds the two stores
(read-only), the merged store (writable, locked) and every disagreement in reading order.

Opening re-anchors first: A's and B's spans in memory (their files are not touched) and the
merged store's on disk, against the article files as they are now (`Store.sync_articles`),
so a review never compares or draws spans at offsets of an older text; the merged store also
records each article's hash, as the app does.

What goes into the merged store, and when:
- on opening, every agreed span (A and B made the same span; `annotations.merge.agreed`), the
  articles' texts held only by A or B (imported articles), and the done flag of the articles
  both A and B marked done, as `spantag merge` does. In the same change, every span a review
  put there (a span with a `reviewer`) that is no longer agreed or taken by a standing
  decision is removed: an annotator edited it away, or its decision no longer holds, so the
  merged store never keeps what nobody now vouches for. Spans made by hand in the merged
  store (no `reviewer`) are left alone, as are articles left out of the review for want of
  text;
- on each decision, the spans it takes, in place of every reviewed span in the
  disagreement's range but the agreed ones (one `Store.apply`), then the decision itself
  under a meta key of its own (`review/<article>/<start>-<end>/<digest>`): "neither" leaves
  no span, and a decision must survive a restart. The spans are written first: a crash
  between the two writes leaves the disagreement undecided, and the next open removes its
  spans.

A decision belongs to the exact spans it was made on: the digest covers both sides' span
keys, so when A or B edits spans of a disagreement later, it comes back undecided (and its
spans leave the merged store on the next open). Spans that only moved because the article's
text changed around them keep their decision: it is carried to the new key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotations.agree import Side, store_side
from annotations.articles import Article, Corpus, load_corpus
from annotations.config import Config
from annotations.merge import (
    CHOICES,
    ArticleComparison,
    Choice,
    Disagreement,
    compare,
    resolve,
)
from annotations.spans import Span, now_iso
from annotations.store import Change, Store

META_REVIEW = "review"
"""Meta key of the merged store: which stores are reviewed into it, and by whom."""

DECISION_PREFIX = "review/"

SpanKey = tuple[str, int, int, str, str]


class ReviewError(Exception):
    """A review that cannot start as asked. `str(error)` is one line for the user."""


def decision_key(disagreement: Disagreement) -> str:
    """The merged store's meta key for the decision on `disagreement` (module docstring)."""
    keys = [[list(s.key) for s in disagreement.a], [list(s.key) for s in disagreement.b]]
    digest = hashlib.sha1(json.dumps(keys, ensure_ascii=False).encode("utf-8")).hexdigest()
    return (
        f"{DECISION_PREFIX}{disagreement.article_id}/"
        f"{disagreement.start}-{disagreement.end}/{digest[:12]}"
    )


def is_decision(value: Any) -> bool:
    """Whether a meta value is a recorded decision."""
    return isinstance(value, dict) and value.get("choice") in CHOICES


def describe_choice(choice: Choice | None) -> str:
    return {
        "a": "took A",
        "b": "took B",
        "both": "took both",
        "neither": "took neither",
        None: "undecided",
    }[choice]


@dataclass
class ReviewArticle:
    """One article under review: its text, A's and B's spans, and the comparison of them."""

    article: Article
    spans_a: list[Span]
    spans_b: list[Span]
    comparison: ArticleComparison
    first: int = 0
    """Index of its first disagreement in `Review.items`."""

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def disagreements(self) -> tuple[Disagreement, ...]:
        return self.comparison.disagreements


@dataclass
class Review:
    """Two stores compared article by article, and the decisions taken into the merged store."""

    store_a: Store
    store_b: Store
    merged: Store
    reviewer: str
    name_a: str
    name_b: str
    articles: list[ReviewArticle]
    corpus: Corpus
    warnings: list[str] = field(default_factory=list)
    decisions: dict[str, Choice] = field(default_factory=dict)
    items: list[Disagreement] = field(default_factory=list)
    """Every disagreement, in article order then by position."""
    item_article: list[int] = field(default_factory=list)
    """For each item, the index of its article in `articles`."""
    keys: list[str] = field(default_factory=list)
    """For each item, its decision's meta key (`decision_key`)."""
    agreed_count: int = 0
    withdrawn: int = 0
    """Reviewed spans the last open removed from the merged store (module docstring)."""
    _agreed_keys: dict[str, set[SpanKey]] = field(default_factory=dict)
    _stack: ExitStack | None = None

    # --- opening and closing -------------------------------------------------------------

    @classmethod
    def open(
        cls,
        config: Config,
        path_a: str | Path,
        path_b: str | Path,
        path_merged: str | Path,
        corpus_paths: Sequence[str] | None = None,
        reviewer: str | None = None,
    ) -> Review:
        """Open A and B read-only and the merged store for writing; merge the agreed spans.

        Raises `ReviewError` or a `StoreError` (one line each) when the review cannot start.
        """
        a, b, out = Path(path_a), Path(path_b), Path(path_merged)
        for path in (a, b):
            if not path.is_file():
                raise ReviewError(f"{path}: no such store")
        if a.resolve() == b.resolve():
            raise ReviewError(f"{a}: A and B are the same store; give two stores")
        if out.resolve() in (a.resolve(), b.resolve()):
            raise ReviewError(f"{out}: the merged store must be a third file, not A or B")
        corpus = load_corpus(list(corpus_paths) if corpus_paths else list(config.corpus))
        stack = ExitStack()
        try:
            store_a = stack.enter_context(Store.open(a, read_only=True))
            store_b = stack.enter_context(Store.open(b, read_only=True))
            merged = stack.enter_context(Store.open(out))
            review = cls._build(
                store_a, store_b, merged, corpus, reviewer or config.annotator, a, b
            )
        except BaseException:
            stack.close()
            raise
        review._stack = stack
        return review

    @classmethod
    def _build(
        cls,
        store_a: Store,
        store_b: Store,
        merged: Store,
        corpus: Corpus,
        reviewer: str,
        path_a: Path,
        path_b: Path,
    ) -> Review:
        warnings = [f"warning: {line}" for line in corpus.warnings]
        # A's and B's spans where they are in today's texts (in memory only); `before_a` and
        # `before_b` map each span that moved to its old self.
        before_a = _reanchor(store_a, corpus, warnings)
        before_b = _reanchor(store_b, corpus, warnings)
        texts: dict[str, Article] = {article.id: article for article in corpus}
        stored: dict[str, Article] = {}
        for store in (store_a, store_b, merged):
            for article in store.stored_articles():
                stored.setdefault(article.id, article)
        order = {article.id: index for index, article in enumerate(corpus)}
        spans_a = store_a.all_spans()
        spans_b = store_b.all_spans()
        comparisons = compare(spans_a, spans_b, reviewer)
        if not comparisons:
            raise ReviewError(f"nothing to review: neither {path_a} nor {path_b} holds a span")
        comparisons.sort(key=lambda c: (order.get(c.article_id, len(order)), c.article_id))
        by_a = _by_article(spans_a)
        by_b = _by_article(spans_b)
        articles: list[ReviewArticle] = []
        missing: list[str] = []
        for comparison in comparisons:
            article = texts.get(comparison.article_id) or stored.get(comparison.article_id)
            if article is None:
                missing.append(comparison.article_id)
                continue
            articles.append(
                ReviewArticle(
                    article,
                    by_a.get(article.id, []),
                    by_b.get(article.id, []),
                    comparison,
                )
            )
        shared = sorted({s.annotator for s in spans_a} & {s.annotator for s in spans_b})
        if shared:
            warnings.append(
                f"A and B both hold spans by {', '.join(shared)}: taking both sides of a "
                "disagreement keeps only one of two overlapping same-label spans by one name"
            )
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            warnings.append(
                f"{len(missing)} annotated article(s) have no text here and are left out of "
                f"the review: {shown} (give their files as PATHS)"
            )
        if not articles:
            raise ReviewError(
                "no text for any annotated article: give the article files or folders as PATHS"
            )
        review = cls(
            store_a=store_a,
            store_b=store_b,
            merged=merged,
            reviewer=reviewer,
            name_a=path_a.name,
            name_b=path_b.name,
            articles=articles,
            corpus=Corpus(tuple(item.article for item in articles)),
            warnings=warnings,
        )
        for index, item in enumerate(articles):
            item.first = len(review.items)
            review.items.extend(item.disagreements)
            review.item_article.extend([index] * len(item.disagreements))
            review._agreed_keys[item.id] = {span.key for span in item.comparison.agreed}
        review.keys = [decision_key(d) for d in review.items]
        # The merged store's spans too, on disk, with every article's hash recorded.
        _reanchor(merged, corpus, review.warnings)
        review._prepare_merged(stored, path_a, path_b, before_a, before_b, set(missing))
        return review

    def _prepare_merged(
        self,
        stored: dict[str, Article],
        path_a: Path,
        path_b: Path,
        before_a: Mapping[SpanKey, Span],
        before_b: Mapping[SpanKey, Span],
        left_out: set[str],
    ) -> None:
        merged = self.merged
        for item in self.articles:
            if item.article.source == "store" and item.id in stored:
                merged.add_article(item.article)
        info = {"a": str(self.store_a.path), "b": str(self.store_b.path)}
        previous = merged.get_meta(META_REVIEW)
        same_stores = isinstance(previous, dict) and (previous.get("a"), previous.get("b")) == (
            info["a"],
            info["b"],
        )
        if isinstance(previous, dict) and not same_stores:
            self.warnings.append(
                f"{merged.path.name} was a review of {Path(str(previous.get('a'))).name} and "
                f"{Path(str(previous.get('b'))).name}; now reviewing {path_a.name} and "
                f"{path_b.name} into it"
            )
        carried, carried_meta = self._load_decisions(before_a, before_b)
        # The merged store as the review now stands: agreed spans and standing decisions.
        agreed = [span for item in self.articles for span in item.comparison.agreed]
        self.agreed_count = len(agreed)
        expected = {span.key for span in agreed}
        for index, disagreement in enumerate(self.items):
            choice = self.decisions.get(self.keys[index])
            if choice is not None:
                expected.update(span.key for span in resolve(disagreement, choice, ""))
        reviewed = {item.id for item in self.articles}
        if same_stores:
            # Articles where neither side has a span any more (compared ones aside): what an
            # earlier session of this review put there is vouched for by no one now.
            compared = reviewed | left_out
            reviewed |= {i for i in merged.article_ids_with_spans() if i not in compared}
        withdrawn = [
            span
            for article_id in sorted(reviewed)
            for span in merged.spans(article_id)
            if span.reviewer and span.key not in expected
        ]
        change = merged.apply(add=[*agreed, *carried], remove=withdrawn)
        # Spans first, then their decisions' new keys (the order `decide` keeps).
        for key, value in carried_meta:
            merged.set_meta(key, value)
        self.withdrawn = sum(1 for span in change.removed if span.key not in expected)
        if self.withdrawn:
            self.warnings.append(
                f"{self.withdrawn} span(s) in {merged.path.name} were removed: A and B no "
                "longer agree on them and no standing decision takes them"
            )
        for item in self.articles:
            if self.store_a.is_done(item.id) and self.store_b.is_done(item.id):
                merged.set_done(item.id, True)
        if previous != {**info, "reviewer": self.reviewer}:
            merged.set_meta(META_REVIEW, {**info, "reviewer": self.reviewer})

    def _load_decisions(
        self, before_a: Mapping[SpanKey, Span], before_b: Mapping[SpanKey, Span]
    ) -> tuple[list[Span], list[tuple[str, Any]]]:
        """Read the recorded decisions; carry those whose spans only moved (re-anchored).

        Returns the spans the carried decisions take and their (new key, decision) records,
        both for the merged store.
        """
        carried: list[Span] = []
        records: list[tuple[str, Any]] = []
        for index, key in enumerate(self.keys):
            value = self.merged.get_meta(key)
            if not is_decision(value):
                old_key = _key_before(self.items[index], before_a, before_b)
                value = self.merged.get_meta(old_key) if old_key is not None else None
                if not is_decision(value):
                    continue
                records.append((key, value))
                who = str(value.get("reviewer") or self.reviewer)
                carried += resolve(self.items[index], value["choice"], who)
            self.decisions[key] = value["choice"]
        return carried, records

    def close(self) -> None:
        """Close the three stores (the merged store folds its journal and unlocks)."""
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    # --- reading -------------------------------------------------------------------------

    def choice(self, index: int) -> Choice | None:
        """The decision on disagreement `index`, or None while undecided."""
        return self.decisions.get(self.keys[index])

    def decided_by(self, index: int) -> str:
        value = self.merged.get_meta(self.keys[index])
        return str(value.get("reviewer", "")) if isinstance(value, dict) else ""

    @property
    def left(self) -> int:
        """Disagreements not decided yet."""
        return sum(1 for key in self.keys if key not in self.decisions)

    def left_in(self, article_index: int) -> int:
        item = self.articles[article_index]
        keys = self.keys[item.first : item.first + len(item.disagreements)]
        return sum(1 for key in keys if key not in self.decisions)

    @property
    def articles_left(self) -> int:
        """Articles with a disagreement not decided yet."""
        return sum(1 for index in range(len(self.articles)) if self.left_in(index))

    def next_undecided(self, after: int | None) -> int | None:
        """The first undecided disagreement after `after` (None: from the start), wrapping."""
        count = len(self.items)
        start = -1 if after is None else after
        for step in range(1, count + 1):
            index = (start + step) % count
            if self.choice(index) is None:
                return index
        return None

    def merged_spans(self, article_id: str, start: int = 0, end: int | None = None) -> list[Span]:
        """The merged store's spans of an article, those overlapping [start, end) if given."""
        spans = self.merged.spans(article_id)
        if end is None:
            return spans
        return [span for span in spans if span.start < end and span.end > start]

    def sides(self) -> tuple[Side, Side]:
        """A and B as `annotations.agree` sides (for the agreement on the stats screen)."""
        ids = [item.id for item in self.articles]
        return (
            store_side(self.store_a, None, self.name_a, ids),
            store_side(self.store_b, None, self.name_b, ids),
        )

    # --- deciding ------------------------------------------------------------------------

    def decide(self, index: int, choice: Choice) -> Change:
        """Take `choice` for disagreement `index` into the merged store; durable on return.

        Whatever a review put in the disagreement's range before (an earlier decision, or
        spans of an older version of it) makes way for the spans `choice` takes; agreed
        spans and spans made by hand in the merged store stay.
        """
        disagreement = self.items[index]
        key = self.keys[index]
        if self.decisions.get(key) == choice:
            return Change()
        add = resolve(disagreement, choice, self.reviewer)
        taking = {span.key for span in add}
        agreed = self._agreed_keys.get(disagreement.article_id, set())
        remove = [
            span
            for span in self.merged_spans(
                disagreement.article_id, disagreement.start, disagreement.end
            )
            if span.reviewer and span.key not in agreed and span.key not in taking
        ]
        change = self.merged.apply(add=add, remove=remove)
        self.merged.set_meta(key, {"choice": choice, "reviewer": self.reviewer, "at": now_iso()})
        self.decisions[key] = choice
        return change


def _reanchor(store: Store, corpus: Corpus, warnings: list[str]) -> dict[SpanKey, Span]:
    """`Store.sync_articles` of the corpus; its reports as warnings. Moved span -> old span."""
    moved: dict[SpanKey, Span] = {}
    for report in store.sync_articles(corpus.articles):
        warnings += [f"warning: {store.path.name}: {line}" for line in report.lines()]
        moved.update((new.key, old) for old, new in report.moved)
    return moved


def _key_before(
    disagreement: Disagreement,
    before_a: Mapping[SpanKey, Span],
    before_b: Mapping[SpanKey, Span],
) -> str | None:
    """The decision key `disagreement` had before its spans were re-anchored (None: unmoved)."""
    a = tuple(before_a.get(span.key, span) for span in disagreement.a)
    b = tuple(before_b.get(span.key, span) for span in disagreement.b)
    if a == disagreement.a and b == disagreement.b:
        return None
    spans = a + b
    old = Disagreement(
        disagreement.article_id,
        min(span.start for span in spans),
        max(span.end for span in spans),
        a,
        b,
    )
    return decision_key(old)


def _by_article(spans: Iterable[Span]) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = {}
    for span in spans:
        out.setdefault(span.article_id, []).append(span)
    return out

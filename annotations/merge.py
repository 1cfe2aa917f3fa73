"""Merge two annotators' spans into one store: agreements kept, disagreements resolved.

Used by `spantag merge` (a policy decides every disagreement) and by the review screen (a
person decides each one). Both go through the same three steps:

1. `compare(spans_a, spans_b)` splits each article's spans into *agreed* spans (A and B both
   have one with the same start, end and label) and *disagreements*.
2. A disagreement is a cluster of the remaining spans, from either side, that overlap one
   another: spans that disagree in offsets or label, or a span only one side has. Its
   `kind` says which (`only-a`, `only-b`, `label`, `offsets`, `label+offsets`).
3. `resolve(disagreement, choice, reviewer)` gives the spans a choice puts into the merged
   store: A's (`a`), B's (`b`), both, or neither; `apply_choice` writes them (undoing an
   earlier choice) with `Store.apply`.

Provenance. A merged span keeps `annotator` (who made it) and gets `reviewer` (who accepted
it into the merged store). An agreed span was made by both: its annotator is the two names
joined by "+" (`alice+bob`), or the one name when both sides carry the same name. The
review screen passes the person reviewing; `spantag merge` passes `--reviewer`, which
defaults to `merge:<policy>`, so that a store shows which spans no person looked at.

Policies (`spantag merge --policy`), per disagreement:
- `union`: both sides' spans;
- `intersection`: neither (only agreed spans are kept);
- `prefer-a`: A's spans where A has any in the cluster, else B's. A span only B has, where
  A marked nothing, is kept: prefer-a settles conflicts, it does not discard B's extra work.

One limit comes from the store: it keeps one span per label and annotator over any stretch
of text, so when both sides use the same annotator name, `both`/`union` of two overlapping
same-label spans keeps only the one written last (`MergeResult.dropped` counts them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from annotations.spans import Span

Choice = Literal["a", "b", "both", "neither"]
CHOICES: tuple[Choice, ...] = ("a", "b", "both", "neither")
POLICIES = ("union", "intersection", "prefer-a")
JOIN = "+"


@dataclass(frozen=True)
class Disagreement:
    """Overlapping spans on which A and B differ, in one article (`start`..`end` covers them)."""

    article_id: str
    start: int
    end: int
    a: tuple[Span, ...]
    b: tuple[Span, ...]

    @property
    def kind(self) -> str:
        if not self.b:
            return "only-a"
        if not self.a:
            return "only-b"
        labels = {s.label for s in self.a} != {s.label for s in self.b}
        offsets = {(s.start, s.end) for s in self.a} != {(s.start, s.end) for s in self.b}
        if labels and offsets:
            return "label+offsets"
        return "label" if labels else "offsets"

    def describe(self, name_a: str = "A", name_b: str = "B") -> str:
        """One line for the terminal: where, what kind, and each side's spans."""

        def side(spans: tuple[Span, ...]) -> str:
            if not spans:
                return "-"
            return ", ".join(f"{s.label} {s.text!r} [{s.start}, {s.end})" for s in spans)

        return (
            f"{self.article_id} [{self.start}, {self.end}) {self.kind}: "
            f"{name_a}: {side(self.a)} | {name_b}: {side(self.b)}"
        )


@dataclass(frozen=True)
class ArticleComparison:
    """One article: the spans both sides agree on (merged form) and the disagreements."""

    article_id: str
    agreed: tuple[Span, ...]
    disagreements: tuple[Disagreement, ...]


def _match_key(span: Span) -> tuple[str, int, int, str]:
    return (span.article_id, span.start, span.end, span.label)


def _by_article(spans: Iterable[Span]) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        out[span.article_id].append(span)
    return out


def joined_annotators(spans: Iterable[Span]) -> str:
    """The distinct annotators of `spans`, in order, joined by "+"."""
    names: dict[str, None] = {}
    for span in spans:
        for name in span.annotator.split(JOIN):
            names.setdefault(name, None)
    return JOIN.join(names)


def agreed_span(makers: Sequence[Span], reviewer: str) -> Span:
    """The merged form of one span both sides made (`makers`: every copy of it)."""
    first = min(makers, key=lambda s: (s.created or "~", s.annotator))
    latest = max(s.updated for s in makers)
    return replace(first, annotator=joined_annotators(makers), reviewer=reviewer, updated=latest)


def compare_article(
    article_id: str, spans_a: Iterable[Span], spans_b: Iterable[Span], reviewer: str = ""
) -> ArticleComparison:
    """Agreed spans and disagreements of one article (spans of other articles are ignored)."""
    spans_a = [s for s in spans_a if s.article_id == article_id]
    spans_b = [s for s in spans_b if s.article_id == article_id]
    keys_a: dict[tuple, list[Span]] = defaultdict(list)
    keys_b: dict[tuple, list[Span]] = defaultdict(list)
    for span in spans_a:
        keys_a[_match_key(span)].append(span)
    for span in spans_b:
        keys_b[_match_key(span)].append(span)
    both = [key for key in keys_a if key in keys_b]
    agreed = [agreed_span(keys_a[key] + keys_b[key], reviewer) for key in both]
    rest = [(span, "a") for span in spans_a if _match_key(span) not in keys_b]
    rest += [(span, "b") for span in spans_b if _match_key(span) not in keys_a]
    rest.sort(key=lambda item: (item[0].start, -item[0].end, item[0].label, item[1]))
    clusters: list[list[tuple[Span, str]]] = []
    end = -1
    for span, side in rest:
        if clusters and span.start < end:
            clusters[-1].append((span, side))
            end = max(end, span.end)
        else:
            clusters.append([(span, side)])
            end = span.end
    found = tuple(
        Disagreement(
            article_id,
            min(s.start for s, _ in cluster),
            max(s.end for s, _ in cluster),
            tuple(s for s, side in cluster if side == "a"),
            tuple(s for s, side in cluster if side == "b"),
        )
        for cluster in clusters
    )
    agreed.sort(key=lambda s: s.sort_key)
    return ArticleComparison(article_id, tuple(agreed), found)


def compare(
    spans_a: Iterable[Span], spans_b: Iterable[Span], reviewer: str = ""
) -> list[ArticleComparison]:
    """`compare_article` for every article either side has spans in, sorted by id."""
    by_a, by_b = _by_article(spans_a), _by_article(spans_b)
    return [
        compare_article(article_id, by_a.get(article_id, ()), by_b.get(article_id, ()), reviewer)
        for article_id in sorted(by_a.keys() | by_b.keys())
    ]


def disagreements(spans_a: Iterable[Span], spans_b: Iterable[Span]) -> list[Disagreement]:
    """Every disagreement between A's and B's spans, by article then position."""
    return [d for article in compare(spans_a, spans_b) for d in article.disagreements]


def agreed(spans_a: Iterable[Span], spans_b: Iterable[Span], reviewer: str = "") -> list[Span]:
    """The spans both sides made, in merged form (joined annotator, `reviewer` set)."""
    return [s for article in compare(spans_a, spans_b, reviewer) for s in article.agreed]


def resolve(disagreement: Disagreement, choice: Choice, reviewer: str) -> list[Span]:
    """The spans `choice` puts into the merged store, each with `reviewer` set."""
    if choice not in CHOICES:
        raise ValueError(f"unknown choice {choice!r} (choices: {', '.join(CHOICES)})")
    chosen: tuple[Span, ...] = {
        "a": disagreement.a,
        "b": disagreement.b,
        "both": disagreement.a + disagreement.b,
        "neither": (),
    }[choice]
    return [replace(span, reviewer=reviewer) for span in chosen]


def policy_choice(disagreement: Disagreement, policy: str) -> Choice:
    """What a `spantag merge --policy` takes for one disagreement (module docstring)."""
    if policy == "union":
        return "both"
    if policy == "intersection":
        return "neither"
    if policy == "prefer-a":
        return "a" if disagreement.a else "b"
    raise ValueError(f"unknown merge policy {policy!r} (policies: {', '.join(POLICIES)})")


def choice_in(merged: Iterable[Span], disagreement: Disagreement) -> Choice | None:
    """Which choice the merged store's spans show for `disagreement`, if any.

    `neither` leaves no trace among spans, so it reads as None (undecided): a review that
    must tell them apart records its decisions itself (for example with `Store.set_meta`).
    """
    held = {(s.start, s.end, s.label, s.annotator) for s in merged}

    def present(spans: tuple[Span, ...]) -> bool:
        return bool(spans) and all((s.start, s.end, s.label, s.annotator) in held for s in spans)

    has_a, has_b = present(disagreement.a), present(disagreement.b)
    if has_a and has_b:
        return "both"
    return "a" if has_a else "b" if has_b else None


def apply_choice(
    store: Any,
    disagreement: Disagreement,
    choice: Choice,
    reviewer: str,
    previous: Choice | None = None,
) -> Any:
    """Write `choice` into the merged `store` (undoing `previous`), as one `Store.apply`."""
    remove: list[Span] = []
    if previous is not None:
        remove = [
            span
            for span in resolve(disagreement, previous, reviewer)
            if store.get(span) is not None
        ]
    return store.apply(add=resolve(disagreement, choice, reviewer), remove=remove)


@dataclass(frozen=True)
class MergeResult:
    """What `merge` decided: the merged spans, and each disagreement with its resolution."""

    spans: tuple[Span, ...]
    agreed: int
    resolved: tuple[tuple[Disagreement, Choice], ...]
    dropped: int = 0
    """Spans the store could not keep beside another (see the module docstring)."""


def merge(
    spans_a: Iterable[Span], spans_b: Iterable[Span], policy: str, reviewer: str
) -> MergeResult:
    """Merge by `policy` (union, intersection, prefer-a), without writing anything."""
    if policy not in POLICIES:
        raise ValueError(f"unknown merge policy {policy!r} (policies: {', '.join(POLICIES)})")
    spans: list[Span] = []
    resolved: list[tuple[Disagreement, Choice]] = []
    agreed_count = 0
    for article in compare(spans_a, spans_b, reviewer):
        spans.extend(article.agreed)
        agreed_count += len(article.agreed)
        for disagreement in article.disagreements:
            choice = policy_choice(disagreement, policy)
            resolved.append((disagreement, choice))
            spans.extend(resolve(disagreement, choice, reviewer))
    return MergeResult(tuple(spans), agreed_count, tuple(resolved))


def write_merged(store: Any, result: MergeResult) -> MergeResult:
    """Add the merged spans to `store` in one durable change; counts what it could not keep."""
    change = store.apply(add=result.spans)
    kept = {span.key for span in change.added}
    dropped = sum(1 for span in result.spans if span.key not in kept and store.get(span) is None)
    return replace(result, dropped=dropped)

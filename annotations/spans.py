"""Spans: what one annotation is, and the rules every span obeys.

A span is a half-open range `[start, end)` of Python `str` indices into an article's text,
with a label. The rules, enforced here and nowhere else:

- a span is never empty, never reaches outside the text, and its label is a configured one;
- `span.text == article.text[span.start:span.end]`, always (checked again on every export);
- spans with different labels may overlap; a new span that overlaps one with the same label
  (by the same annotator) replaces it: re-tagging "Sergei Ryabkov" over "Ryabkov" fixes the
  span rather than stacking a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

#: Where a span came from. `manual` is made by hand in the app or CLI.
SOURCES = ("manual", "propagated", "pattern", "gazetteer", "import")


class SpanError(ValueError):
    """A span that cannot be stored. `str(error)` is one line for the user."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Span:
    article_id: str
    start: int
    end: int
    label: str
    text: str
    annotator: str
    source: str = "manual"
    created: str = ""
    updated: str = ""
    stale: bool = False
    """The article changed and this span's text could not be found again (see Store)."""
    reviewer: str = ""
    """Who accepted it into a merged store (review/merge); empty elsewhere."""

    @property
    def key(self) -> tuple[str, int, int, str, str]:
        """What makes two spans the same annotation (times and source aside)."""
        return (self.article_id, self.start, self.end, self.label, self.annotator)

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.start, -self.end, self.label)

    def overlaps(self, other: Span | tuple[int, int]) -> bool:
        start, end = (other.start, other.end) if isinstance(other, Span) else other
        return self.start < end and start < self.end

    def to_dict(self) -> dict[str, Any]:
        # Not asdict(): it deep-copies field by field, ~10x slower, and every field is a plain
        # value. The store calls this for every span on each compaction (100k spans: ~2 s).
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        """A span from stored JSON. Raises TypeError for wrong types (callers name the file)."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        for name in ("start", "end"):
            value = known.get(name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"span field {name!r} must be an integer, got {value!r}")
        for name in ("article_id", "label", "text", "annotator"):
            if not isinstance(known.get(name), str):
                raise TypeError(f"span field {name!r} must be a string")
        return cls(**known)

    def moved(self, start: int, end: int) -> Span:
        return replace(self, start=start, end=end, updated=now_iso())


def make_span(
    article_id: str,
    text: str,
    start: int,
    end: int,
    label: str,
    labels: Iterable[str],
    annotator: str,
    source: str = "manual",
) -> Span:
    """A checked span over `text` (the article's full text). Raises SpanError."""
    validate_range(article_id, text, start, end)
    labels = tuple(labels)
    if label not in labels:
        raise SpanError(f"{article_id}: unknown label {label!r} (labels: {', '.join(labels)})")
    if source not in SOURCES:
        raise SpanError(f"{article_id}: unknown span source {source!r}")
    stamp = now_iso()
    return Span(article_id, start, end, label, text[start:end], annotator, source, stamp, stamp)


def validate_range(article_id: str, text: str, start: int, end: int) -> None:
    if isinstance(start, bool) or isinstance(end, bool):
        raise SpanError(f"{article_id}: offsets must be integers")
    if not isinstance(start, int) or not isinstance(end, int):
        raise SpanError(f"{article_id}: offsets must be integers, got {start!r}, {end!r}")
    if start >= end:
        raise SpanError(f"{article_id}: empty span [{start}, {end})")
    if start < 0 or end > len(text):
        raise SpanError(f"{article_id}: span [{start}, {end}) outside the text (0..{len(text)})")


def check_span_text(span: Span, text: str) -> None:
    """The invariant every export checks: the span still covers the text it claims."""
    if text[span.start : span.end] != span.text:
        got = text[span.start : span.end]
        raise SpanError(
            f"{span.article_id}: span [{span.start}, {span.end}) {span.label} claims "
            f"{span.text!r} but the text there is {got!r}"
        )


def conflicts(new: Span, existing: Iterable[Span]) -> list[Span]:
    """The spans that `new` replaces: same label, same annotator, overlapping."""
    return [
        span
        for span in existing
        if span.label == new.label and span.annotator == new.annotator and span.overlaps(new)
    ]


def non_overlapping(spans: Iterable[Span]) -> tuple[list[Span], list[Span]]:
    """Keep the longer of overlapping spans (ties: the earlier). Returns (kept, dropped)."""
    kept: list[Span] = []
    dropped: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start, s.label)):
        if any(span.overlaps(other) for other in kept):
            dropped.append(span)
        else:
            kept.append(span)
    kept.sort(key=lambda s: s.sort_key)
    return kept, dropped

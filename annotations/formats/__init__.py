"""Export and import formats: one module per format, each a set of pure functions.

A format module turns one article, its spans and its tokens into what the format writes
(`prodigy.record`, `doccano.record`, `conll.lines`, `docbin.build_doc`) and, for the JSONL
formats, reads one parsed line back into a `ParsedTask`. Nothing here touches the store or the
file system: `annotations.export` and `annotations.importer` do, and call these.

Offsets are Python `str` indices (code points), end exclusive, into the text exactly as held.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from annotations.spans import Span

#: Every export format, in the order the CLI and the export dialog list them.
FORMATS = ("prodigy", "doccano", "conll", "docbin")

#: Formats that are one JSON object per line (and that `spantag import` reads back).
JSONL_FORMATS = ("prodigy", "doccano")

#: Formats written as bytes, to a file only.
BINARY_FORMATS = ("docbin",)

#: File suffix each format is usually given.
SUFFIXES = {"prodigy": ".jsonl", "doccano": ".jsonl", "conll": ".conll", "docbin": ".spacy"}

#: Meta keys spantag writes itself; an article's own meta never overrides them.
SPAN_SOURCES_KEY = "span_sources"
SPAN_ANNOTATORS_KEY = "span_annotators"
RESERVED_META = frozenset({"id", SPAN_SOURCES_KEY, SPAN_ANNOTATORS_KEY})


class FormatError(ValueError):
    """A span or line a format cannot write or read. `str(error)` is one line for the user."""


class TokenLike(Protocol):
    text: str
    start: int
    end: int
    ws: bool


@dataclass(frozen=True, slots=True)
class ParsedSpan:
    """One span read from a line; `source`/`annotator` are None when the line does not say."""

    start: int
    end: int
    label: str
    source: str | None = None
    annotator: str | None = None


@dataclass(frozen=True)
class ParsedTask:
    """One line of an export read back: an article's text, who it is, and its spans."""

    format: str
    text: str
    id: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    """The article's own meta (without `id` and the span lists spantag adds)."""
    spans: tuple[ParsedSpan, ...] = ()
    answer: str = "accept"
    """Prodigy's answer; lines answered `reject` or `ignore` hold no annotations to import."""
    notes: tuple[str, ...] = ()
    """Things read but not imported (doccano relations), one line each."""


class TokenBounds:
    """Which token starts and which ends at an offset, to turn spans into token indices.

    Tokens are sorted and contiguous, so a binary search per span boundary is enough; building
    an index of every token would cost more than the few spans of an article need.
    """

    __slots__ = ("article_id", "tokens")

    def __init__(self, tokens: Sequence[TokenLike], article_id: str = "") -> None:
        self.article_id = article_id
        self.tokens = tokens

    def token_range(self, start: int, end: int, label: str = "", text: str = "") -> tuple[int, int]:
        """`(first, last)` token indices, last inclusive; FormatError when not on boundaries."""
        tokens = self.tokens
        first = bisect.bisect_left(tokens, start, key=_start)
        last = bisect.bisect_left(tokens, end, key=_end)
        starts = first < len(tokens) and tokens[first].start == start
        ends = last < len(tokens) and tokens[last].end == end
        if not (starts and ends) or last < first:
            where = "start" if not starts else "end"
            raise FormatError(
                f"{self.article_id}: span [{start}, {end}) {label} {text!r} does not {where} on "
                f"a token boundary; fix the span in spantag (it snaps to words) or export as "
                f"doccano, which has no tokens"
            )
        return first, last


_start = operator.attrgetter("start")
_end = operator.attrgetter("end")


def article_meta(
    article_id: str, source: str, meta: dict[str, Any], spans: Sequence[Span] = ()
) -> dict[str, Any]:
    """`{"id", "source", ...the article's meta..., "span_sources", "span_annotators"}`.

    The article's own meta wins over `source` (a JSONL corpus often names the news outlet
    there), never over `id` or the span lists. The span lists are aligned with the spans.
    """
    out: dict[str, Any] = {"id": article_id, "source": source}
    for key, value in meta.items():
        if key not in RESERVED_META:
            out[key] = value
    out[SPAN_SOURCES_KEY] = [span.source for span in spans]
    out[SPAN_ANNOTATORS_KEY] = [span.annotator for span in spans]
    return out


def task_meta(meta: Any, where: str) -> dict[str, Any]:
    """An imported line's meta without the keys spantag writes itself."""
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise FormatError(f"{where}: 'meta' is not an object")
    return {key: value for key, value in meta.items() if key not in RESERVED_META}


def span_attribution(
    container: dict[str, Any], count: int, where: str
) -> tuple[list[str | None], list[str | None]]:
    """The `span_sources` / `span_annotators` lists of a line, each `count` long (or Nones)."""
    out: list[list[str | None]] = []
    for key in (SPAN_SOURCES_KEY, SPAN_ANNOTATORS_KEY):
        values = container.get(key)
        if values is None:
            out.append([None] * count)
            continue
        if not isinstance(values, list) or len(values) != count:
            raise FormatError(f"{where}: '{key}' must be a list with one entry per span ({count})")
        if not all(isinstance(value, str) and value for value in values):
            raise FormatError(f"{where}: '{key}' must hold non-empty strings")
        out.append(list(values))
    return out[0], out[1]


def check_text(text: Any, where: str) -> str:
    if not isinstance(text, str):
        raise FormatError(f"{where}: 'text' is missing or not a string")
    if not text.strip():
        raise FormatError(f"{where}: empty 'text'")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise FormatError(f"{where}: text has a lone surrogate at offset {error.start}") from None
    return text


def check_offsets(start: Any, end: Any, text: str, where: str) -> tuple[int, int]:
    """Integer code-point offsets of a non-empty span inside `text`, or FormatError."""
    for value in (start, end):
        if isinstance(value, bool) or not isinstance(value, int):
            raise FormatError(f"{where}: offsets must be integers, got {start!r}, {end!r}")
    if start >= end:
        raise FormatError(f"{where}: empty span [{start}, {end})")
    if start < 0 or end > len(text):
        raise FormatError(f"{where}: span [{start}, {end}) outside the text (0..{len(text)})")
    return start, end


def trim_whitespace(
    start: int, end: int, text: str, where: str, notes: list[str]
) -> tuple[int, int] | None:
    """A span read from another tool's file, without the whitespace at its edges (with a note
    in `notes` when it had some); None (and a note) for a span of whitespace alone, which
    holds nothing to tag and is left out.

    Browser tools let a drag take the space after a word; no tokeniser has a token that
    starts or ends there, so such a span would stop every tokenised export (and spantag's own
    selections never start or end on whitespace).
    """
    piece = text[start:end]
    core = piece.strip()
    if not core:
        notes.append(f"{where}: span [{start}, {end}) is only whitespace ({piece!r}); left out")
        return None
    if len(core) == len(piece):
        return start, end
    new_start = start + len(piece) - len(piece.lstrip())
    new_end = new_start + len(core)
    notes.append(
        f"{where}: span [{start}, {end}) {piece!r} trimmed to [{new_start}, {new_end}) "
        f"{core!r} (whitespace at its edge)"
    )
    return new_start, new_end


def from_utf16(
    text: str, offsets: Sequence[tuple[int, int]], misfit_only_if_outside: bool = False
) -> list[tuple[int, int]] | None:
    """`offsets` converted from UTF-16 units to code points, if that is how they were counted.

    Browser tools (doccano's, Label Studio's) count a character beyond U+FFFF (most emoji) as
    two units, so after one their offsets are ahead of Python's. Read as code points such
    spans cut words or take the space after them; read as UTF-16 units they fit (see
    `_fits`). Returns the converted offsets only when every span fits that way and some span
    does not fit as code points; else None, and the offsets are taken as they are.
    `misfit_only_if_outside`: count a code-point reading as misfit only when a span runs past
    the text (for lines whose spans may be any stretch of characters: spantag's own).
    """
    if not text or max(text) <= "\uffff":
        return None  # no character counts twice: both readings agree
    if misfit_only_if_outside:
        if all(0 <= start < end <= len(text) for start, end in offsets):
            return None
    elif all(_fits(text, start, end) for start, end in offsets):
        return None
    point_of: list[int] = []  # UTF-16 unit -> code point; -1 inside a surrogate pair
    for index, char in enumerate(text):
        point_of.append(index)
        if char > "\uffff":
            point_of.append(-1)
    point_of.append(len(text))
    converted = []
    for start, end in offsets:
        if not (0 <= start < end < len(point_of)):
            return None
        first, last = point_of[start], point_of[end]
        if first < 0 or last < 0 or not _fits(text, first, last):
            return None
        converted.append((first, last))
    return converted


def _fits(text: str, start: int, end: int) -> bool:
    """A span a person would mark: inside the text, not cutting a word at either end, and not
    starting or ending on whitespace."""
    if not (0 <= start < end <= len(text)):
        return False
    if text[start].isspace() or text[end - 1].isspace():
        return False
    return _word_edge(text, start) and _word_edge(text, end)


def _word_edge(text: str, index: int) -> bool:
    """Not between two letters or digits (so not inside a word)."""
    return index <= 0 or index >= len(text) or not (
        text[index - 1].isalnum() and text[index].isalnum()
    )


def check_label(label: Any, where: str) -> str:
    if not isinstance(label, str) or not label:
        raise FormatError(f"{where}: label must be a non-empty string, got {label!r}")
    return label


def optional_id(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FormatError(f"{where}: 'id' must be a string or an integer, got {value!r}")
    text = str(value)
    return text if text.strip() else None


def parse_task(data: Any, where: str) -> ParsedTask:
    """Read one JSON line of either JSONL format, telling which it is from its keys."""
    from annotations.formats import doccano, prodigy

    if not isinstance(data, dict):
        raise FormatError(f"{where}: expected a JSON object")
    if prodigy.looks_like(data):
        return prodigy.parse(data, where)
    if doccano.looks_like(data):
        return doccano.parse(data, where)
    raise FormatError(
        f"{where}: neither prodigy ('spans') nor doccano ('label' or 'entities') annotations"
    )


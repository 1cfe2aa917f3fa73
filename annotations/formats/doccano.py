"""doccano's sequence-labelling JSONL: `{"id", "text", "label": [[start, end, "LABEL"], ...]}`.

We add `meta` (the article's source and its own meta) and two lists aligned with `label`,
`span_sources` and `span_annotators`; doccano keeps unknown keys as metadata on import.
Reading also accepts doccano's relation-project form, where entities are
`{"id", "label", "start_offset", "end_offset"}` objects under `entities` (relations are not
imported, and say so). Offsets are code points. doccano's browser counts UTF-16 units, so a
file edited there is ahead by one after each emoji: when the spans of a line fit the words only
when read as UTF-16 units, they are read so, with a note (`formats.from_utf16`). Whitespace at a
span's edge is trimmed, with a note; a span of whitespace alone is left out, with a note. Lines
spantag wrote itself (with `span_sources`) are read exactly as they are, so a round trip is
exact; only a span past the end of the text gives away that such a line went through doccano.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotations.articles import Article
from annotations.formats import (
    SPAN_ANNOTATORS_KEY,
    SPAN_SOURCES_KEY,
    FormatError,
    ParsedSpan,
    ParsedTask,
    article_meta,
    check_label,
    check_offsets,
    check_text,
    from_utf16,
    optional_id,
    span_attribution,
    task_meta,
    trim_whitespace,
)
from annotations.formats.prodigy import dumps
from annotations.spans import Span

NAME = "doccano"

#: Keys a doccano line may carry that are not article metadata.
KNOWN_KEYS = frozenset(
    {
        "id",
        "text",
        "label",
        "labels",
        "entities",
        "relations",
        "meta",
        "Comments",
        "comments",
        SPAN_SOURCES_KEY,
        SPAN_ANNOTATORS_KEY,
    }
)


def record(article: Article, spans: Sequence[Span], source: str | None = None) -> dict[str, Any]:
    meta = article_meta(
        article.id, article.source if source is None else source, article.meta, spans
    )
    del meta["id"]
    span_sources = meta.pop(SPAN_SOURCES_KEY)
    span_annotators = meta.pop(SPAN_ANNOTATORS_KEY)
    return {
        "id": article.id,
        "text": article.text,
        "label": [[span.start, span.end, span.label] for span in spans],
        "meta": meta,
        SPAN_SOURCES_KEY: span_sources,
        SPAN_ANNOTATORS_KEY: span_annotators,
    }


def encode(article: Article, spans: Sequence[Span], source: str | None = None) -> str:
    return dumps(record(article, spans, source))


# -- reading ----------------------------------------------------------------------------


def looks_like(data: dict[str, Any]) -> bool:
    return any(key in data for key in ("label", "labels", "entities"))


def parse(data: dict[str, Any], where: str) -> ParsedTask:
    """One doccano line read back. Raises FormatError naming `where` (file:line)."""
    text = check_text(data.get("text"), where)
    article_id = optional_id(data.get("id"), where)
    meta = task_meta(data.get("meta"), where)
    for key, value in data.items():
        if key not in KNOWN_KEYS and key not in meta:
            meta[key] = value  # doccano writes an article's metadata as top-level keys
    raw: list[tuple[Any, Any, Any, str]] = []
    key = "label" if "label" in data else "labels"
    labels = data.get(key)
    if labels is not None:
        if not isinstance(labels, list):
            raise FormatError(f"{where}: '{key}' must be a list of [start, end, label]")
        for index, item in enumerate(labels):
            at = f"{where}: {key} {index + 1}"
            if isinstance(item, str):
                raise FormatError(
                    f"{at}: {item!r} is a text-classification label, not a span [start, end, label]"
                )
            if not isinstance(item, list) or len(item) != 3:
                raise FormatError(f"{at}: expected [start, end, label], got {item!r}")
            raw.append((item[0], item[1], item[2], at))
    entities = data.get("entities")
    if entities is not None:
        if not isinstance(entities, list):
            raise FormatError(f"{where}: 'entities' must be a list")
        for index, item in enumerate(entities):
            at = f"{where}: entity {index + 1}"
            if not isinstance(item, dict):
                raise FormatError(f"{at}: expected an object with start_offset, end_offset, label")
            raw.append((item.get("start_offset"), item.get("end_offset"), item.get("label"), at))
    sources, annotators = span_attribution(data, len(raw), where)
    notes: list[str] = []
    # A line spantag wrote (it carries the span lists) holds exactly what was stored: read it
    # as it is. The fixes below are for lines from other tools.
    foreign = SPAN_SOURCES_KEY not in data and SPAN_ANNOTATORS_KEY not in data
    offsets = [(start, end) for start, end, _, _ in raw]
    if all(type(start) is int and type(end) is int for start, end in offsets):
        # Even a line of ours may have been through doccano's browser (which keeps the extra
        # keys): then only a span past the end of the text gives the count away.
        converted = from_utf16(text, offsets, misfit_only_if_outside=not foreign)
        if converted is not None:
            notes.append(
                f"{where}: offsets read as UTF-16 units, as doccano's browser counts them "
                f"(only so do the spans fit the words after the emoji)"
            )
            raw = [
                (start, end, label, at)
                for (start, end), (_, _, label, at) in zip(converted, raw, strict=True)
            ]
    spans = []
    for index, (start, end, label, at) in enumerate(raw):
        start, end = check_offsets(start, end, text, at)
        if foreign:
            trimmed = trim_whitespace(start, end, text, at, notes)
            if trimmed is None:
                continue
            start, end = trimmed
        spans.append(
            ParsedSpan(start, end, check_label(label, at), sources[index], annotators[index])
        )
    relations = data.get("relations")
    if isinstance(relations, list) and relations:
        notes.append(
            f"{where}: {len(relations)} relation(s) not imported (spantag has no relations)"
        )
    return ParsedTask(NAME, text, article_id, meta, tuple(spans), "accept", tuple(notes))

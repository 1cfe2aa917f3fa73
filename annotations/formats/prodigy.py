"""Prodigy's `ner.manual` task shape: what `prodigy data-to-spacy` and spaCy users read.

One JSON object per line: `text`, `meta`, `tokens` (every token of our spaCy-compatible
tokenizer, whitespace tokens included, as Prodigy writes them), `spans` with inclusive
`token_start`/`token_end`, `_input_hash`, `_task_hash` and `answer`.

Choices, so that the output is both valid for Prodigy and exact for spantag:
- A span whose offsets do not fall on token boundaries is an error naming the article, never a
  span written with token indices that disagree with its offsets (Prodigy and spaCy would
  silently misalign it). Spans made in the app snap to words; imported ones may not. Doccano
  output has no tokens and takes such spans as they are.
- `meta` holds `id`, `source`, the article's own meta, and `span_sources`/`span_annotators`,
  lists aligned with `spans` (manual, propagated, pattern, gazetteer, import), so a user can keep
  only hand-made spans and an import restores every span exactly.
- Lines are compact ASCII JSON (non-ASCII escaped, as Prodigy's own writer does), so no reader
  can split a line at U+2028 or trip over an encoding.
- The hashes are the first 4 bytes of a SHA-256, as a signed 32-bit integer: stable across runs
  and machines, unlike Python's `hash()`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from annotations.articles import Article
from annotations.formats import (
    SPAN_ANNOTATORS_KEY,
    SPAN_SOURCES_KEY,
    FormatError,
    ParsedSpan,
    ParsedTask,
    TokenBounds,
    TokenLike,
    article_meta,
    check_label,
    check_offsets,
    check_text,
    optional_id,
    span_attribution,
    task_meta,
    trim_whitespace,
)
from annotations.spans import Span

NAME = "prodigy"

_encode_string = json.encoder.encode_basestring_ascii  # the C implementation json uses
dumps = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), check_circular=False).encode
"""The one JSON writer of the JSONL formats: compact, ASCII, key order kept."""
_WS_JSON = ("false", "true")


def hash32(data: str) -> int:
    """A stable signed 32-bit integer from the SHA-256 of `data`."""
    digest = hashlib.sha256(data.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def input_hash(text: str) -> int:
    return hash32(text)


def task_hash(
    text: str, spans: Sequence[tuple[int, int, str]], text_hash: int | None = None
) -> int:
    """From the text and the spans' offsets and labels (not who made them).

    `text_hash` is `input_hash(text)` when the caller has it already.
    """
    spans_part = dumps([[start, end, label] for start, end, label in spans])
    return hash32(f"{input_hash(text) if text_hash is None else text_hash} {spans_part}")


def span_dicts(article_id: str, spans: Sequence[Span], tokens: Sequence[TokenLike]) -> list[dict]:
    if not spans:
        return []
    bounds = TokenBounds(tokens, article_id)
    out = []
    for span in spans:
        first, last = bounds.token_range(span.start, span.end, span.label, span.text)
        out.append(
            {
                "start": span.start,
                "end": span.end,
                "label": span.label,
                "token_start": first,
                "token_end": last,
            }
        )
    return out


def token_dicts(tokens: Sequence[TokenLike]) -> list[dict[str, Any]]:
    return [
        {"text": token.text, "start": token.start, "end": token.end, "id": index, "ws": token.ws}
        for index, token in enumerate(tokens)
    ]


def record(
    article: Article,
    spans: Sequence[Span],
    tokens: Sequence[TokenLike],
    source: str | None = None,
) -> dict[str, Any]:
    """The task dict of one article. `source` replaces `article.source` in `meta`."""
    text = article.text
    text_hash = input_hash(text)
    return {
        "text": text,
        "meta": article_meta(
            article.id, article.source if source is None else source, article.meta, spans
        ),
        "tokens": token_dicts(tokens),
        "spans": span_dicts(article.id, spans, tokens),
        "_input_hash": text_hash,
        "_task_hash": task_hash(text, [(s.start, s.end, s.label) for s in spans], text_hash),
        "answer": "accept",
    }


def encode(
    article: Article,
    spans: Sequence[Span],
    tokens: Sequence[TokenLike],
    source: str | None = None,
) -> str:
    """`dumps(record(...))`, without building a dict per token (the bulk of every line).

    Tokens (`annotations.tokenizer.Token` tuples: text, start, end, ws) are written from one
    template; their text goes through json's own C string encoder. `tests/test_formats.py`
    checks this equals `dumps(record(...))`.
    """
    text = article.text
    enc = _encode_string
    ws_json = _WS_JSON
    token_part = ",".join(
        [
            f'{{"text":{enc(token_text)},"start":{start},"end":{end},"id":{index},'
            f'"ws":{ws_json[ws]}}}'
            for index, (token_text, start, end, ws) in enumerate(tokens)
        ]
    )
    meta = article_meta(
        article.id, article.source if source is None else source, article.meta, spans
    )
    text_hash = input_hash(text)
    task = task_hash(text, [(s.start, s.end, s.label) for s in spans], text_hash)
    return (
        f'{{"text":{enc(text)},"meta":{dumps(meta)},"tokens":[{token_part}],'
        f'"spans":{dumps(span_dicts(article.id, spans, tokens))},'
        f'"_input_hash":{text_hash},"_task_hash":{task},"answer":"accept"}}'
    )


# -- reading ----------------------------------------------------------------------------


def looks_like(data: dict[str, Any]) -> bool:
    return any(key in data for key in ("spans", "tokens", "_input_hash", "_task_hash"))


def parse(data: dict[str, Any], where: str) -> ParsedTask:
    """One Prodigy task read back. Raises FormatError naming `where` (file:line)."""
    text = check_text(data.get("text"), where)
    raw_meta = data.get("meta")
    meta = task_meta(raw_meta, where)
    raw_id = raw_meta.get("id") if isinstance(raw_meta, dict) else None
    article_id = optional_id(raw_id if raw_id is not None else data.get("id"), where)
    answer = data.get("answer", "accept")
    if not isinstance(answer, str):
        raise FormatError(f"{where}: 'answer' must be a string")
    raw_spans = data.get("spans")
    if raw_spans is None:
        raw_spans = []
    if not isinstance(raw_spans, list):
        raise FormatError(f"{where}: 'spans' must be a list")
    sources, annotators = span_attribution(
        raw_meta if isinstance(raw_meta, dict) else {}, len(raw_spans), where
    )
    session = data.get("_annotator_id")
    if isinstance(session, str) and session.strip():
        # Prodigy's multi-user sessions name who answered ("dataset-alice"): that is who made
        # the spans, unless our own span_annotators say more precisely.
        annotators = [name or session for name in annotators]
    tokens = data.get("tokens")
    spans = []
    notes: list[str] = []
    foreign = not isinstance(raw_meta, dict) or (
        SPAN_SOURCES_KEY not in raw_meta and SPAN_ANNOTATORS_KEY not in raw_meta
    )
    for index, item in enumerate(raw_spans):
        at = f"{where}: span {index + 1}"
        if not isinstance(item, dict):
            raise FormatError(f"{at}: expected an object")
        start, end = check_offsets(item.get("start"), item.get("end"), text, at)
        label = check_label(item.get("label"), at)
        claimed = item.get("text")
        if claimed is not None and claimed != text[start:end]:
            raise FormatError(
                f"{at}: claims {claimed!r} but the text at [{start}, {end}) is "
                f"{text[start:end]!r}"
            )
        _check_token_indices(item, tokens, start, end, at)
        if foreign:  # a line spantag wrote holds exactly what was stored: read it as it is
            trimmed = trim_whitespace(start, end, text, at, notes)
            if trimmed is None:
                continue
            start, end = trimmed
        spans.append(ParsedSpan(start, end, label, sources[index], annotators[index]))
    return ParsedTask(NAME, text, article_id, meta, tuple(spans), answer, tuple(notes))


def _check_token_indices(item: dict, tokens: Any, start: int, end: int, at: str) -> None:
    """A span's token indices, when the line has tokens, must agree with its offsets."""
    if not isinstance(tokens, list) or ("token_start" not in item and "token_end" not in item):
        return
    for key, offset_key, offset in (("token_start", "start", start), ("token_end", "end", end)):
        index = item.get(key)
        if index is None:
            continue
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(tokens):
            raise FormatError(f"{at}: {key} {index!r} is not a token index (0..{len(tokens) - 1})")
        token = tokens[index]
        if not isinstance(token, dict) or token.get(offset_key) != offset:
            raise FormatError(
                f"{at}: {key} {index} disagrees with the span's {offset_key} {offset}"
            )


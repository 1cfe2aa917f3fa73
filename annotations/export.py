"""Export: a corpus's spans, in one format, streamed article by article in corpus order.

Used by `spantag export` and by the app's export dialog. Every span is checked against its
article's text (`text[start:end] == span.text`) before anything is written, so that an export
never carries a span onto text it was not made on; a mismatch is an `ExportError` naming the
article. Writing to a path is atomic (a temp file beside it, then `os.replace`), so a failed
export leaves an earlier file intact. A span off token boundaries (prodigy, conll, docbin) is
only found while writing: `spantag export` to stdout writes to a temp file first for that
reason, so a failed export prints nothing.

The same span (offsets and label) marked by two annotators is written once, by the first of
them in store order: a training file with a span twice makes spaCy refuse `doc.ents` (E1010)
and counts the entity twice. Comparing annotators is `spantag agree`'s and `review`'s work.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from annotations.articles import Article
from annotations.formats import (
    BINARY_FORMATS,
    FORMATS,
    FormatError,
    conll,
    docbin,
    doccano,
    prodigy,
)
from annotations.spans import Span
from annotations.store import store_files
from annotations.tokenizer import sentences, tokenize


class ExportError(Exception):
    """An export that cannot be written. `str(error)` is one line naming the article."""


@dataclass
class ExportReport:
    """What an export wrote."""

    format: str
    articles: int = 0
    """Lines (JSONL), documents (docbin) or article blocks (conll) written."""
    spans: int = 0
    """Spans written (conll: the ones that got tags)."""
    dropped: int = 0
    """conll: overlapping spans not written (the longer won). docbin: spans left out of
    `doc.ents` for overlapping (every span is in `doc.spans["sc"]`)."""
    missing: list[str] = field(default_factory=list)
    """Ids of articles with spans in the store but no text in the corpus: not exported."""
    repeated: int = 0
    """Spans marked the same (offsets and label) by another annotator too: written once."""
    labels: dict[str, int] = field(default_factory=dict)
    """Spans written per label."""

    def lines(self) -> list[str]:
        """Notes for stderr: dropped spans and spans whose article has no text."""
        out = []
        if self.dropped and self.format == "conll":
            out.append(
                f"{self.dropped} overlapping span(s) dropped: a CoNLL token has one tag, "
                f"the longer span was kept"
            )
        elif self.dropped and self.format == "docbin":
            out.append(
                f"{self.dropped} overlapping span(s) left out of doc.ents "
                f"(every span is in doc.spans['sc'])"
            )
        if self.repeated:
            out.append(
                f"{self.repeated} span(s) marked the same by more than one annotator were "
                f"written once"
            )
        if self.missing:
            shown = ", ".join(self.missing[:5]) + (" ..." if len(self.missing) > 5 else "")
            out.append(
                f"spans of {len(self.missing)} article(s) not exported: their text is neither "
                f"in the corpus nor in the store ({shown})"
            )
        return out


def spans_by_article(store: Any) -> dict[str, list[Span]]:
    """Every stored span grouped by article, each list in the store's (export) order."""
    return {article_id: store.spans(article_id) for article_id in store.article_ids_with_spans()}


def export_corpus(
    articles: Iterable[Article],
    store: Any,
    fmt: str,
    out: IO,
    include_all: bool = False,
    base_dir: Path | None = None,
    part: bool = False,
) -> ExportReport:
    """Write the spans of `store` over `articles` to `out` (text; binary for docbin).

    `part`: `articles` are a chosen part of the corpus, so the spans of other articles were
    not asked for (and are not reported missing)."""
    spans = spans_by_article(store)
    return export_spans(articles, spans, fmt, out, include_all, base_dir, part)


def export_to_path(
    articles: Iterable[Article],
    store: Any,
    fmt: str,
    path: str | os.PathLike[str],
    include_all: bool = False,
    base_dir: Path | None = None,
    part: bool = False,
) -> ExportReport:
    """`export_corpus` into a file, atomically: the file is replaced only by a whole export.

    Refuses to write over the store or its side files: an export there would replace the
    annotations with JSONL, and the `.bak` only holds the state of the last open.
    """
    store_path = getattr(store, "path", None)
    if store_path is not None and Path(path).resolve() in store_files(store_path):
        raise ExportError(f"{path}: that is the store (or one of its files); choose another file")
    spans = spans_by_article(store)
    with atomic_output(Path(path), binary=fmt in BINARY_FORMATS) as out:
        return export_spans(articles, spans, fmt, out, include_all, base_dir, part)


def export_spans(
    articles: Iterable[Article],
    spans: Mapping[str, Sequence[Span]],
    fmt: str,
    out: IO,
    include_all: bool = False,
    base_dir: Path | None = None,
    part: bool = False,
) -> ExportReport:
    """The export itself, from spans already grouped by article (in `Store.spans` order).

    Articles without spans are skipped unless `include_all`. `base_dir` makes file sources in
    `meta` relative to it (the config's folder), so exports do not carry absolute paths.
    `part`: see `export_corpus`.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (formats: {', '.join(FORMATS)})")
    corpus = list(articles)
    chosen = [a for a in corpus if include_all or spans.get(a.id)]
    report = ExportReport(fmt)
    if not part:
        known = {article.id for article in corpus}
        report.missing = sorted(aid for aid, items in spans.items() if items and aid not in known)
    written: dict[str, Sequence[Span]] = {}
    for article in chosen:
        given = spans.get(article.id, ())
        check_spans(article, given)
        written[article.id] = written_once(given)
        report.repeated += len(given) - len(written[article.id])
    try:
        if fmt == "docbin":
            _write_docbin(chosen, written, out, report, base_dir)
        else:
            _write_text(chosen, written, fmt, out, report, base_dir)
    except FormatError as error:
        raise ExportError(str(error)) from None
    return report


def written_once(spans: Sequence[Span]) -> Sequence[Span]:
    """`spans` without a second span of the same offsets and label (another annotator's)."""
    seen: set[tuple[int, int, str]] = set()
    kept = []
    for span in spans:
        key = (span.start, span.end, span.label)
        if key not in seen:
            seen.add(key)
            kept.append(span)
    return spans if len(kept) == len(spans) else kept


def check_spans(article: Article, spans: Iterable[Span]) -> None:
    """Every span covers the text it claims, or ExportError naming the article."""
    text = article.text
    for span in spans:
        if text[span.start : span.end] != span.text or span.start >= span.end:
            got = text[span.start : span.end]
            hint = (
                " (marked stale: the article changed and the text was not found again)"
                if span.stale
                else " (the article changed since; open it in spantag to re-anchor its spans)"
            )
            raise ExportError(
                f"{article.id}: span [{span.start}, {span.end}) {span.label} claims "
                f"{span.text!r} but the text there is {got!r}{hint}"
            )


def _count(report: ExportReport, spans: Iterable[Span]) -> None:
    for span in spans:
        report.spans += 1
        report.labels[span.label] = report.labels.get(span.label, 0) + 1


def _write_text(
    articles: Sequence[Article],
    spans: Mapping[str, Sequence[Span]],
    fmt: str,
    out: IO,
    report: ExportReport,
    base_dir: Path | None,
) -> None:
    write = out.write
    for article in articles:
        article_spans = spans.get(article.id, ())
        source = relative_source(article.source, base_dir)
        if fmt == "prodigy":
            write(prodigy.encode(article, article_spans, tokenize(article.text), source) + "\n")
            written: Sequence[Span] = article_spans
        elif fmt == "doccano":
            write(doccano.encode(article, article_spans, source) + "\n")
            written = article_spans
        else:
            tokens = tokenize(article.text)
            block, dropped = conll.encode(
                article.id, article_spans, tokens, sentences(article.text, tokens)
            )
            write(block)
            report.dropped += len(dropped)
            gone = {id(span) for span in dropped}
            written = [span for span in article_spans if id(span) not in gone]
        report.articles += 1
        _count(report, written)


def _write_docbin(
    articles: Sequence[Article],
    spans: Mapping[str, Sequence[Span]],
    out: IO,
    report: ExportReport,
    base_dir: Path | None,
) -> None:
    vocab = docbin.new_vocab()
    docs = []
    for article in articles:
        article_spans = spans.get(article.id, ())
        source = relative_source(article.source, base_dir)
        doc, dropped = docbin.build_doc(
            vocab, article, article_spans, tokenize(article.text), source
        )
        docs.append(doc)
        report.dropped += len(dropped)
        report.articles += 1
        _count(report, article_spans)
    out.write(docbin.to_bytes(docs))


_LINE_SUFFIX = re.compile(r"^(.*?)(:\d+)?$", re.DOTALL)


def relative_source(source: str, base_dir: Path | None) -> str:
    """A file source (`path` or `path:line`) relative to `base_dir` when under it, with `/`."""
    if base_dir is None or not source:
        return source
    match = _LINE_SUFFIX.match(source)
    path_part, line_part = match.group(1), match.group(2) or ""
    path = Path(path_part)
    if not path.is_absolute():
        return source
    try:
        relative = path.relative_to(base_dir)
    except ValueError:
        return source
    return relative.as_posix() + line_part


class atomic_output:  # noqa: N801 - used as a context manager, like open()
    """Write to a temp file beside `path`; on success fsync and `os.replace` it over `path`."""

    def __init__(self, path: Path, binary: bool = False) -> None:
        self.path = path
        self.binary = binary
        self.tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        self.handle: IO | None = None

    def __enter__(self) -> IO:
        if not self.path.parent.is_dir():
            raise ExportError(f"{self.path}: folder {self.path.parent} does not exist")
        try:
            if self.binary:
                self.handle = open(self.tmp, "wb")  # noqa: SIM115
            else:
                self.handle = open(self.tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as error:
            raise ExportError(f"{self.path}: cannot write: {error.strerror}") from None
        return self.handle

    def __exit__(self, kind, value, traceback) -> None:
        handle = self.handle
        assert handle is not None
        try:
            if kind is None:
                handle.flush()
                os.fsync(handle.fileno())
            handle.close()
            if kind is None:
                os.replace(self.tmp, self.path)
        except OSError as error:
            self.tmp.unlink(missing_ok=True)
            raise ExportError(f"{self.path}: cannot write: {error.strerror}") from None
        finally:
            if kind is not None:
                self.tmp.unlink(missing_ok=True)

"""Import: read prodigy and doccano JSONL back into the store, losing nothing already there.

Each line is read on its own and its format told from its keys. A line is matched to an article
by its exact text (the strongest evidence) or else by id; an article new to the corpus is kept
in the store with its text. A line is all or nothing: if it does not parse, a span does not fit
its text, or a label is not configured, the line is reported with its number and skipped.

A span already stored (same offsets, label and annotator) is not added twice. A span that would
replace a stored one (it overlaps a span of the same label by the same annotator, which the
store resolves by replacing) is not imported either, and is reported: an import never removes
what is stored.

Who made an imported span: `--annotator` when given, else the line's `span_annotators` (our own
exports carry it), else a Prodigy line's `_annotator_id` (its multi-user session), else the
config's annotator. Its source is the line's `span_sources` entry
(so an export imported elsewhere keeps its manual/pattern/... split), else `import`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotations.articles import BOM, MAX_ARTICLE_BYTES, Article, text_hash
from annotations.config import Config
from annotations.formats import FormatError, ParsedTask, parse_task
from annotations.spans import SOURCES, Span, SpanError, make_span

#: Spans are added in store changes of about this many (see `_flush`).
BATCH_SPANS = 200


@dataclass
class ImportReport:
    """What an import did, and every line it skipped."""

    files: int = 0
    lines: int = 0
    """Non-blank lines read."""
    imported: int = 0
    """Lines whose spans were taken (possibly none of them new)."""
    articles: set[str] = field(default_factory=set)
    """Ids of the articles the imported lines belong to."""
    added_articles: list[str] = field(default_factory=list)
    """Articles new to the corpus, now kept in the store with their text."""
    spans: int = 0
    """Spans added to the store."""
    duplicates: int = 0
    """Spans already stored (or repeated in the input), not added again."""
    problems: list[str] = field(default_factory=list)
    """One line per skipped line or span: `FILE:LINE: why`."""
    notes: list[str] = field(default_factory=list)
    """Lines read on purpose without importing (Prodigy `reject`/`ignore`, doccano relations)."""
    formats: dict[str, int] = field(default_factory=dict)
    """Lines read per format."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        new = f" ({len(self.added_articles)} new to the corpus)" if self.added_articles else ""
        dup = f"; {self.duplicates} already stored" if self.duplicates else ""
        skipped = f"; {len(self.problems)} problem(s), see above" if self.problems else ""
        return (
            f"imported {self.spans} span(s) into {len(self.articles)} article(s){new} from "
            f"{self.imported} of {self.lines} line(s) in {self.files} file(s){dup}{skipped}"
        )


@dataclass
class _Pending:
    """Spans checked and waiting to be written, with what makes them unique or clashing."""

    spans: list[Span] = field(default_factory=list)
    keys: set[tuple] = field(default_factory=set)
    by_article: dict[str, list[Span]] = field(default_factory=dict)


def import_files(
    paths: Sequence[str | os.PathLike[str]],
    store: Any,
    corpus: Iterable[Article],
    config: Config,
    annotator: str | None = None,
) -> ImportReport:
    """Import every line of `paths` into `store`; `corpus` is what lines are matched against."""
    importer = Importer(store, corpus, config.label_names, config.annotator, annotator)
    for path in paths:
        importer.read_file(Path(path))
    importer.finish()
    return importer.report


class Importer:
    """One import run: matching state and the spans not yet written."""

    def __init__(
        self,
        store: Any,
        corpus: Iterable[Article],
        labels: Sequence[str],
        default_annotator: str,
        annotator: str | None = None,
    ) -> None:
        self.store = store
        self.labels = tuple(labels)
        self.default_annotator = default_annotator
        self.annotator = annotator
        self.by_id: dict[str, Article] = {}
        self.by_hash: dict[str, Article] = {}
        for article in corpus:
            self._know(article)
        self.new_articles: list[Article] = []
        self.pending = _Pending()
        self.report = ImportReport()

    def _know(self, article: Article) -> None:
        self.by_id.setdefault(article.id, article)
        self.by_hash.setdefault(article.sha256, article)

    # -- reading -------------------------------------------------------------------------

    def read_file(self, path: Path) -> None:
        self.report.files += 1
        try:
            handle = open(path, "rb")  # noqa: SIM115
        except OSError as error:
            self.report.problems.append(f"{path}: cannot read: {error.strerror}")
            return
        with handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                self.report.lines += 1
                where = f"{path}:{number}"
                try:
                    task = read_line(raw, where, first=number == 1)
                    self.take(task, where)
                except (FormatError, SpanError) as error:
                    self.report.problems.append(str(error))
        self._flush()

    def take(self, task: ParsedTask, where: str) -> None:
        """Match one parsed line to an article and queue its spans (all or none)."""
        self.report.formats[task.format] = self.report.formats.get(task.format, 0) + 1
        self.report.notes.extend(task.notes)
        if task.answer != "accept":
            self.report.notes.append(f"{where}: answer is {task.answer!r}; not imported")
            return
        article, is_new = self.match(task, where)
        spans = [self.make(article, parsed, where) for parsed in task.spans]
        if is_new:
            self.new_articles.append(article)
            self.report.added_articles.append(article.id)
            self._know(article)
        self.report.imported += 1
        self.report.articles.add(article.id)
        for span in spans:
            self.queue(span, where)
        if len(self.pending.spans) >= BATCH_SPANS:
            self._flush()

    def match(self, task: ParsedTask, where: str) -> tuple[Article, bool]:
        """The corpus article this line is about, or a new one (and whether it is new)."""
        by_id = self.by_id.get(task.id) if task.id is not None else None
        if by_id is not None and by_id.text == task.text:
            return by_id, False
        digest = text_hash(task.text)
        by_text = self.by_hash.get(digest)
        if by_text is not None:
            return by_text, False
        if by_id is not None:
            raise FormatError(
                f"{where}: article {task.id!r} is in the corpus with a different text; "
                f"line skipped (its offsets would not fit)"
            )
        size = len(task.text.encode("utf-8"))
        if size > MAX_ARTICLE_BYTES:
            raise FormatError(
                f"{where}: {size / 1024 / 1024:.1f} MB of text, more than one article may hold "
                f"({MAX_ARTICLE_BYTES // 1024 // 1024} MB); line skipped"
            )
        article = Article(
            id=task.id or digest[:16], text=task.text, source=where, meta=dict(task.meta)
        )
        return article, True

    def make(self, article: Article, parsed: Any, where: str) -> Span:
        label = resolve_label(parsed.label, self.labels, where)
        source = parsed.source if parsed.source in SOURCES else "import"
        annotator = self.annotator or parsed.annotator or self.default_annotator
        try:
            return make_span(
                article.id, article.text, parsed.start, parsed.end, label, self.labels,
                annotator, source,
            )  # fmt: skip
        except SpanError as error:
            raise FormatError(f"{where}: {error}") from None

    def queue(self, span: Span, where: str) -> None:
        """Queue `span` unless stored already, or unless storing it would replace a span."""
        if span.key in self.pending.keys or self.store.get(span) is not None:
            self.report.duplicates += 1
            return
        stored = self.store.spans(span.article_id, span.annotator)
        queued = self.pending.by_article.get(span.article_id, [])
        for other in (*stored, *queued):
            if other.label == span.label and other.annotator == span.annotator and (
                other.overlaps(span)
            ):
                self.report.problems.append(
                    f"{where}: span [{span.start}, {span.end}) {span.label} {span.text!r} "
                    f"overlaps [{other.start}, {other.end}) {other.text!r} of the same label "
                    f"by {span.annotator}; not imported (it would replace it)"
                )
                return
        self.pending.spans.append(span)
        self.pending.keys.add(span.key)
        self.pending.by_article.setdefault(span.article_id, []).append(span)

    # -- writing -------------------------------------------------------------------------

    def _flush(self) -> None:
        """Write new articles, then queued spans (one durable change per batch)."""
        if self.new_articles:
            self.store.add_articles(self.new_articles)
        self.new_articles = []
        spans = self.pending.spans
        if spans:
            change = self.store.apply(add=spans)
            self.report.spans += len(change.added)
        self.pending = _Pending()

    def finish(self) -> None:
        self._flush()


def read_line(raw: bytes, where: str, first: bool = False) -> ParsedTask:
    """Decode and parse one JSONL line of either format. Raises FormatError."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormatError(f"{where}: not UTF-8 (byte {error.start} of the line)") from None
    if first and line.startswith(BOM):
        line = line[1:]
    try:
        # Without the line break, a line cut short is reported at its end, not on "line 2".
        data = json.loads(line.rstrip("\r\n"))
    except json.JSONDecodeError as error:
        raise FormatError(f"{where}: not valid JSON ({error.msg}, column {error.colno})") from None
    except RecursionError:
        raise FormatError(f"{where}: not valid JSON (nested too deeply)") from None
    return parse_task(data, where)


def resolve_label(label: str, labels: Sequence[str], where: str) -> str:
    """The configured label `label` names: exactly, else the one that matches ignoring case."""
    if label in labels:
        return label
    folded = [name for name in labels if name.casefold() == label.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise FormatError(
        f"{where}: label {label!r} is not in config.yaml (labels: {', '.join(labels)})"
    )


def iter_tasks(path: Path) -> Iterator[tuple[int, ParsedTask | FormatError]]:
    """`(line number, task or the error)` for each non-blank line of a JSONL file."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                try:
                    yield number, read_line(raw, f"{path}:{number}", first=number == 1)
                except FormatError as error:
                    yield number, error

"""`spantag export`: the annotated articles, one per line (or a .spacy file), in corpus order."""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
from pathlib import Path

from annotations.export import ExportError, ExportReport, export_corpus, export_to_path
from annotations.formats import FORMATS, FormatError, docbin
from annotations.store import store_files
from tui.commands import Context, UserError

NAME = "export"
HELP = (
    "Write every annotated article (every article with --all) in corpus order, to stdout or "
    "-o FILE (replaced atomically). Formats: prodigy (Prodigy ner.manual JSONL, the default "
    "unless config.yaml's export.format says otherwise), doccano (JSONL), conll (token<TAB>BIO "
    "tag), docbin (spaCy .spacy; needs -o and spaCy). Every span is checked against its "
    "article's text first; a mismatch stops the export with exit 1, naming the article."
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "paths", nargs="*", help="article files or folders (default: config corpus)"
    )
    parser.add_argument(
        "-f", "--format", choices=FORMATS, help="output format (default: config export.format)"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--all",
        dest="include_all",
        action="store_true",
        help="every article, also those without spans",
    )


def run(args, ctx: Context) -> int:
    fmt = args.format or ctx.config.export.format
    output = Path(args.output) if args.output else None
    if fmt == "docbin":
        if output is None:
            raise UserError("docbin writes a binary spaCy file: give it one with -o FILE.spacy")
        try:
            docbin.require_spacy()
        except FormatError as error:
            raise UserError(str(error)) from None
    if not args.include_all and not any(path.exists() for path in store_files(ctx.store_path)):
        # Most likely a mistyped --store: an empty export would look like a finished one.
        raise UserError(
            f"{ctx.store_path}: no store there, so no spans to export (check --store; "
            f"--all writes every article, with or without spans)"
        )
    part = bool(args.paths)  # only these articles: the spans of others were not asked for
    with ctx.open_store(read_only=True) as store:
        corpus = ctx.full_corpus(store, args.paths or None)
        articles = corpus.articles
        if part:  # those files only, not also the articles kept in the store (imported)
            articles = tuple(a for a in articles if a.source != "store")
        base = ctx.config.base_dir
        try:
            if output is not None:
                report = export_to_path(articles, store, fmt, output, args.include_all, base, part)
            else:
                report = _to_stdout(articles, store, fmt, args.include_all, base, part)
        except ExportError as error:
            raise UserError(str(error)) from None
    for line in report.lines() + _unknown_labels(report, ctx.config.label_names):
        print(f"spantag: {line}", file=sys.stderr)
    if output is not None:
        print(f"wrote {report.articles} article(s), {report.spans} span(s) as {fmt} to {output}")
    # Spans whose article text is nowhere could not be checked or written: not a clean export.
    return 1 if report.missing else 0


def _to_stdout(
    articles, store, fmt: str, include_all: bool, base: Path, part: bool
) -> ExportReport:
    """Export to stdout, as UTF-8 whatever the locale says (CoNLL lines are not ASCII).

    The export goes to a temp file first and is copied out only when whole: a span off token
    boundaries is found while writing, and `spantag export > f.jsonl` must not then leave
    the lines before it in f.jsonl as if they were the export.
    """
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        report = export_corpus(articles, store, fmt, spool, include_all, base, part)
        spool.seek(0)
        stream = sys.stdout
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        buffer = getattr(stream, "buffer", None)
        if encoding == "utf8" or buffer is None:
            shutil.copyfileobj(spool, stream)
            stream.flush()
            return report
        stream.flush()
        wrapper = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n")
        try:
            shutil.copyfileobj(spool, wrapper)
        finally:
            wrapper.flush()
            wrapper.detach()
        return report


def _unknown_labels(report: ExportReport, names: tuple[str, ...]) -> list[str]:
    unknown = {label: n for label, n in report.labels.items() if label not in names}
    if not unknown:
        return []
    listed = ", ".join(f"{label} ({n})" for label, n in sorted(unknown.items()))
    return [f"spans with labels not in config.yaml were exported as they are: {listed}"]

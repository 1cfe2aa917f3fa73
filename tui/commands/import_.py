"""`spantag import`: prodigy or doccano JSONL back into the store."""

from __future__ import annotations

import sys
from pathlib import Path

from annotations.importer import import_files
from tui.commands import Context, UserError

NAME = "import"
HELP = (
    "Read prodigy and doccano JSONL (told apart per line) into the store. Lines are matched "
    "to articles by text or id; articles new to the corpus are kept in the store with their "
    "text. A span already stored is not added again, and nothing stored is replaced: a span "
    "that would replace one (same label and annotator, overlapping) is reported, not imported. "
    "Lines that do not parse or whose spans do not fit their text are reported by line number "
    "and skipped. The exit code is 1 when anything was reported (the rest is imported)."
)

#: Problem (and note) lines printed before "... and N more".
SHOWN_PROBLEMS = 50


def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="JSONL files to import")
    parser.add_argument(
        "--annotator",
        metavar="NAME",
        help="record every imported span as NAME's (default: the file's span_annotators, "
        "else the config's annotator)",
    )


def run(args, ctx: Context) -> int:
    paths = [Path(name) for name in args.files]
    for path in paths:
        if path.is_dir():
            raise UserError(f"{path}: is a folder; give the JSONL files in it")
        if not path.is_file():
            raise UserError(f"{path}: no such file")
    if args.annotator is not None and not args.annotator.strip():
        raise UserError("--annotator must not be empty")
    with ctx.open_store() as store:
        corpus = ctx.full_corpus(store)
        report = import_files(paths, store, corpus.articles, ctx.config, args.annotator)
    for line in report.notes[:SHOWN_PROBLEMS]:
        print(f"note: {line}", file=sys.stderr)
    if len(report.notes) > SHOWN_PROBLEMS:
        print(f"note: ... and {len(report.notes) - SHOWN_PROBLEMS} more", file=sys.stderr)
    for line in report.problems[:SHOWN_PROBLEMS]:
        print(f"skipped: {line}", file=sys.stderr)
    if len(report.problems) > SHOWN_PROBLEMS:
        print(f"skipped: ... and {len(report.problems) - SHOWN_PROBLEMS} more", file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1

"""The `spantag` subcommands: one module each, thin clients of `annotations/`.

A command module has `NAME`, `HELP`, `add_arguments(parser)` and `run(args, ctx) -> int`.
Add a module to `COMMANDS` below to make it a subcommand. Raise `UserError` (or any of the
domain's errors listed in `tui.cli.USER_ERRORS`) for a one-line message and exit code 1.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from annotations.articles import Corpus, load_corpus
from annotations.config import Config

#: Module names under tui.commands, in the order `--help` lists them.
COMMANDS = [
    "list", "stats", "export", "import_", "init", "suggest", "assign", "agree", "review", "merge",
]


class UserError(Exception):
    """A mistake the user can fix; the message is one line, shown without a traceback."""


@dataclass
class Context:
    """What every command gets: the validated config and the global options."""

    config: Config
    store_path: Path
    config_option: str | None = None

    def corpus(self, paths: list[str] | None = None) -> Corpus:
        """The corpus from `paths` (else the config's), warnings printed to stderr."""
        # Given paths are made absolute, as the config's are, so an article's source (in the
        # exports' meta, made relative to the config's folder) is the same however it was typed.
        given = [str(Path(p).resolve()) for p in paths] if paths else None
        corpus = load_corpus(given or [str(p) for p in self.config.corpus])
        for warning in corpus.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        return corpus

    def open_store(self, read_only: bool = False):
        from annotations.store import Store

        return Store.open(self.store_path, read_only=read_only)

    def full_corpus(self, store, paths: list[str] | None = None) -> Corpus:
        """Files plus articles that live only in the store (imported), files first.

        Also re-anchors spans of article files that changed (saved only in a writable store).
        """
        from annotations.store import corpus_with_store

        corpus, warnings = corpus_with_store(self.corpus(paths), store)
        for line in warnings:
            print(f"warning: {line}", file=sys.stderr)
        return corpus

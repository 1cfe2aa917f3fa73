"""The `spantag` command.

`spantag [PATHS...]` opens the app; `spantag SUBCOMMAND ...` runs one of `tui.commands`.
Global options (`--config`, `--store`) come before the subcommand. Exit codes: 0 done,
1 a user error (one line on stderr, no traceback), 2 usage.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import sys
from pathlib import Path

from annotations import __version__
from annotations.articles import CorpusError
from annotations.config import ConfigError, default_config_text, load_config, parse_config
from annotations.spans import SpanError
from tui.commands import COMMANDS, Context, UserError


def _user_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [UserError, ConfigError, CorpusError, SpanError]
    try:
        from annotations.store import StoreError

        errors.append(StoreError)
    except ImportError:  # pragma: no cover - during bootstrapping only
        pass
    return tuple(errors)


def _global_parser(add_help: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spantag",
        add_help=add_help,
        description="Read news articles and annotate spans in them, in the terminal.",
        epilog="Subcommands: " + ", ".join(name.rstrip("_") for name in COMMANDS)
        + ". Run `spantag SUBCOMMAND --help` for each.",
    )
    parser.add_argument("--config", metavar="PATH", help="config.yaml to use")
    parser.add_argument("--store", metavar="PATH", help="the TinyDB store (default from config)")
    parser.add_argument(
        "--read-only", action="store_true", help="open the store read-only (the app)"
    )
    parser.add_argument(
        "--annotator",
        metavar="NAME",
        dest="as_annotator",
        help="who is annotating (default: config annotator, else your login name); with an "
        "assignments file the app lists NAME's articles first",
    )
    parser.add_argument("--version", action="version", version=f"spantag {__version__}")
    return parser


def _split(argv: list[str]) -> tuple[list[str], str | None, list[str]]:
    """Global options, the subcommand (if any) and the rest of argv."""
    names = {name.rstrip("_"): name for name in COMMANDS}
    index = 0
    while index < len(argv):
        token = argv[index]
        if token in ("--config", "--store", "--annotator"):
            index += 2
            continue
        if token.startswith("-"):
            index += 1
            continue
        if token in names:
            return argv[:index], names[token], argv[index + 1 :]
        break
    return argv, None, []


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    global_argv, command, rest = _split(argv)
    try:
        if command is None:
            parser = _global_parser(add_help=True)
            parser.add_argument("paths", nargs="*", help="article files or folders to open")
            args = parser.parse_args(global_argv)
            return _run_app(args)
        args = _global_parser(add_help=True).parse_args(global_argv)
        module = importlib.import_module(f"tui.commands.{command}")
        sub = argparse.ArgumentParser(prog=f"spantag {module.NAME}", description=module.HELP)
        module.add_arguments(sub)
        sub_args = sub.parse_args(rest)
        ctx = _context(args, needs_config=getattr(module, "NEEDS_CONFIG", True))
        return int(module.run(sub_args, ctx) or 0)
    except _user_errors() as error:
        print(f"spantag: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `spantag export | head`
        return 0
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        # What the file system refused (no permission, a folder where a file should be, a
        # full disk) and no command turned into a message of its own: one line, not a trace.
        where = f"{error.filename}: " if error.filename else ""
        print(f"spantag: {where}{error.strerror or error}", file=sys.stderr)
        return 1


def _context(args: argparse.Namespace, needs_config: bool = True) -> Context:
    """`needs_config=False` (`spantag init`): the built-in config, so a broken config.yaml
    in the current folder does not stop the command that writes a fresh one."""
    config = load_config(args.config) if needs_config else parse_config(default_config_text(), None)
    if args.as_annotator:
        config = dataclasses.replace(config, annotator=args.as_annotator)
    store = Path(args.store).resolve() if args.store else config.store
    return Context(config=config, store_path=store, config_option=args.config)


def _run_app(args: argparse.Namespace) -> int:
    from tui.app import run_app

    return run_app(
        config_path=args.config,
        store_path=args.store,
        paths=args.paths or None,
        read_only=args.read_only,
        annotator=args.as_annotator,
    )


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()

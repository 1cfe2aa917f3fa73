"""`spantag init`: write a fresh, commented config.yaml; never overwrite one."""

from __future__ import annotations

from pathlib import Path

from annotations.config import CONFIG_NAME, write_default_config
from tui.commands import Context

NAME = "init"
#: `spantag init` must work beside a config.yaml that does not load (tui.cli reads this).
NEEDS_CONFIG = False
HELP = "Write a fresh, commented config.yaml here (or to PATH). Refuses to overwrite a file."


def add_arguments(parser) -> None:
    parser.add_argument(
        "path", nargs="?", default=CONFIG_NAME, help=f"where to write it (default: {CONFIG_NAME})"
    )


def run(args, ctx: Context) -> int:
    path = Path(args.path)
    if path.is_dir():
        path = path / CONFIG_NAME
    write_default_config(path)
    print(f"wrote {path}: edit the labels and keys, then run `spantag`")
    return 0

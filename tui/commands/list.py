"""`spantag list [PATHS]`: the articles, their words, spans per label and whether done."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tui.commands import Context

NAME = "list"
HELP = "List the articles: id, title, words, spans per label, and done."


def add_arguments(parser) -> None:
    parser.add_argument(
        "paths", nargs="*", help="article files or folders (default: config corpus)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per article")


def run(args, ctx: Context) -> int:
    labels = ctx.config.label_names
    with ctx.open_store(read_only=True) as store:
        corpus = ctx.full_corpus(store, args.paths or None)
        rows = []
        for article in corpus:
            counts = store.counts(article.id)
            rows.append(
                {
                    "id": article.id,
                    "title": article.title,
                    "words": article.words,
                    "spans": {label: counts.get(label, 0) for label in labels},
                    "done": store.is_done(article.id),
                }
            )
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    console = Console()
    console.print(render_list(rows, ctx.config.colours, console.width))
    return 0


def render_list(rows: list[dict], colours: dict[str, str], width: int | None = None) -> Table:
    """Ids and counts are never cut short; the title takes what width is left (of `width`,
    the console's, when given)."""
    table = Table(title=f"{len(rows)} articles", title_justify="left", width=width)
    id_width = max((len(row["id"]) for row in rows), default=2)
    table.add_column("id", no_wrap=True, min_width=id_width)
    table.add_column("title", ratio=1, overflow="ellipsis", no_wrap=True, min_width=12)
    table.add_column("words", justify="right", no_wrap=True)
    for label, colour in colours.items():
        table.add_column(
            Text(label, style=f"bold {colour}"), justify="right", no_wrap=True, min_width=len(label)
        )
    table.add_column("done", justify="center", no_wrap=True, min_width=4)
    for row in rows:
        counts = [
            Text(str(n), style=colours[label] if n else "dim") for label, n in row["spans"].items()
        ]
        table.add_row(
            row["id"],
            row["title"],
            str(row["words"]),
            *counts,
            Text("✓", style="bold green") if row["done"] else Text("·", style="dim"),
        )
    return table

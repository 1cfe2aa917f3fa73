"""`spantag stats`: spans per label and annotator, progress, suggestions, agreement."""

from __future__ import annotations

import json

from rich.bar import Bar
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from annotations.stats import Stats, corpus_stats
from tui.commands import Context
from tui.commands.agree import render_agreement

NAME = "stats"
HELP = (
    "Corpus statistics: spans per label and per annotator, articles new / in progress / done, "
    "suggestions accepted and rejected, and agreement where two annotators overlap."
)

BAR_WIDTH = 40


def add_arguments(parser) -> None:
    parser.add_argument(
        "paths", nargs="*", help="article files or folders (default: config corpus)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")


def run(args, ctx: Context) -> int:
    with ctx.open_store(read_only=True) as store:
        corpus = ctx.full_corpus(store, args.paths or None)
        stats = corpus_stats(corpus, store, ctx.config.label_names)
    if args.json:
        print(json.dumps(stats.to_json(), indent=2))
    else:
        Console().print(render_stats(stats, ctx.config.colours))
    return 0


def label_bars(counts: dict[str, int], colours: dict[str, str], title: str) -> Table:
    """A bar per label, scaled to the largest count."""
    table = Table(title=title, show_header=False, box=None, padding=(0, 1))
    table.add_column("label")
    table.add_column("count", justify="right")
    table.add_column("bar", width=BAR_WIDTH)
    largest = max(counts.values(), default=0) or 1
    for label, count in counts.items():
        colour = colours.get(label, "default")
        table.add_row(
            Text(label, style=colour),
            str(count),
            Bar(largest, 0, count, width=BAR_WIDTH, color=colour),
        )
    return table


def render_stats(stats: Stats, colours: dict[str, str] | None = None) -> Group:
    """Everything `spantag stats` prints, as one Rich renderable (the stats screen reuses it)."""
    colours = colours or {}
    parts: list[RenderableType] = []
    progress = Table(title="Articles")
    for column in ("total", "new", "in progress", "done"):
        progress.add_column(column, justify="right")
    progress.add_row(*(str(n) for n in (stats.articles, stats.new, stats.in_progress, stats.done)))
    parts.append(progress)
    parts.append(label_bars(stats.per_label, colours, f"Spans per label ({stats.spans})"))
    if stats.per_annotator:
        people = Table(title="Spans per annotator")
        people.add_column("annotator")
        for label in stats.per_label:
            people.add_column(Text(label, style=colours.get(label, "")), justify="right")
        people.add_column("total", justify="right")
        for name, total in stats.per_annotator.items():
            per_label = stats.per_annotator_label[name]
            people.add_row(name, *(str(per_label[label]) for label in stats.per_label), str(total))
        parts.append(people)
    sources = ", ".join(f"{source} {count}" for source, count in stats.sources.items()) or "none"
    parts.append(
        Text(
            f"Suggestions: {stats.accepted} accepted, {stats.rejected} rejected. "
            f"Spans by source: {sources}."
        )
    )
    if stats.stale:
        parts.append(Text(f"{stats.stale} stale span(s): their text changed", style="yellow"))
    if stats.other_spans:
        parts.append(Text(f"{stats.other_spans} span(s) in articles not in this corpus"))
    for pair in stats.agreement:
        parts.append(render_agreement(pair.agreement, colours))
    return Group(*parts)

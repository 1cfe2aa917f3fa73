"""The stats screen: what is annotated, by whom, and how far annotators agree.

It draws `annotations.stats.corpus_stats` (the numbers `spantag stats` prints): articles new,
in progress and done, a bar per label (all spans, then each annotator's), spans by source and
suggestions, and the agreement of every pair of annotators who both have spans in an article.
Review mode also passes its two stores as `sides`, to show B's agreement with A.

The numbers are counted in a thread worker (kappa tokenizes every shared article), so a large
corpus never freezes the app; the store is only read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.bar import Bar
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotations.agree import Agreement, Side, agreement
from annotations.articles import Corpus
from annotations.config import Config
from annotations.stats import Stats, corpus_stats
from tui.commands.agree import render_agreement

#: Article states as drawn in the progress bar.
STATE_STYLES = (("done", "green"), ("in progress", "yellow"), ("new", "grey50"))
PROGRESS_WIDTH = 60
BAR_WIDTH = 40
ANNOTATOR_BAR_WIDTH = 24


class StatsScreen(ModalScreen[None]):
    """Corpus statistics in a scrollable dialog; escape or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="stats.close"),
        Binding("down,j", "scroll(1)", "Scroll down", show=False, id="stats.down"),
        Binding("up,k", "scroll(-1)", "Scroll up", show=False, id="stats.up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="stats.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="stats.page_up"),
    ]

    DEFAULT_CSS = """
    StatsScreen {
        align: center middle;
    }
    #stats-dialog {
        width: 94%;
        max-width: 130;
        height: 94%;
        border: thick $accent;
        background: $surface;
    }
    #stats-title {
        height: 1;
        padding: 0 1;
        background: $accent;
        color: $text;
        text-style: bold;
    }
    #stats-body {
        height: 1fr;
        padding: 0 1;
    }
    #stats-hint {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(
        self,
        corpus: Corpus,
        store: Any,
        config: Config,
        *,
        sides: tuple[Side, Side] | None = None,
        title: str = "Statistics",
    ) -> None:
        super().__init__()
        self.corpus = corpus
        self.store = store
        self.config = config
        self.sides = sides
        self.heading = title
        self.stats: Stats | None = None
        self.extra: tuple[Agreement, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="stats-dialog"):
            yield Static(self.heading, id="stats-title")
            with VerticalScroll(id="stats-body"):
                yield Static(Text("Counting…", style="dim"), id="stats-content")
            yield Static("escape / q close · ↑ ↓ page up / down scroll", id="stats-hint")

    def on_mount(self) -> None:
        self.count()

    @work(thread=True, exclusive=True, group="stats")
    def count(self) -> None:
        stats = corpus_stats(self.corpus, self.store, self.config.label_names)
        extra: list[Agreement] = []
        if self.sides is not None:
            texts = {article.id: article.text for article in self.corpus}
            found = agreement(*self.sides, texts, self.config.label_names)
            if found.articles:
                extra.append(found)
        self.app.call_from_thread(self.show_stats, stats, tuple(extra))

    def show_stats(self, stats: Stats, extra: Sequence[Agreement] = ()) -> None:
        self.stats = stats
        self.extra = tuple(extra)
        self.query_one("#stats-content", Static).update(
            render_screen(stats, self.config.colours, self.extra)
        )

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, rows: int) -> None:
        body = self.query_one("#stats-body", VerticalScroll)
        body.scroll_relative(y=rows, animate=False)

    def action_page(self, direction: int) -> None:
        body = self.query_one("#stats-body", VerticalScroll)
        body.scroll_relative(y=direction * max(1, body.size.height - 1), animate=False)


def render_screen(stats: Stats, colours: dict[str, str], extra: Sequence[Agreement] = ()) -> Group:
    """Everything the stats screen shows, as one Rich renderable."""
    parts: list[RenderableType] = [article_progress(stats), Text()]
    parts.append(
        label_bars(stats.per_label, colours, f"Spans per label ({stats.spans})", BAR_WIDTH)
    )
    if len(stats.per_annotator) > 1:
        parts.append(Text())
        parts.append(annotator_bars(stats, colours))
    elif stats.per_annotator:
        ((name, count),) = stats.per_annotator.items()
        parts.append(Text(f"All {count} span(s) by {name}.", style="dim"))
    sources = ", ".join(f"{source} {count}" for source, count in stats.sources.items()) or "none"
    parts.append(Text())
    parts.append(
        Text.assemble(
            ("Suggestions: ", "bold"),
            f"{stats.accepted} accepted, {stats.rejected} rejected.  ",
            ("Spans by source: ", "bold"),
            f"{sources}.",
        )
    )
    if stats.stale:
        parts.append(Text(f"{stats.stale} stale span(s): their text changed", style="yellow"))
    if stats.other_spans:
        parts.append(Text(f"{stats.other_spans} span(s) in articles not in this corpus"))
    parts.append(Text())
    agreements = [pair.agreement for pair in stats.agreement] + list(extra)
    if agreements:
        parts.append(Text("Agreement", style="bold underline"))
        for found in agreements:
            parts.append(render_agreement(found, colours))
    else:
        parts.append(
            Text(
                "Agreement: no two annotators have spans in the same article.",
                style="dim",
            )
        )
    return Group(*parts)


def article_progress(stats: Stats) -> Group:
    """`Articles 5: 1 done, 2 in progress, 2 new` and a bar split by those states."""
    counts = {"done": stats.done, "in progress": stats.in_progress, "new": stats.new}
    line = Text.assemble(("Articles ", "bold"), (str(stats.articles), "bold"), ": ")
    for index, (state, style) in enumerate(STATE_STYLES):
        if index:
            line.append(", ")
        line.append(f"{counts[state]} {state}", style=style)
    bar = Text()
    total = stats.articles or 1
    used = 0
    for index, (state, style) in enumerate(STATE_STYLES):
        if index == len(STATE_STYLES) - 1:
            cells = PROGRESS_WIDTH - used
        else:
            cells = round(PROGRESS_WIDTH * counts[state] / total)
        used += cells
        bar.append("█" * cells, style=style)
    if stats.articles:
        bar.append(f" {stats.done * 100 // stats.articles}% done")
    return Group(line, bar)


def annotator_bars(stats: Stats, colours: dict[str, str]) -> Table:
    """One bar chart per annotator, two to a row (three would not fit 120 columns)."""
    grid = Table.grid(padding=(0, 4, 1, 0))
    names = list(stats.per_annotator)
    columns = min(2, len(names))
    for _ in range(columns):
        grid.add_column()
    for start in range(0, len(names), columns):
        row = [
            label_bars(
                stats.per_annotator_label[name],
                colours,
                f"{name} ({stats.per_annotator[name]})",
                ANNOTATOR_BAR_WIDTH,
            )
            for name in names[start : start + columns]
        ]
        row += [Text()] * (columns - len(row))
        grid.add_row(*row)
    return grid


def label_bars(counts: dict[str, int], colours: dict[str, str], title: str, width: int) -> Table:
    """A bar per label, scaled to the largest count (`spantag stats` draws the same)."""
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 1))
    table.add_column("label", no_wrap=True, min_width=max(map(len, counts), default=1))
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("bar", width=width)
    largest = max(counts.values(), default=0) or 1
    for label, count in counts.items():
        colour = colours.get(label, "default")
        table.add_row(
            Text(label, style=colour), str(count), Bar(largest, 0, count, width=width, color=colour)
        )
    return table

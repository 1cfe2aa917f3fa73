"""The review screen: one article in two panes, A's spans left and B's right, and a panel
for the disagreement being decided.

How it is drawn:
- each pane shows its side's spans in their label colours; agreed spans look the same on
  both sides and carry no other mark;
- every span of a disagreement still undecided, from either side, is underlined in its
  label's colour in both panes (the Reader's suggestion layer), so a span only B made shows
  in A's pane too, as a coloured underline over plain text;
- the current disagreement is the readers' selection, drawn reversed in both panes: a span
  in it shows as label-coloured text on the dark ground, text no span covers as a light
  block, so the two panes show at a glance where A and B differ; the panel under the panes
  lists A's spans against B's and what the merged store holds there.

The readers take no focus: the screen owns every key, and the arrows and page keys scroll
both panes together (the panes have one width, so their rows match). A click on a
disagreement makes it the current one.

Each decision is written by `Review.decide` before the next key is handled; then the screen
moves on to the next undecided disagreement.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.color import Color, ColorParseError
from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from annotations.articles import Article
from annotations.config import Config, Label
from annotations.merge import Choice
from annotations.spans import Span
from annotations.store import StoreError
from tui.review_app import Review, describe_choice
from tui.widgets.legend import Legend
from tui.widgets.reader import Reader, readable_on

#: Spans listed per side in the panel before "+N more".
PANEL_SPANS = 3


class ReviewReader(Reader, can_focus=False, inherit_bindings=False):
    """A Reader that shows; the review screen has the keys.

    The selection marks the current disagreement (`HIGHLIGHT`), there is no cursor to
    show, and scrolling one reader scrolls its `partner` (the other pane) to the same row.
    """

    BINDINGS: ClassVar[list[BindingType]] = []

    #: The selection: reversed and bold, so the label colours of the spans in it stay visible
    #: (the Reader's own selection background would hide them).
    HIGHLIGHT = Style(bold=True, reverse=True)

    @dataclass
    class Clicked(Message):
        """A click in the text at `offset`."""

        reader: ReviewReader
        offset: int

        @property
        def control(self) -> ReviewReader:
            return self.reader

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partner: ReviewReader | None = None

    def get_component_rich_style(
        self, *names: str, partial: bool = False, default: Style | None = None
    ) -> Style:
        if names == ("reader--selection",):
            return self.HIGHLIGHT
        if names in (("reader--cursor",), ("reader--cursor-blurred",)):
            return Style()
        return super().get_component_rich_style(*names, partial=partial, default=default)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        partner = self.partner
        if partner is not None and round(partner.scroll_y) != round(new_value):
            partner.scroll_to(y=new_value, animate=False, force=True)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        event.prevent_default()  # no cursor, no selection: the screen decides what a click does
        position = event.get_content_offset(self)
        if event.button != 1 or position is None or self.article is None:
            return
        offset = self.layout.offset_at(round(self.scroll_y) + position.y, max(0, position.x))
        self.post_message(self.Clicked(self, offset))


class ReviewPane(Vertical):
    """One side of the review: a title, the article with that side's spans, a legend."""

    def __init__(self, side: str, labels: Sequence[Label]) -> None:
        super().__init__(id=f"review-pane-{side.lower()}", classes="review-pane")
        self.side = side
        self.labels = tuple(labels)

    def compose(self) -> ComposeResult:
        yield Static("", classes="review-pane-title")
        yield ReviewReader(
            {label.name: label.colour for label in self.labels},
            snap_to_words=False,
            id=f"review-reader-{self.side.lower()}",
        )
        yield Legend(self.labels, id=f"review-legend-{self.side.lower()}")

    @property
    def reader(self) -> ReviewReader:
        return self.query_one(ReviewReader)

    def show(
        self, article: Article, spans: Sequence[Span], marked: Sequence[Span], title: Text
    ) -> None:
        self.reader.show(article, spans, marked)
        self.reader.scroll_to(y=0, animate=False, force=True)
        self.query_one(".review-pane-title", Static).update(title)
        counts: dict[str, int] = {}
        for span in spans:
            counts[span.label] = counts.get(span.label, 0) + 1
        self.query_one(Legend).show_counts(counts)


class ReviewScreen(Screen):
    """Decide each disagreement between A and B; agreed spans are merged already."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "take('a')", "Take A", id="review.take_a",
                tooltip="Take A's spans of this disagreement into the merged store"),
        Binding("b", "take('b')", "Take B", id="review.take_b",
                tooltip="Take B's spans of this disagreement into the merged store"),
        Binding("o,plus", "take('both')", "Both", id="review.take_both",
                tooltip="Take A's and B's spans of this disagreement"),
        Binding("x,0", "take('neither')", "Neither", id="review.take_neither",
                tooltip="Take no span of this disagreement"),
        Binding("n", "step(1)", "Next", id="review.next", tooltip="Next disagreement"),
        Binding("N", "step(-1)", "Previous", id="review.previous",
                tooltip="Previous disagreement"),
        Binding("right_square_bracket", "article(1)", "Next article", id="review.next_article",
                tooltip="Next article (its first undecided disagreement)"),
        Binding("left_square_bracket", "article(-1)", "Prev article", id="review.prev_article",
                tooltip="Previous article (its first undecided disagreement)"),
        Binding("S", "stats", "Stats", id="review.stats",
                tooltip="Statistics of the merged store, and A's agreement with B"),
        Binding("q", "app.quit", "Quit", id="review.quit",
                tooltip="Quit (every decision is saved already)"),
        Binding("down,j", "scroll(1)", "Scroll down", id="review.down", show=False),
        Binding("up,k", "scroll(-1)", "Scroll up", id="review.up", show=False),
        Binding("pagedown,space", "page(1)", "Page down", id="review.page_down", show=False),
        Binding("pageup", "page(-1)", "Page up", id="review.page_up", show=False),
        Binding("home,g", "top", "Top of the article", id="review.top", show=False),
        Binding("end,G", "bottom", "End of the article", id="review.bottom", show=False),
        Binding("c", "centre", "Show the disagreement", id="review.centre", show=False,
                tooltip="Scroll the current disagreement back into view"),
    ]  # fmt: skip

    def __init__(self, config: Config, review: Review) -> None:
        super().__init__()
        self.config = config
        self.review = review
        self.labels = config.labels
        self.colours = {label.name: label.colour for label in config.labels}
        self.article_index = 0
        self.current: int | None = None
        """Index of the disagreement shown (in `Review.items`), None when there is none."""
        self.saved = Text("")

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="review-progress")
        yield Static("", id="review-article")
        with Horizontal(id="review-panes"):
            yield ReviewPane("A", self.labels)
            yield ReviewPane("B", self.labels)
        yield Static("", id="review-panel")
        yield Footer()

    def on_mount(self) -> None:
        self.pane_a.reader.partner = self.pane_b.reader
        self.pane_b.reader.partner = self.pane_a.reader
        review = self.review
        if review.items:
            start = review.next_undecided(None)
            self.go_to(0 if start is None else start)
            if start is None:
                self.saved = Text(f"all {len(review.items)} decided", style="green")
                self.update_panel()
        else:
            self.show_article(0)

    @property
    def pane_a(self) -> ReviewPane:
        return self.query_one("#review-pane-a", ReviewPane)

    @property
    def pane_b(self) -> ReviewPane:
        return self.query_one("#review-pane-b", ReviewPane)

    @property
    def progress_text(self) -> str:
        """The progress line as plain text (what the tests read)."""
        return self.progress().plain

    @property
    def panel_head(self) -> str:
        """The panel's first line as plain text: which disagreement, and its decision."""
        panel = self.panel()
        return (panel if isinstance(panel, Text) else panel.renderables[0]).plain

    # --- showing -------------------------------------------------------------------------

    def show_article(self, index: int) -> None:
        """Both panes show article `index`; nothing is selected until `highlight`."""
        self.article_index = index
        self.current = None
        item = self.review.articles[index]
        marked = self.marked()
        for pane, spans, side, name in (
            (self.pane_a, item.spans_a, "A", self.review.name_a),
            (self.pane_b, item.spans_b, "B", self.review.name_b),
        ):
            pane.show(item.article, spans, marked, self.pane_title(side, name, spans))
        self.update_panel()
        self.update_progress()

    def pane_title(self, side: str, name: str, spans: Sequence[Span]) -> Text:
        disputed = {
            span.key
            for d in self.review.articles[self.article_index].disagreements
            for span in (*d.a, *d.b)
        }
        own = sum(1 for span in spans if span.key in disputed)
        people = ", ".join(sorted({span.annotator for span in spans})) or "no spans"
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f" {side} ", style="bold reverse")
        title.append(f" {name}", style="bold")
        title.append(f"  {people}  {len(spans)} spans, {own} disputed", style="dim")
        return title

    def go_to(self, index: int) -> None:
        """Show disagreement `index`, opening its article if another one is shown."""
        article_index = self.review.item_article[index]
        if article_index != self.article_index or not self._shown:
            self.show_article(article_index)
        self.current = index
        self.highlight()

    @property
    def _shown(self) -> bool:
        return self.pane_a.reader.article is not None

    def marked(self) -> list[Span]:
        """The spans underlined in both panes: those of the undecided disagreements but the
        current one (drawn as the selection)."""
        review = self.review
        item = review.articles[self.article_index]
        return [
            span
            for index in range(item.first, item.first + len(item.disagreements))
            if index != self.current and review.choice(index) is None
            for span in (*review.items[index].a, *review.items[index].b)
        ]

    def highlight(self) -> None:
        if self.current is None:
            return
        disagreement = self.review.items[self.current]
        marked = self.marked()
        for pane in (self.pane_a, self.pane_b):
            pane.reader.set_suggestions(marked)
            pane.reader.select(disagreement.start, disagreement.end)
        self.update_panel()
        self.update_progress()
        self.call_after_refresh(self.reveal)

    def reveal(self, centre: bool = False) -> None:
        """Scroll the current disagreement into view with some context around it, unless
        it is well in view already (`centre`: always, a third of the way down)."""
        if self.current is None:
            return
        disagreement = self.review.items[self.current]
        reader = self.pane_a.reader
        height = reader.scrollable_content_region.height
        if height <= 0:
            return
        layout = reader.layout
        first = layout.row_of(disagreement.start)
        last = layout.row_of(max(disagreement.start, disagreement.end - 1))
        top = round(reader.scroll_y)
        margin = min(3, height // 4)
        if centre or first < top + margin or last >= top + height - margin:
            reader.scroll_to(y=max(0, first - height // 3), animate=False, force=True)

    def progress(self) -> Text:
        """The progress line: disagreements and articles left, decided so far."""
        review = self.review
        total = len(review.items)
        left = review.left
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" REVIEW ", style="bold reverse")
        text.append(f" {left} of {total} disagreements left", style="bold")
        text.append(f" ({review.left_in(self.article_index)} in this article)")
        text.append(f"  ·  {review.articles_left} of {len(review.articles)} articles left  ")
        text.append_text(_bar(total - left, total, 12))
        return text

    def article_line(self) -> Text:
        review = self.review
        article = review.articles[self.article_index].article
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" Article {self.article_index + 1}/{len(review.articles)} ", style="bold")
        text.append(f" {article.id}  ", style="dim")
        text.append(article.title, style="italic")
        return text

    def update_progress(self) -> None:
        self.query_one("#review-progress", Static).update(self.progress())
        self.query_one("#review-article", Static).update(self.article_line())

    def panel(self) -> Text | Group:
        review = self.review
        item = review.articles[self.article_index]
        if self.current is None:
            if item.disagreements:
                return Text(
                    f" {len(item.disagreements)} disagreement(s) in this article: n shows the "
                    "next one"
                )
            return Text(
                f" A and B agree on every span of this article "
                f"({len(item.comparison.agreed)} merged). ] next article, [ previous."
            )
        index = self.current
        disagreement = review.items[index]
        choice = review.choice(index)
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(f" Disagreement {index + 1}/{len(review.items)}", style="bold")
        head.append(f"  {disagreement.kind}", style="italic")
        head.append(f"  [{disagreement.start}, {disagreement.end})", style="dim")
        head.append("  ")
        if choice is None:
            head.append(" undecided ", style="bold black on yellow")
        else:
            who = review.decided_by(index)
            head.append(f" {describe_choice(choice)} ", style="bold black on green")
            if who:
                head.append(f" by {who}", style="dim")
        if self.saved:
            head.append("   ")
            head.append_text(self.saved)
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(ratio=1)
        grid.add_column(ratio=1)
        grid.add_row(
            self.side_cell("A", review.name_a, disagreement.a, choice in ("a", "both")),
            self.side_cell("B", review.name_b, disagreement.b, choice in ("b", "both")),
        )
        merged = review.merged_spans(disagreement.article_id, disagreement.start, disagreement.end)
        merged_line = Text(no_wrap=True, overflow="ellipsis")
        merged_line.append(" merged ", style="bold")
        merged_line.append(f"{review.merged.path.name}: ", style="bold")
        if merged:
            self.append_spans(merged_line, merged, provenance=True)
        else:
            merged_line.append("nothing here", style="dim")
        return Group(head, grid, merged_line)

    def side_cell(self, side: str, name: str, spans: Iterable[Span], taken: bool) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {side} ", style="bold black on green" if taken else "bold reverse")
        text.append(f" {name}: ", style="bold")
        spans = list(spans)
        if not spans:
            text.append("no span", style="dim italic")
        else:
            self.append_spans(text, spans)
        return text

    def append_spans(self, text: Text, spans: Sequence[Span], provenance: bool = False) -> None:
        for number, span in enumerate(spans[:PANEL_SPANS]):
            if number:
                text.append("; ")
            text.append(f" {span.label} ", style=_label_style(self.colours.get(span.label)))
            text.append(f" {_quote(span.text)}")
            if provenance:
                text.append(f" {span.annotator}", style="italic")
                if span.reviewer:
                    text.append(f" ✓{span.reviewer}", style="dim")
        if len(spans) > PANEL_SPANS:
            text.append(f"; +{len(spans) - PANEL_SPANS} more", style="dim")

    def update_panel(self) -> None:
        self.query_one("#review-panel", Static).update(self.panel())

    # --- actions -------------------------------------------------------------------------

    def action_take(self, choice: Choice) -> None:
        review = self.review
        if self.current is None:
            self.notify("No disagreement is selected: n goes to the next one.")
            return
        index = self.current
        try:
            review.decide(index, choice)
        except StoreError as error:
            self.saved = Text(f"NOT SAVED: {error}", style="bold red")
            self.update_panel()
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return
        self.saved = Text(
            f"saved {time.strftime('%H:%M:%S')}: #{index + 1} {describe_choice(choice)}",
            style="green",
        )
        following = review.next_undecided(index)
        if following is None:
            self.saved.append(f" · all {len(review.items)} decided")
            self.notify(
                f"All {len(review.items)} disagreements are decided; {review.merged.path.name} "
                "is complete. q quits.",
                title="Review complete",
                markup=False,
            )
            self.highlight()
            return
        self.go_to(following)

    def action_step(self, step: int) -> None:
        review = self.review
        if not review.items:
            self.notify("A and B agree everywhere: there is no disagreement to review.")
            return
        if self.current is not None:
            target = self.current + step
        else:
            # No disagreement shown (an article without any): the nearest in that direction.
            after = [i for i, a in enumerate(review.item_article) if a > self.article_index]
            before = [i for i, a in enumerate(review.item_article) if a < self.article_index]
            target = (
                (after[0] if after else len(review.items))
                if step > 0
                else (before[-1] if before else -1)
            )
        if not 0 <= target < len(review.items):
            self.app.bell()
            self.notify("No more disagreements that way.", timeout=2)
            return
        self.go_to(target)

    def action_article(self, step: int) -> None:
        review = self.review
        target = self.article_index + step
        if not 0 <= target < len(review.articles):
            self.app.bell()
            self.notify("No more articles that way.", timeout=2)
            return
        self.show_article(target)
        item = review.articles[target]
        indexes = range(item.first, item.first + len(item.disagreements))
        undecided = [i for i in indexes if review.choice(i) is None]
        if undecided or indexes:
            self.current = (undecided or list(indexes))[0]
            self.highlight()

    def action_scroll(self, rows: int) -> None:
        reader = self.pane_a.reader
        reader.scroll_to(y=reader.scroll_y + rows, animate=False, force=True)

    def action_page(self, direction: int) -> None:
        reader = self.pane_a.reader
        height = max(1, reader.scrollable_content_region.height - 1)
        reader.scroll_to(y=reader.scroll_y + direction * height, animate=False, force=True)

    def action_top(self) -> None:
        self.pane_a.reader.scroll_to(y=0, animate=False, force=True)

    def action_bottom(self) -> None:
        reader = self.pane_a.reader
        reader.scroll_to(y=reader.max_scroll_y, animate=False, force=True)

    def action_centre(self) -> None:
        """Scroll the current disagreement back into view."""
        self.reveal(centre=True)

    @on(ReviewReader.Clicked)
    def _clicked(self, event: ReviewReader.Clicked) -> None:
        """A click on a disagreement makes it the current one."""
        item = self.review.articles[self.article_index]
        for number, disagreement in enumerate(item.disagreements):
            if disagreement.start <= event.offset < disagreement.end:
                self.current = item.first + number
                self.highlight()
                return

    def action_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        review = self.review
        self.app.push_screen(
            StatsScreen(
                review.corpus,
                review.merged,
                self.config,
                sides=review.sides(),
                title=f"Statistics of {review.merged.path.name} (the reviewed articles)",
            )
        )

    def commands(self) -> list[tuple[str, str, str, str]]:
        """(title, keys, action, help) of every review key, for the command palette."""
        rows: list[tuple[str, str, str, str]] = []
        for binding in Binding.make_bindings(self.BINDINGS):
            if any(row[2] == binding.action for row in rows):
                continue
            keys = ", ".join(
                self.app.get_key_display(Binding(key, binding.action))
                for key in (
                    b.key
                    for b in Binding.make_bindings(self.BINDINGS)
                    if b.action == binding.action
                )
            )
            rows.append(
                (f"Review: {binding.description}", keys, binding.action, binding.tooltip or "")
            )
        return rows


def _bar(done: int, total: int, width: int) -> Text:
    filled = round(width * done / total) if total else width
    text = Text()
    text.append("█" * filled, style="green")
    text.append("░" * (width - filled), style="dim")
    text.append(f" {done}/{total} decided")
    return text


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _label_style(colour: str | None) -> Style:
    """A label's chip: its colour behind black or white text, whichever reads better."""
    try:
        background = Color.parse(colour or "")
    except ColorParseError:
        return Style(bold=True, reverse=True)
    return Style(bold=True, color=readable_on(background), bgcolor=background)

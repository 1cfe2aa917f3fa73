"""The span panel: the current article's spans in text order, then its suggestions with their
source; enter jumps, delete removes a span or rejects a suggestion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from annotations.spans import Span
from annotations.suggest import Suggestion

#: Characters of span text shown; the rest is in the reader.
TEXT_WIDTH = 22

Item = Span | Suggestion


class SpanTable(DataTable):
    BINDINGS = [
        Binding("enter", "jump", "Jump to span", id="spans.jump",
                tooltip="Put the reader's cursor on the span or suggestion"),
        Binding("delete,backspace,x", "remove", "Remove span", id="spans.remove",
                tooltip="Remove the span (reject the suggestion)"),
    ]  # fmt: skip

    def action_jump(self) -> None:
        panel = self.panel
        item = panel.current
        if item is not None:
            panel.post_message(SpanPanel.Jump(panel, item))

    def action_remove(self) -> None:
        panel = self.panel
        item = panel.current
        if isinstance(item, Suggestion):
            panel.post_message(SpanPanel.Reject(panel, item))
        elif item is not None:
            panel.post_message(SpanPanel.Remove(panel, item))

    @property
    def panel(self) -> SpanPanel:
        return self.query_ancestor(SpanPanel)


class SpanPanel(Vertical):
    """A table of spans (label, text, offsets), then of suggestions (label, text, source)."""

    @dataclass
    class Jump(Message):
        panel: SpanPanel
        span: Item

    @dataclass
    class Remove(Message):
        panel: SpanPanel
        span: Span

    @dataclass
    class Reject(Message):
        panel: SpanPanel
        suggestion: Suggestion

    def __init__(self, colours: dict[str, str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.colours = colours
        self.spans: list[Span] = []
        self.suggestions: list[Suggestion] = []
        self.items: list[Item | None] = []
        """One per table row: the spans, None for the suggestions' heading, the suggestions."""
        self.article_id = ""

    def compose(self) -> ComposeResult:
        yield Static("Spans", id="spans-title")
        table = SpanTable(id="spans-table", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        table = self.query_one(SpanTable)
        table.add_column("label", key="label")
        table.add_column("text", key="text")
        table.add_column("offsets", key="offsets")

    @property
    def table(self) -> SpanTable:
        return self.query_one(SpanTable)

    @property
    def current(self) -> Item | None:
        """The span or suggestion on the table's cursor row (None on the heading)."""
        row = self.table.cursor_row
        if row is None or not 0 <= row < len(self.items):
            return None
        return self.items[row]

    def show_spans(
        self, article_id: str, spans: Sequence[Span], suggestions: Sequence[Suggestion] = ()
    ) -> None:
        """Fill the table; on the same article the cursor stays on its item (or its place)."""
        table = self.table
        same = article_id == self.article_id
        before = self.current if same else None
        row = table.cursor_row if same else 0
        in_suggestions = same and bool(self.suggestions) and row > len(self.spans)
        place = row - len(self.spans) - 1 if in_suggestions else row
        self.article_id = article_id
        self.spans = sorted(spans, key=lambda s: s.sort_key)
        self.suggestions = list(suggestions)
        self.items = [*self.spans]
        if self.suggestions:
            self.items.append(None)
            self.items.extend(self.suggestions)
        table.clear()
        for index, item in enumerate(self.items):
            table.add_row(*self._cells(item), key=str(index))
        title = self.query_one("#spans-title", Static)
        text = f"Spans {len(self.spans)}"
        if self.suggestions:
            text += f" · suggested {len(self.suggestions)}"
        title.update(f"{text}  {article_id}", layout=False)
        if not self.items:
            return
        if before is not None and before in self.items:
            target = self.items.index(before)
        elif in_suggestions and self.suggestions:
            target = len(self.spans) + 1 + min(place, len(self.suggestions) - 1)
        else:
            target = min(row or 0, len(self.items) - 1)
        table.move_cursor(row=target)

    def _cells(self, item: Item | None) -> tuple[Text, Text, Text]:
        if item is None:
            heading = "bold underline"
            return Text(""), Text("suggested", style=heading), Text("source", style=heading)
        text = " ".join(item.text.split())
        shown = Text(text if len(text) <= TEXT_WIDTH else text[: TEXT_WIDTH - 1] + "…")
        colour = self.colours.get(item.label, "")
        if isinstance(item, Suggestion):
            return (
                Text(item.label, style=f"italic underline {colour}"),
                shown,
                Text(item.source, style="dim italic"),
            )
        return (
            Text(item.label, style=f"bold {colour}"),
            shown,
            Text(f"{item.start}-{item.end}", style="dim"),
        )

    def select_span(self, offset: int) -> None:
        """Put the table's cursor on the span under `offset`, else the suggestion under it,
        else the first span after it, else the first suggestion after it."""
        span = next((i for i, s in enumerate(self.spans) if s.end > offset), None)
        if span is not None and self.spans[span].start <= offset:
            self.table.move_cursor(row=span)
            return
        first = len(self.spans) + 1
        after = None
        for index, item in enumerate(self.suggestions, first):
            if item.start <= offset < item.end:
                self.table.move_cursor(row=index)
                return
            if after is None and item.end > offset:
                after = index
        target = span if span is not None else after
        if target is not None:
            self.table.move_cursor(row=target)

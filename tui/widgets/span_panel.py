"""The span panel: the current article's spans in text order; enter jumps, delete removes."""

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

#: Characters of span text shown; the rest is in the reader.
TEXT_WIDTH = 24


class SpanTable(DataTable):
    BINDINGS = [
        Binding("enter", "jump", "Jump to span", id="spans.jump"),
        Binding("delete,backspace", "remove", "Remove span", id="spans.remove"),
    ]

    def action_jump(self) -> None:
        panel = self.panel
        span = panel.current
        if span is not None:
            panel.post_message(SpanPanel.Jump(panel, span))

    def action_remove(self) -> None:
        panel = self.panel
        span = panel.current
        if span is not None:
            panel.post_message(SpanPanel.Remove(panel, span))

    @property
    def panel(self) -> SpanPanel:
        return self.query_ancestor(SpanPanel)


class SpanPanel(Vertical):
    """A table of spans (label, text, offsets) for one article."""

    @dataclass
    class Jump(Message):
        panel: SpanPanel
        span: Span

    @dataclass
    class Remove(Message):
        panel: SpanPanel
        span: Span

    def __init__(self, colours: dict[str, str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.colours = colours
        self.spans: list[Span] = []
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
    def current(self) -> Span | None:
        table = self.table
        if not self.spans or table.cursor_row is None:
            return None
        if 0 <= table.cursor_row < len(self.spans):
            return self.spans[table.cursor_row]
        return None

    def show_spans(self, article_id: str, spans: Sequence[Span]) -> None:
        keep = self.table.cursor_row if article_id == self.article_id else 0
        self.article_id = article_id
        self.spans = sorted(spans, key=lambda s: s.sort_key)
        table = self.table
        table.clear()
        for index, span in enumerate(self.spans):
            text = " ".join(span.text.split())
            table.add_row(
                Text(span.label, style=f"bold {self.colours.get(span.label, '')}"),
                Text(text if len(text) <= TEXT_WIDTH else text[: TEXT_WIDTH - 1] + "…"),
                Text(f"{span.start}-{span.end}", style="dim"),
                key=str(index),
            )
        title = self.query_one("#spans-title", Static)
        title.update(f"Spans {len(self.spans)}  {article_id}")
        if self.spans:
            table.move_cursor(row=min(keep or 0, len(self.spans) - 1))

    def select_span(self, offset: int) -> None:
        """Put the table's cursor on the first span at or after `offset`."""
        for index, span in enumerate(self.spans):
            if span.end > offset:
                self.table.move_cursor(row=index)
                return

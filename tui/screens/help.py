"""The help screen (`?`): every binding, with the key it has after the config's remaps."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """A scrollable table of (section, key, what it does); escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("down,j", "scroll(1)", "Scroll down", show=False),
        Binding("up,k", "scroll(-1)", "Scroll up", show=False),
    ]

    def __init__(self, rows: Sequence[tuple[str, str, str]], labels: Text | None = None) -> None:
        super().__init__()
        self.rows = list(rows)
        self.labels = labels

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static("spantag keys", id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(self.table(), id="help-table")
            yield Static("escape / q / ? close · ctrl+p: every action by name", id="help-hint")

    def table(self) -> Table:
        """Two columns: the reader's keys on the right, everything else on the left."""
        left = [row for row in self.rows if not row[0].startswith("Reader")]
        right = [row for row in self.rows if row[0].startswith("Reader")]
        grid = Table.grid(expand=True, padding=(0, 2))
        grid.add_column(ratio=1)
        grid.add_column(ratio=1)
        grid.add_row(self.section_table(left), self.section_table(right))
        return grid

    @staticmethod
    def section_table(rows: Sequence[tuple[str, str, str]]) -> Group:
        parts: list[Table | Text] = []
        groups: dict[str, list[tuple[str, str]]] = {}
        for group, key, description in rows:
            groups.setdefault(group, []).append((key, description))
        for index, (group, items) in enumerate(groups.items()):
            parts.append(Text(("\n" if index else "") + group, style="bold underline"))
            table = Table(box=None, expand=True, show_header=False, padding=(0, 1, 0, 0))
            table.add_column("key", style="bold", no_wrap=True)
            table.add_column("action", ratio=1)
            for key, description in items:
                # Text, not markup: a label's name or description ("[PER] names") is the
                # user's own and may hold brackets.
                table.add_row(Text(key), Text(description))
            parts.append(table)
        return Group(*parts)

    def action_scroll(self, step: int) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_relative(y=step, animate=False)

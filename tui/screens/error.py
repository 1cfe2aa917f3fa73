"""A screen for a problem that stops spantag from starting, with the way out."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static


class ErrorScreen(Screen[None]):
    """The message, what to do about it, and q / enter / escape to quit."""

    BINDINGS = [Binding("q,enter,escape", "quit", "Quit", id="error.quit")]

    def __init__(self, title: str, message: str, hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="error-dialog"):
            yield Static(self.title_text, id="error-title")
            yield Static(self.message, id="error-message", markup=False)
            if self.hint:
                yield Static(self.hint, id="error-hint", markup=False)
            yield Static("Press q, enter or escape to quit.", id="error-keys")

    def action_quit(self) -> None:
        self.app.exit(return_code=1)

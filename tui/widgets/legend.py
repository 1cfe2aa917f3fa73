"""The legend under a reader: every label with its key, colour and count in the article, and
how many suggestions wait there."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.color import Color
from rich.text import Text
from textual.reactive import reactive

from annotations.config import Label
from tui.widgets.one_line import OneLine


class Legend(OneLine):
    """` 1  actor 3   2  demand 0 ...  5 suggested`; just keys and counts when narrow."""

    counts: reactive[dict[str, int]] = reactive(dict, always_update=True)
    suggested: reactive[int | None] = reactive(None)
    """Suggestions waiting in the article; None until they are known."""

    def __init__(self, labels: Sequence[Label], *, id: str | None = None) -> None:
        super().__init__(id=id, classes="legend")
        self.labels = tuple(labels)

    def show_counts(self, counts: dict[str, int]) -> None:
        self.counts = dict(counts)

    def line(self) -> Text:
        width = self.content_size.width
        for name_width in (None, 3, 0):
            if not width or self._cells(name_width) <= width:
                return self.render_legend(name_width)
        return self.render_legend(0, suggested=False)  # keys and counts come first

    def _cells(self, name_width: int | None) -> int:
        """How wide `render_legend(name_width)` is, without building it (it is drawn on
        every tag, and the full names often do not fit)."""
        gap = 3 if name_width is None else 2
        cells = gap * (len(self.labels) - 1)
        for label in self.labels:
            cells += cell_len(label.key) + 2 + len(str(self.counts.get(label.name, 0))) + 1
            if name_width != 0:
                cells += 1 + cell_len(label.name[:name_width])
        if self.suggested:
            what = f"{self.suggested} suggested" if name_width is None else f"+{self.suggested}"
            cells += gap + len(what)
        return cells

    def render_legend(self, name_width: int | None = None, suggested: bool = True) -> Text:
        """Names in full (None), cut to `name_width` characters, or left out (0)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, label in enumerate(self.labels):
            if index:
                text.append("   " if name_width is None else "  ")
            count = self.counts.get(label.name, 0)
            text.append(f" {label.key} ", style=f"bold {_ink(label.colour)} on {label.colour}")
            if name_width != 0:
                text.append(f" {label.name[:name_width]}", style=label.colour)
            text.append(f" {count}", style="bold" if count else "dim")
        if suggested and self.suggested:
            text.append("   " if name_width is None else "  ")
            what = f"{self.suggested} suggested" if name_width is None else f"+{self.suggested}"
            text.append(what, style="italic underline")
        return text


def _ink(colour: str) -> str:
    """Black or white, whichever reads better on `colour`."""
    try:
        r, g, b = Color.parse(colour).get_truecolor()
    except Exception:  # noqa: BLE001 - config colours are validated; this is belt and braces
        return "white"
    return "black" if (0.299 * r + 0.587 * g + 0.114 * b) > 140 else "white"

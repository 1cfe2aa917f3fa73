"""One-row widgets drawn through Textual's Line API: the status line, legends and titles.

A `Static` that is updated goes through Textual's content pipeline (Rich `Text` to `Content`,
styles resolved per span, strips built and cached): 0.5-1 ms per update here. A tag updates
several one-row widgets at once (the status line, the legend, the pane's title, the list's
title), which made their repaint cost more than the tag itself. Drawing the `Text`'s segments
straight into one strip costs a fraction of that; CSS (padding, background, colour,
text-style) still applies, as Textual puts it around `render_line`.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


class OneLine(Widget):
    """A one-row widget whose row is the Rich `Text` that `line()` returns.

    Subclasses call `self.refresh()` when what `line()` returns changes (reactives do it).
    """

    DEFAULT_CSS = """
    OneLine {
        height: 1;
    }
    """

    def line(self) -> Text:
        return Text()

    def render(self) -> Text:
        return self.line()

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        width = self.content_size.width
        if y != 0 or width <= 0:
            return Strip.blank(max(width, 0), base)
        text = self.line()
        if text.cell_len > width:
            text = text.copy()
            text.truncate(width, overflow="ellipsis")
        segments = Segment.apply_style(text.render(self.app.console, end=""), base)
        return Strip(list(segments)).adjust_cell_length(width, base)


class TitleBar(OneLine):
    """A title that repaints only when its text changes."""

    def __init__(self, text: str | Text = "", *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self._text = Text(text) if isinstance(text, str) else text

    def update(self, text: str | Text) -> None:
        text = Text(text) if isinstance(text, str) else text
        if text == self._text:  # Text equality compares the styles too
            return
        self._text = text
        self.refresh()

    @property
    def text(self) -> Text:
        return self._text

    def line(self) -> Text:
        return self._text

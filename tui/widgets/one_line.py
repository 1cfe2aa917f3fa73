"""One-row widgets drawn through Textual's Line API: the status line, legends and titles.

A `Static` that is updated goes through Textual's content pipeline (Rich `Text` to `Content`,
styles resolved per span, strips built and cached): 0.5-1 ms per update here. A tag updates
several one-row widgets at once (the status line, the legend, the pane's title, the list's
title), which made their repaint cost more than the tag itself. Drawing the `Text`'s segments
straight into one strip (`text_strip`) costs a fraction of that; CSS (padding, background,
colour, text-style) still applies, as Textual puts it around `render_line`.
"""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

#: Style names already parsed (`"bold #ff0000"` to its `Style`). Rich parses them again for
#: each render, which was most of the cost of drawing a one-row widget.
_PARSED: dict[str, Style] = {}
_PARSED_MAX = 4096


def _parsed(name: str | Style, console: Console) -> Style:
    if isinstance(name, Style):
        return name
    style = _PARSED.get(name)
    if style is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        style = _PARSED[name] = console.get_style(name, default=Style.null())
    return style


def _segments(text: Text, base: Style, console: Console) -> list[Segment]:
    """`text`'s segments with `base` under them, as `Text.render` and `Segment.apply_style`
    make them. Spans that follow one another without overlapping (how `Text.append` builds
    them) are turned into segments directly; anything else goes through Rich."""
    plain = text.plain
    spans = text.spans
    outer = base + _parsed(text.style, console) if text.style else base
    if not spans:
        return [Segment(plain, outer)] if plain else []
    segments: list[Segment] = []
    add = segments.append
    position = 0
    for start, end, style in spans:
        if start < position or end < start:
            return list(Segment.apply_style(text.render(console, end=""), base))
        if start > position:
            add(Segment(plain[position:start], outer))
        if end > start:
            add(Segment(plain[start:end], outer + _parsed(style, console)))
        position = end
    if position < len(plain):
        add(Segment(plain[position:], outer))
    return segments


def text_strip(text: Text, width: int, base: Style, console: Console) -> Strip:
    """One row: `text` on `base`, cut with "…" or padded to exactly `width` cells."""
    if text.cell_len > width:
        text = text.copy()
        text.truncate(width, overflow="ellipsis")
    return Strip(_segments(text, base, console)).adjust_cell_length(width, base)


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
        # The widget's own style, cached by Textual until its CSS changes (`rich_style` walks
        # every ancestor on each call).
        base = self.visual_style.rich_style
        width = self.content_size.width
        if y != 0 or width <= 0:
            return Strip.blank(max(width, 0), base)
        return text_strip(self.line(), width, base, self.app.console)


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

"""A line cache for widgets whose `render_line` already draws the whole row: the reader and
the article list.

Textual puts every line a widget renders through `StylesCache.render_line`, which adds what
the CSS asks around it (borders, padding, outline, hatch, tint, opacity) and builds a new
`Strip` for the result. For a widget whose CSS asks none of these, that leaves the line as
it was, yet costs ~40 µs a line here, about as much as drawing a reader row itself, and a
tag repaints a dozen rows. `PlainLinesCache` hands such a line on as it is and falls back
to Textual's path whenever the CSS adds anything (or the line is not exactly the widget's
width). What Textual does after that is unchanged: its dirty-line tracking and cache, and the
app's line filters (colour conversion, NO_COLOR), which it applies to every line.

The cache lives on the widget's `_styles_cache` (Textual's own attribute); `install` puts it
there. The tests compare both paths' strips line for line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual._styles_cache import StylesCache
from textual.geometry import Region, Size, Spacing
from textual.strip import Strip
from textual.widget import Widget

_NO_SPACE = Spacing(0, 0, 0, 0)


def is_plain(widget: Widget) -> bool:
    """True when the widget's CSS draws nothing around or over its lines."""
    styles = widget.styles
    if styles.gutter != _NO_SPACE or widget.opacity != 1.0 or styles.text_opacity != 1.0:
        return False
    if any(edge for edge, _ in styles.outline) or styles.tint.a:
        return False
    if styles.has_rule("hatch") and styles.hatch != "none":
        return False
    return widget.content_region.size == widget.region.size


class PlainLinesCache(StylesCache):
    """`StylesCache` that keeps a plain widget's lines as `render_line` drew them."""

    def __init__(self) -> None:
        super().__init__()
        self._plain = False

    def render_widget(self, widget: Widget, crop: Region) -> list[Strip]:
        self._plain = is_plain(widget)
        return super().render_widget(widget, crop)

    def render_line(
        self,
        styles: Any,
        y: int,
        size: Size,
        content_size: Size,
        padding: Spacing,
        base_background: Any,
        background: Any,
        render_content_line: Callable[[int], Strip],
        *rest: Any,
    ) -> Strip:
        if self._plain:
            line = render_content_line(y)
            if line.cell_length == size.width:
                return line
            render_content_line = lambda _y: line  # noqa: E731 - drawn already, not again
        return super().render_line(
            styles,
            y,
            size,
            content_size,
            padding,
            base_background,
            background,
            render_content_line,
            *rest,
        )


def install(widget: Widget) -> None:
    """Give `widget` a `PlainLinesCache` (before it first renders)."""
    widget._styles_cache = PlainLinesCache()

"""`text_strip`: the one-row widgets' and list rows' fast path from a Rich `Text` to a strip.

It must draw exactly what Rich's own rendering of the `Text` draws (same text, same style per
cell), only faster, so these compare the two cell by cell.
"""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from tui.widgets.one_line import text_strip

CONSOLE = Console(width=200, color_system="truecolor")
BASE = Style.parse("#e0e0e0 on #1e1e1e")


def cells(segments) -> list[tuple[str, Style]]:
    """(character, style) per character, so two ways of cutting segments compare equal."""
    return [(ch, segment.style) for segment in segments for ch in segment.text]


def rich_cells(text: Text, width: int) -> list[tuple[str, Style]]:
    """What Rich draws for `text` on BASE, cut or padded to `width` cells."""
    lines = CONSOLE.render_lines(text, CONSOLE.options.update_width(width), style=BASE, pad=True)
    return cells(lines[0])


def test_appended_spans_draw_as_rich_draws_them():
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" 1 ", style="bold black on #ff8800")
    text.append(" actor", style="#ff8800")
    text.append(" 3", style="bold")
    text.append("  plain")
    text.append(" 12 suggested", style="italic underline")
    assert cells(text_strip(text, 60, BASE, CONSOLE)) == rich_cells(text, 60)


def test_overlapping_spans_and_a_text_style_draw_as_rich_draws_them():
    text = Text("Putin met Biden in Geneva", style="italic")
    text.stylize("bold red", 0, 15)
    text.stylize("on #003300", 6, 25)  # overlaps the first: Rich's own path is taken
    assert cells(text_strip(text, 40, BASE, CONSOLE)) == rich_cells(text, 40)
    plain_styled = Text("Title only", style="bold")  # a style and no spans at all
    strip = text_strip(plain_styled, 20, BASE, CONSOLE)
    assert cells(strip) == rich_cells(plain_styled, 20)
    assert all(style.bold for ch, style in cells(strip)[:10])


def test_a_long_text_is_cut_with_an_ellipsis_and_a_short_one_padded():
    text = Text("Russian Deputy Foreign Minister", no_wrap=True, overflow="ellipsis")
    text.stylize("bold", 0, 7)
    cut = text_strip(text, 12, BASE, CONSOLE)
    assert cut.cell_length == 12 and cut.text == "Russian Dep…"
    assert cells(cut) == rich_cells(text, 12)
    short = text_strip(Text("abc"), 8, BASE, CONSOLE)
    assert short.text == "abc     " and {s for _, s in cells(short)} == {BASE}


def test_an_empty_text_is_a_blank_row():
    strip = text_strip(Text(), 5, BASE, CONSOLE)
    assert cells(strip) == [(" ", BASE)] * 5
    assert list(strip) == [Segment("     ", BASE)]


def test_the_legend_measures_each_of_its_forms_as_wide_as_it_draws_it():
    """The legend picks the widest form that fits by arithmetic (`Legend._cells`), without
    drawing the forms that do not fit: that sum must be each form's real width."""
    from annotations.config import Label
    from tui.widgets.legend import Legend

    labels = [
        Label("actor", "1", "#4fa3ff"),
        Label("demand", "2", "#ff9f43"),
        Label("会場", "ctrl+3", "#2ecc71"),  # wide characters in a name, a long key
        Label("date", "4", "#e056fd"),
    ]
    legend = Legend(labels)
    for counts in ({}, {"actor": 3}, {"actor": 12_345, "会場": 7, "date": 100}):
        for suggested in (None, 0, 5, 19_903):
            legend.counts = counts
            legend.suggested = suggested
            for name_width in (None, 3, 1, 0):
                drawn = legend.render_legend(name_width)
                assert legend._cells(name_width) == drawn.cell_len, (counts, suggested, name_width)

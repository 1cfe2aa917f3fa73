"""The reader widget: wrapping and offset <-> cell conversion, keys, mouse and drawing.

The layout tests exercise `tui.widgets.wrap` directly (with hypothesis over emoji, CJK,
combining marks, tabs, control characters and CRLF); the Pilot tests host one `Reader` in a
tiny app at a fixed size and assert offsets, selections and what each row draws.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.color import Color
from textual.app import App, ComposeResult
from textual.binding import Binding

from annotations.articles import LineIndex, article_from_text
from annotations.spans import Span
from tui.widgets.reader import Caret, Reader, SpanIndex
from tui.widgets.wrap import WrapLayout, clusters, wrap_clusters

ROOT = Path(__file__).resolve().parent.parent
COLOURS = {"actor": "#4fa3ff", "venue": "#2ecc71", "date": "#e056fd"}

NEWS = (
    "Russian Deputy Foreign Minister Sergei Ryabkov said on Wednesday that Moscow would "
    "insist on guarantees. Putin met Biden in Geneva, and the talks were constructive."
)


def span(text: str, start: int, end: int, label: str = "actor") -> Span:
    return Span("a1", start, end, label, text[start:end], "tester")


class Suggestion:
    def __init__(self, start: int, end: int, label: str, source: str = "pattern") -> None:
        self.start, self.end, self.label, self.source = start, end, label, source


class ReaderApp(App):
    """One Reader filling the screen, showing `text`; records the reader's messages."""

    BINDINGS = [Binding("escape", "escaped", "Escape reached the app")]

    def __init__(self, text: str, spans=(), suggestions=(), snap: bool = True) -> None:
        super().__init__()
        self.animation_level = "none"
        self.article = article_from_text(text, "a1")
        self.initial_spans = spans
        self.initial_suggestions = suggestions
        self.snap = snap
        self.moves: list[tuple[int, int, int]] = []
        self.selections: list[tuple[int, int] | None] = []
        self.escapes = 0

    def compose(self) -> ComposeResult:
        yield Reader(COLOURS, snap_to_words=self.snap, id="reader")

    def on_mount(self) -> None:
        reader = self.query_one(Reader)
        self.watch(reader, "caret", self.caret_moved)
        reader.show(self.article, self.initial_spans, self.initial_suggestions)
        reader.focus()

    def caret_moved(self, before: Caret, after: Caret) -> None:
        """Record what a watcher of the caret sees: moves and selection changes apart."""
        if after[:3] != before[:3] or not self.moves:
            self.moves.append(after[:3])
        if after.selection != before.selection:
            self.selections.append(after.selection)

    def action_escaped(self) -> None:
        self.escapes += 1


@pytest.fixture(autouse=True)
def no_animations(monkeypatch):
    """Belt and braces with conftest: the test app never animates a scroll."""
    monkeypatch.setattr(ReaderApp, "animation_level", "none", raising=False)


async def start(pilot) -> Reader:
    await pilot.pause()
    reader = pilot.app.query_one(Reader)
    reader.token_index  # noqa: B018 - wait for the background tokenizer
    assert pilot.app.animation_level == "none"
    return reader


def rows(reader: Reader, count: int | None = None) -> list[str]:
    count = reader.scrollable_content_region.height if count is None else count
    return [reader.render_line(y).text.rstrip() for y in range(count)]


def cell_style(reader: Reader, y: int, x: int):
    """The Rich style of the cell at column x of screen row y."""
    col = 0
    for segment in reader.render_line(y):
        width = cell_len(segment.text)
        if col <= x < col + width:
            return segment.style
        col += width
    raise AssertionError(f"no cell at {x}")


def colour(name: str) -> Color:
    return Color.parse(name)


# --- the layout: pure tests -------------------------------------------------------------------


def test_wraps_at_word_boundaries_and_keeps_a_cell_for_the_line_end():
    layout = WrapLayout("Putin met Biden in Geneva", 12)
    drawn = [layout.row(r).draw(layout.row(r).start, layout.row(r).end) for r in range(3)]
    assert drawn == ["Putin met ", "Biden in ", "Geneva"]
    assert layout.row_eols == [-1, -1, 25]
    assert layout.cell_of(25) == (2, 6)  # the end of the text: the EOL cell after "Geneva"


def test_long_words_are_broken_and_a_hanging_space_fits_in_the_last_cell():
    assert WrapLayout("abcdefghijklmnop", 6).row_starts == [0, 5, 10, 15]
    layout = WrapLayout("abcde fghij", 6)
    assert layout.row_starts == [0, 6]
    assert layout.row(0).draw(0, 6) == "abcde "  # the space hangs in the sixth cell
    full = WrapLayout("abcde ", 6)  # text + hanging space fill the row: EOL gets its own row
    assert full.row_starts == [0, 6]
    assert full.cell_of(6) == (1, 0)


def test_crlf_the_carriage_return_is_the_line_end_and_is_not_drawn():
    text = "ab\r\ncd"
    layout = WrapLayout(text, 20)
    assert layout.row(0).draw(0, layout.row(0).end) == "ab"
    assert layout.row_eols == [2, 6]
    assert layout.cell_of(2) == layout.cell_of(3) == (0, 2)
    assert layout.stop_at(3) == 2
    assert layout.next_stop(2) == 4
    assert layout.prev_stop(4) == 2
    assert layout.offset_at(0, 10) == 2


def test_tabs_are_one_offset_drawn_to_the_next_tab_stop():
    layout = WrapLayout("a\tb\t\tc", 40)
    row = layout.row(0)
    assert row.draw(0, row.end) == "a       b               c"
    assert [layout.cell_of(i)[1] for i in range(6)] == [0, 1, 8, 9, 16, 24]
    assert layout.next_stop(1) == 2
    assert layout.offset_at(0, 5) == 1  # inside the tab's cells: the tab


def test_wide_characters_take_two_cells_and_either_cell_maps_to_them():
    layout = WrapLayout("中文 ok 👍!", 40)
    assert [layout.cell_of(i)[1] for i in range(8)] == [0, 2, 4, 5, 6, 7, 8, 10]
    assert layout.offset_at(0, 1) == 0
    assert layout.offset_at(0, 3) == 1
    assert layout.offset_at(0, 9) == 6
    narrow = WrapLayout("中文中文中", 5)  # 4 cells of text per row
    assert narrow.row_starts == [0, 2, 4]


def test_combining_marks_and_zwj_sequences_are_one_cluster():
    text = "e\u0301te 👨\u200d👩\u200d👧 x"
    layout = WrapLayout(text, 40)
    assert layout.next_stop(0) == 2  # over the accent
    assert layout.stop_at(1) == 0
    assert layout.cell_of(1) == (0, 0)
    family = text.index("👨")
    assert layout.next_stop(family) == family + 5  # man, ZWJ, woman, ZWJ, girl
    assert layout.cell_of(layout.next_stop(family))[1] == layout.cell_of(family)[1] + 2


def test_control_characters_are_drawn_as_visible_symbols():
    layout = WrapLayout("a\x01b\x7f", 20)
    row = layout.row(0)
    assert row.draw(0, row.end) == "a\u2401b\u2421"
    assert row.width == 4


def test_empty_text_has_one_row_with_the_end_of_text_cell():
    layout = WrapLayout("", 10)
    assert layout.row_count == 1
    assert layout.cell_of(0) == (0, 0)
    assert layout.offset_at(3, 3) == 0
    assert layout.next_stop(0) == layout.prev_stop(0) == 0


ALPHABET = st.sampled_from(
    ["a", "b", "xyz", " ", " ", "  ", "\t", "\n", "\r\n", "\r", "中", "文", "👍", "👨\u200d👩",
     "e\u0301", "\u0301", "\u200b", "\ufe0f", "☺\ufe0f", "\x01", "-", "’", "\u00a0"]
)  # fmt: skip


def all_stops(layout: WrapLayout) -> list[int]:
    stops: list[int] = []
    for r in range(layout.row_count):
        stops.extend(layout.row(r).stops())
    return stops


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join), st.integers(min_value=2, max_value=24))
def test_offsets_and_cells_roundtrip_and_never_go_backwards(text, width):
    layout = WrapLayout(text, width)
    assert layout.row_starts[0] == 0
    assert layout.row_starts == sorted(set(layout.row_starts))
    cells = [layout.cell_of(o) for o in range(len(text) + 1)]
    assert cells == sorted(cells), "cell_of must never decrease"
    stops = all_stops(layout)
    assert stops == sorted(set(stops)) and stops[-1] == len(text)
    for stop in stops:
        assert layout.offset_at(*layout.cell_of(stop)) == stop
    for offset in range(len(text) + 1):
        stop = layout.stop_at(offset)
        assert stop in stops and layout.cell_of(stop) == layout.cell_of(offset)
    # Walking right visits every stop once; walking left comes back.
    walk = [stops[0]]
    while walk[-1] < len(text):
        walk.append(layout.next_stop(walk[-1]))
    assert walk == stops
    back = [stops[-1]]
    while back[-1] > stops[0]:
        back.append(layout.prev_stop(back[-1]))
    assert back == stops[::-1]
    for r in range(layout.row_count):
        row = layout.row(r)
        drawn = row.draw(row.start, row.end)
        assert cell_len(drawn) == row.width, "Rich must measure what we draw as we do"
        assert row.width + (1 if row.eol >= 0 else 0) <= width or row.width == 2 == width
        bounds = [*row.starts, row.end]
        for a, b in zip(bounds, bounds[1:], strict=False):
            assert cell_len(row.draw(a, b)) == row.col_of(b) - row.col_of(a)
        # every cell of the row's text maps to a stop drawn over that cell
        for col in range(row.width):
            stop = layout.offset_at(r, col)
            c = layout.cell_of(stop)[1]
            assert c <= col


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "bc", "defghij", " ", "  "]), max_size=40).map("".join),
    st.integers(min_value=1, max_value=20),
)
def test_the_fast_path_wraps_like_the_general_one(text, width):
    """Plain one-cell text takes a shortcut; it must break rows exactly where clusters would."""
    layout = WrapLayout(text, width)
    cls = clusters(text, 0, len(text))
    rows, eol_row = wrap_clusters(cls, layout.fill, layout.width)
    expected = [cls[i][0] for i in rows] if cls else [0]
    if eol_row:
        expected.append(len(text))
    assert layout.row_starts == expected


def test_importing_the_reader_compiles_no_tokenizer_rules():
    """The tokenizer's rules cost ~0.1 s to compile: on first use, never at import (startup)."""
    code = (
        "import tui.widgets.reader, annotations.tokenizer as tk\n"
        "assert tk._PATTERNS is None, 'compiled at import'\n"
        "assert [t.text for t in tk.tokenize(\"don't stop.\")] == ['do', \"n't\", 'stop', '.']\n"
        "assert tk._PATTERNS is not None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


def test_span_index_finds_overlaps_without_walking_everything():
    text = "x" * 10_000
    spans = [span(text, i, i + 3) for i in range(0, 9_000, 5)] + [span(text, 10, 9_990, "venue")]
    index = SpanIndex(spans)
    found = index.overlapping(101, 102)
    assert sorted((s.start, s.end) for s in found) == [(10, 9_990), (100, 103)]
    assert index.next_start(100) == 105
    assert index.prev_start(100) == 95


def index_state(index: SpanIndex) -> tuple:
    """What an index answers, to compare an updated index with one built from scratch."""
    probes = range(0, 3_000, 7)
    return (
        [(s.start, s.end, s.label) for s in index.items],
        index.starts,
        [sorted((s.start, s.end, s.label) for s in index.overlapping(p, p + 5)) for p in probes],
        [index.next_start(p) for p in probes],
        [index.prev_start(p) for p in probes],
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.integers(0, 2_900),
            st.integers(0, 2_500),
            st.sampled_from(["actor", "venue", "date"]),
            st.booleans(),
        ),
        max_size=60,
    )
)
def test_span_index_updates_in_place_like_a_fresh_build(steps):
    """Small changes are applied one by one; the answers match a rebuilt index's."""
    text = "x" * 6_000
    current = [span(text, i, i + 4) for i in range(0, 3_000, 37)]
    index = SpanIndex(current)
    for add, start, length, label, stale in steps:
        if add or not current:
            new = span(text, start, start + length, label)
            if stale:
                new = Span("a1", start, start + length, label, new.text, "tester", stale=True)
            current = [*current, new]
        else:
            current = [s for k, s in enumerate(current) if k != start % len(current)]
        changed = index.update(list(current))
        assert changed is not None and len(changed) == 1  # applied in place, not rebuilt
        assert index_state(index) == index_state(SpanIndex(current))
    assert index.update(list(current)) == []  # the same spans again: nothing to do


def test_span_index_update_finds_a_change_in_a_list_in_another_order():
    text = "x" * 10_000
    spans = [span(text, i, i + 3) for i in range(0, 3_000, 7)]
    index = SpanIndex(spans)
    new = span(text, 50, 60, "venue")
    assert index.update([*reversed(spans[1:]), new]) == [spans[0], new]
    assert index_state(index) == index_state(SpanIndex([*spans[1:], new]))
    index.remove(replace(new))  # an equal copy
    index.add(spans[0])
    assert index_state(index) == index_state(SpanIndex(spans))


def test_span_index_leaves_many_changes_to_a_new_index():
    text = "x" * 10_000
    spans = [span(text, i, i + 3) for i in range(0, 100, 5)]
    index = SpanIndex(spans)
    fresh = [span(text, i, i + 2, "venue") for i in range(0, 9_000, 5)]
    assert index.update(fresh) is None
    assert index_state(index) == index_state(SpanIndex(spans))  # untouched


# --- the widget: keys ------------------------------------------------------------------------


async def test_show_draws_the_article_wrapped_with_the_cursor_at_the_top():
    app = ReaderApp(NEWS)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        assert reader.article is app.article
        assert reader.cursor == 0 and reader.anchor is None and reader.selection is None
        assert reader.layout.width == reader.scrollable_content_region.width
        lines = rows(reader, 3)
        assert lines[0].startswith("Russian Deputy Foreign Minister")
        assert all(len(line) < reader.layout.width for line in lines)
        assert " ".join(line.strip() for line in lines if line) == NEWS
        assert app.moves[0] == (0, 0, 0)
        assert cell_style(reader, 0, 0).reverse  # the cursor, focused


async def test_left_and_right_move_one_character_and_stop_at_the_ends():
    app = ReaderApp("ab\ncd")
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        await pilot.press("left")
        assert reader.cursor == 0
        await pilot.press("right", "right")
        assert reader.cursor == 2  # the line end
        await pilot.press("right")
        assert reader.cursor == 3 and reader.cursor_cell() == (1, 0)
        await pilot.press("right", "right", "right")
        assert reader.cursor == 5
        await pilot.press("left")
        assert reader.cursor == 4
        assert app.moves[-1] == (4, 1, 1)


async def test_up_and_down_move_by_screen_row_keeping_the_column():
    text = "aaaaaaaaaa\nbb\ncccccccccc"
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        reader.move_to(7)
        await pilot.press("down")
        assert reader.cursor == 13  # "bb" is short: its line end
        await pilot.press("down")
        assert reader.cursor == 14 + 7  # back in column 7
        await pilot.press("up", "up")
        assert reader.cursor == 7
        await pilot.press("up")
        assert reader.cursor == 0
        await pilot.press("G", "down")
        assert reader.cursor == len(text)


async def test_up_and_down_follow_wrapped_rows():
    app = ReaderApp(NEWS)
    async with app.run_test(size=(40, 10)) as pilot:
        reader = await start(pilot)
        layout = reader.layout
        await pilot.press("right", "right", "right", "down")
        assert reader.cursor_cell() == (1, 3)
        assert reader.cursor == layout.row_starts[1] + 3
        await pilot.press("down", "down")
        assert reader.cursor_cell() == (3, 3)


async def test_word_moves_with_w_b_and_ctrl_arrows():
    app = ReaderApp("Putin met Biden, in Geneva.")
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        await pilot.press("w")
        assert reader.cursor == 6
        await pilot.press("ctrl+right", "w")
        assert reader.cursor == 15  # the comma is a word of its own
        await pilot.press("b")
        assert reader.cursor == 10
        await pilot.press("ctrl+left")
        assert reader.cursor == 6
        await pilot.press("right", "b")
        assert reader.cursor == 6  # inside a word: back to its start
        await pilot.press("G", "w")
        assert reader.cursor == len(app.article.text)


async def test_home_and_end_go_to_the_ends_of_the_screen_row():
    app = ReaderApp(NEWS)
    async with app.run_test(size=(40, 10)) as pilot:
        reader = await start(pilot)
        layout = reader.layout
        await pilot.press("down", "end")
        row = layout.row(1)
        assert reader.cursor == row.last_stop() and reader.cursor_cell()[0] == 1
        await pilot.press("home")
        assert reader.cursor == layout.row_starts[1]


async def test_page_down_and_up_move_a_screenful_and_scroll():
    text = "\n".join(f"line {i}" for i in range(100))
    app = ReaderApp(text)
    async with app.run_test(size=(40, 10)) as pilot:
        reader = await start(pilot)
        await pilot.press("right", "pagedown")
        assert reader.cursor_cell() == (10, 1)
        assert reader.scroll_y == 10
        assert rows(reader, 1) == ["line 10"]
        await pilot.press("pagedown", "pageup")
        assert reader.cursor_cell() == (10, 1)
        await pilot.press("pageup")
        assert reader.cursor_cell() == (0, 1) and reader.scroll_y == 0


async def test_top_and_bottom_with_g_and_shift_g():
    text = "\n".join(f"line {i}" for i in range(100))
    app = ReaderApp(text)
    async with app.run_test(size=(40, 10)) as pilot:
        reader = await start(pilot)
        await pilot.press("G")
        assert reader.cursor == len(text)
        assert reader.scroll_y == reader.max_scroll_y > 0
        assert rows(reader)[-1] == "line 99"
        assert cell_style(reader, 9, 7).reverse  # cursor in the end-of-text cell
        await pilot.press("g")
        assert reader.cursor == 0 and reader.scroll_y == 0


async def test_moving_down_past_the_screen_scrolls_to_keep_the_cursor_visible():
    text = "\n".join(f"line {i}" for i in range(50))
    app = ReaderApp(text)
    async with app.run_test(size=(40, 5)) as pilot:
        reader = await start(pilot)
        for _ in range(7):
            await pilot.press("down")
        assert reader.cursor_cell()[0] == 7
        assert reader.scroll_y == 3  # the cursor is on the last visible row
        assert rows(reader)[-1] == "line 7"
        for _ in range(6):
            await pilot.press("up")
        assert reader.scroll_y == 1


async def test_next_and_previous_span():
    text = "Putin met Biden in Geneva."
    spans = [span(text, 10, 15), span(text, 0, 5), span(text, 19, 25, "venue")]
    app = ReaderApp(text, spans)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        await pilot.press("n")
        assert reader.cursor == 10
        await pilot.press("n", "n")
        assert reader.cursor == 19  # no span after the last: stays
        await pilot.press("N", "N")
        assert reader.cursor == 0
        assert [s.label for s in reader.spans_at(20)] == ["venue"]
        assert reader.spans_at(6) == []


async def test_shift_arrows_select_from_the_anchor_snapped_to_words():
    text = "Putin met Biden in Geneva."
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        await pilot.press("w", "shift+right")
        assert reader.anchor == 6 and reader.cursor == 7
        assert reader.selection == (6, 9)  # "met", grown to the whole word
        assert reader.target() == (6, 9)
        for _ in range(4):
            await pilot.press("shift+right")
        assert reader.selection == (6, 15)  # "met Biden"
        for _ in range(8):
            await pilot.press("shift+left")
        assert reader.cursor == 3 and reader.selection == (0, 5)  # back across the anchor
        assert app.selections[-1] == (0, 5)
        await pilot.press("right")  # a plain move drops the selection
        assert reader.anchor is None and reader.selection is None
        assert app.selections[-1] is None


async def test_shift_up_down_and_ctrl_shift_arrows_select():
    text = "alpha beta\ngamma delta"
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        await pilot.press("ctrl+shift+right")
        assert reader.selection == (0, 5)
        await pilot.press("ctrl+shift+right")
        assert reader.selection == (0, 10)
        await pilot.press("ctrl+shift+left")
        assert reader.selection == (0, 5)
        await pilot.press("shift+down")
        assert reader.selection == (0, 16)  # "alpha beta\ngamma" (the cursor is at 's')
        await pilot.press("shift+up", "shift+end")
        assert reader.selection == (0, 10)
        await pilot.press("shift+home")
        assert reader.cursor == 0 and reader.selection is None


async def test_whitespace_only_selection_is_none_and_target_falls_back_to_the_word():
    text = "Putin   met"
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        reader.move_to(5)
        assert reader.target() is None  # on a space
        await pilot.press("shift+right")
        assert reader.selection is None  # only whitespace selected
        await pilot.press("escape", "left", "left")
        assert reader.target() == (0, 5)


async def test_selection_without_word_snapping_is_the_raw_range():
    text = "Putin met Biden"
    app = ReaderApp(text, snap=False)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        await pilot.press("right", "shift+right", "shift+right")
        assert reader.selection == (1, 3)


async def test_v_toggles_select_mode_where_plain_moves_extend():
    text = "Putin met Biden in Geneva."
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        await pilot.press("w", "v")
        assert reader.select_mode and reader.anchor == 6 and reader.selection is None
        assert reader.has_class("-selecting")
        await pilot.press("w", "w")
        assert reader.selection == (6, 15)
        await pilot.press("right")
        assert reader.selection == (6, 18)  # "met Biden in"
        await pilot.press("v")
        assert not reader.select_mode and reader.selection is None and reader.cursor == 17


async def test_escape_clears_the_selection_and_otherwise_reaches_the_app():
    text = "Putin met Biden"
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        await pilot.press("v", "w")
        assert reader.selection == (0, 5)
        await pilot.press("escape")
        assert reader.selection is None and not reader.select_mode and app.escapes == 0
        await pilot.press("escape")
        assert app.escapes == 1


async def test_public_move_select_and_clear():
    text = "Putin met Biden in Geneva."
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        reader.select(10, 12)
        assert reader.selection == (10, 15) and reader.cursor == 12
        reader.move_to(20, select=True)
        assert reader.selection == (10, 25)
        reader.clear_selection()
        assert reader.selection is None and reader.cursor == 20
        reader.cursor = 3
        assert reader.cursor == 3
        await pilot.pause()
        assert app.moves[-1] == (3, 0, 3)


async def test_keys_can_be_remapped_by_binding_id():
    app = ReaderApp("Putin met Biden")
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        app.set_keymap({"reader.word_right": "x", "reader.select_mode": "s"})
        await pilot.press("x")
        assert reader.cursor == 6
        await pilot.press("s", "x")
        assert reader.selection == (6, 9)
    ids = {binding.id for binding in Reader.BINDINGS if isinstance(binding, Binding)}
    for name in (
        "left right up down word_right word_left line_start line_end page_up page_down top "
        "bottom next_span prev_span select_mode clear_selection select_left select_right "
        "select_up select_down select_word_right select_word_left "
        "word_right_alt word_left_alt top_alt bottom_alt"
    ).split():
        assert f"reader.{name}" in ids


def test_every_binding_has_one_key_and_its_own_id():
    """A config remap replaces every key of an id: no id may carry two keys."""
    bindings = [binding for binding in Reader.BINDINGS if isinstance(binding, Binding)]
    assert all("," not in binding.key for binding in bindings)
    ids = [binding.id for binding in bindings]
    assert len(ids) == len(set(ids))


async def test_remapping_a_letter_key_keeps_its_ctrl_arrow_twin():
    text = "Putin met Biden in Geneva"
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        app.set_keymap(
            {
                "reader.word_right": "W",
                "reader.word_left": "B",
                "reader.top": "T",
                "reader.bottom": "E",
            }
        )
        await pilot.press("w")  # no longer a word move
        assert reader.cursor == 0
        await pilot.press("W")
        assert reader.cursor == 6
        await pilot.press("ctrl+right")
        assert reader.cursor == 10
        await pilot.press("B")
        assert reader.cursor == 6
        await pilot.press("ctrl+left")
        assert reader.cursor == 0
        await pilot.press("G")  # no longer the bottom
        assert reader.cursor == 0
        await pilot.press("E")
        assert reader.cursor == len(text)
        await pilot.press("T")
        assert reader.cursor == 0
        await pilot.press("ctrl+end")
        assert reader.cursor == len(text)
        await pilot.press("g")  # no longer the top
        assert reader.cursor == len(text)
        await pilot.press("ctrl+home")
        assert reader.cursor == 0


async def test_set_spans_repaints_only_what_changed():
    """After a tag (one span more, the others the same objects) only its rows are redrawn,
    and they are redrawn: no row keeps a stale strip from its cache."""
    text = " ".join(f"word{i:03d}" for i in range(300))
    spans = [span(text, i * 8, i * 8 + 7) for i in range(0, 300, 10)]
    app = ReaderApp(text, spans)
    async with app.run_test(size=(40, 12)) as pilot:
        reader = await start(pilot)
        reader.move_to(len(text))
        reader.move_to(0)  # the cursor off the rows looked at below
        await pilot.pause()
        before = [rows(reader)[y] for y in range(10)]
        assert cell_style(reader, 4, 0).bgcolor != colour(COLOURS["venue"])
        offset = reader.layout.row_starts[4]
        venue = span(text, offset, offset + 7, "venue")
        cached = set(reader._strips)
        assert 4 in cached and len(cached) > 5
        reader.set_spans([*spans, venue])
        assert set(reader._strips) == cached - {4}  # the other rows' strips are kept
        await pilot.pause()
        assert cell_style(reader, 4, 0).bgcolor == colour(COLOURS["venue"])
        assert [rows(reader)[y] for y in range(10)] == before  # the text is the same
        reader.set_spans(spans)
        await pilot.pause()
        assert cell_style(reader, 4, 0).bgcolor != colour(COLOURS["venue"])
        assert reader.spans == sorted(spans, key=lambda s: s.start)


async def test_change_spans_applies_a_store_change_in_place():
    text = " ".join(f"word{i:03d}" for i in range(300))
    spans = [span(text, i * 8, i * 8 + 7) for i in range(0, 300, 10)]
    app = ReaderApp(text, spans)
    async with app.run_test(size=(40, 12)) as pilot:
        reader = await start(pilot)
        rows(reader)
        offset = reader.layout.row_starts[3]
        venue = span(text, offset, offset + 7, "venue")
        cached = set(reader._strips)
        reader.change_spans(added=[venue])
        assert set(reader._strips) == cached - {3}
        await pilot.pause()
        assert cell_style(reader, 3, 0).bgcolor == colour(COLOURS["venue"])
        assert reader.spans_at(offset) == [venue]
        reader.change_spans(removed=[replace(venue)])  # an equal copy, as a Change holds
        await pilot.pause()
        assert cell_style(reader, 3, 0).bgcolor != colour(COLOURS["venue"])
        assert reader.spans_at(offset) == []
        assert reader._spans.update(spans) == []  # the index holds exactly `spans` again


async def test_suggestions_are_looked_up_by_offset():
    text = "Putin met Biden in Geneva on Wednesday."
    marks = [Suggestion(19, 25, "venue"), Suggestion(29, 38, "date"), Suggestion(0, 5, "actor")]
    app = ReaderApp(text, suggestions=marks)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        assert reader.suggestions_at(20) == [marks[0]]
        assert reader.suggestions_at(26) == []
        assert reader.next_suggestion_start(0) == 19
        assert reader.next_suggestion_start(29) is None
        assert reader.prev_suggestion_start(29) == 19
        assert reader.prev_suggestion_start(0) is None
        assert [s.start for s in reader.suggestions] == [0, 19, 29]


async def test_new_suggestion_objects_repaint_only_rows_that_differ():
    """Suggestions rebuilt as new objects (all "changed" by identity) still keep the strips
    of rows on screen whose marks are the same, and redraw the ones that differ."""
    text = " ".join(f"word{i:03d}" for i in range(300))

    def suggestions(skip: int | None = None) -> list[Suggestion]:
        return [Suggestion(i * 8, i * 8 + 7, "date") for i in range(1, 300, 2) if i != skip]

    app = ReaderApp(text, suggestions=suggestions())
    async with app.run_test(size=(40, 12)) as pilot:
        reader = await start(pilot)
        rows(reader)
        layout = reader.layout
        gone = next(i for i in range(1, 300, 2) if layout.row_of(i * 8) == 5)
        assert cell_style(reader, 5, (gone * 8 - layout.row_starts[5])).underline
        cached = set(reader._strips)
        assert {3, 4, 5, 6} <= cached
        reader.set_suggestions(suggestions(skip=gone))
        assert set(reader._strips) == cached - {5}
        await pilot.pause()
        assert not cell_style(reader, 5, (gone * 8 - layout.row_starts[5])).underline
        assert len(reader.suggestions) == len(suggestions()) - 1


async def test_show_resets_and_set_spans_repaints():
    text = "Putin met Biden in Geneva."
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        await pilot.press("w", "shift+right")
        reader.set_spans([span(text, 0, 5)])
        await pilot.pause()
        assert reader.selection == (6, 9)  # set_spans keeps cursor and selection
        assert cell_style(reader, 0, 1).bgcolor == colour(COLOURS["actor"])
        other = article_from_text("Another article entirely.", "a2")
        reader.show(other)
        await pilot.pause()
        assert reader.article is other and reader.cursor == 0 and reader.selection is None
        assert rows(reader, 1) == ["Another article entirely."]
        assert app.selections[-1] is None
        reader.show(None)
        await pilot.pause()
        assert rows(reader, 1) == [""]
        await pilot.press("right", "w", "down", "G", "v", "n")
        assert reader.cursor == 0 and reader.target() is None


async def test_thousands_of_spans_still_draw_and_move():
    words = " ".join(f"word{i}" for i in range(6_000))
    starts = [i for i in range(len(words)) if i == 0 or words[i - 1] == " "]
    spans = [span(words, s, words.index(" ", s), "actor") for s in starts[:5_000]]
    app = ReaderApp(words, spans)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        await pilot.press("n", "n", "pagedown", "G", "N")
        assert reader.cursor == starts[4_999]
        assert cell_style(reader, reader.cursor_cell()[0] - round(reader.scroll_y), 1).bgcolor


# --- the widget: text that is not plain ASCII ------------------------------------------------


async def test_crlf_text_draws_no_carriage_returns_and_the_cursor_skips_them():
    text = "one two\r\nthree\r\n"
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        assert rows(reader, 3) == ["one two", "three", ""]
        await pilot.press("end")
        assert reader.cursor == 7 and text[7] == "\r"
        await pilot.press("right")
        assert reader.cursor == 9 and reader.cursor_cell() == (1, 0)
        await pilot.press("left")
        assert reader.cursor == 7
        await pilot.press("G")
        assert reader.cursor == len(text) and reader.cursor_cell() == (2, 0)
        await pilot.press("up")
        assert app.moves[-1] == (9, 1, 0)


async def test_tabs_wide_characters_and_combining_marks_keep_the_cursor_on_them():
    text = "a\tb 中文 e\u0301t 👍 z"
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        assert rows(reader, 1) == ["a       b 中文 e\u0301t 👍 z"]
        await pilot.press("right")
        assert reader.cursor == 1 and reader.cursor_cell() == (0, 1)
        assert all(cell_style(reader, 0, x).reverse for x in range(1, 8))  # the whole tab
        assert not cell_style(reader, 0, 8).reverse
        await pilot.press("right", "right", "right")
        assert reader.cursor == 4 and reader.cursor_cell() == (0, 10)  # 中
        assert cell_style(reader, 0, 10).reverse and cell_style(reader, 0, 11).reverse
        await pilot.press("right")
        assert reader.cursor == 5 and reader.cursor_cell() == (0, 12)
        await pilot.press("right", "right", "right")
        assert reader.cursor == 9  # over the combining accent
        await pilot.press("shift+left")
        assert reader.selection == (7, 10)  # "e\u0301t" as one word
        await pilot.press("escape")
        reader.move_to(8)  # inside the cluster: the cluster's start
        assert reader.cursor == 7


async def test_a_label_key_tags_whole_characters_as_the_screen_shows_them():
    """spaCy splits an emoji family joined by ZWJ into several tokens; the reader draws it as
    one character and the cursor steps over it at once, so what a key tags holds all of it."""
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    text = f"Zelensky met the {family} family"
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        at = text.index(family)
        reader.move_to(at)
        assert reader.target() == (at, at + len(family))
        await pilot.press("right")
        assert reader.cursor == at + len(family)  # one step over it
        await pilot.press("left", "v", "right")
        assert reader.selection == (at, at + len(family))


async def test_wide_characters_wrap_and_down_keeps_the_column():
    text = "中" * 50
    app = ReaderApp(text)
    async with app.run_test(size=(40, 10)) as pilot:
        reader = await start(pilot)
        layout = reader.layout
        per_row = layout.fill // 2
        assert rows(reader, 1) == ["中" * per_row]
        await pilot.press("right", "right", "right", "down")
        assert reader.cursor == per_row + 3
        assert reader.cursor_cell() == (1, 6)


# --- the widget: drawing ---------------------------------------------------------------------


async def test_spans_overlaps_suggestions_cursor_and_selection_are_drawn():
    text = "Deputy Foreign Minister Sergei Ryabkov said so."
    spans = [span(text, 24, 38), span(text, 31, 38, "venue")]
    suggestions = [Suggestion(44, 46, "date")]
    app = ReaderApp(text, spans, suggestions)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        actor, venue, date = (colour(COLOURS[n]) for n in ("actor", "venue", "date"))
        plain = cell_style(reader, 0, 10)
        assert plain.bgcolor not in (actor, venue) and not plain.underline
        outer = cell_style(reader, 0, 25)  # "Sergei": the actor span alone
        assert outer.bgcolor == actor and not outer.underline
        inner = cell_style(reader, 0, 33)  # "Ryabkov": both; the shorter one's colour wins
        assert inner.bgcolor == venue and inner.underline and inner.bold
        suggested = cell_style(reader, 0, 45)  # "so": suggested, not a span
        assert suggested.underline and suggested.color == date
        assert suggested.bgcolor == plain.bgcolor
        assert cell_style(reader, 0, 0).reverse  # the cursor
        reader.select(7, 8)
        await pilot.pause()
        selected = cell_style(reader, 0, 10)
        assert selected.bgcolor not in (plain.bgcolor, None)
        assert cell_style(reader, 0, 15) == plain  # the space after "Foreign"
        assert not cell_style(reader, 0, 0).reverse  # the cursor moved to 8


async def test_the_cursor_is_dimmer_when_the_reader_is_not_focused():
    app = ReaderApp("Putin met Biden")
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        focused = cell_style(reader, 0, 0)
        assert focused.reverse
        reader.blur()
        await pilot.pause()
        blurred = cell_style(reader, 0, 0)
        assert not blurred.reverse and blurred.bgcolor != cell_style(reader, 0, 5).bgcolor


async def test_resizing_rewraps_and_keeps_the_cursor_on_its_offset():
    app = ReaderApp(NEWS)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        reader.move_to(100)
        await pilot.resize_terminal(30, 10)
        await pilot.pause()
        assert reader.layout.width == reader.scrollable_content_region.width < 30
        assert reader.cursor == 100
        row = reader.cursor_cell()[0]
        assert round(reader.scroll_y) <= row < round(reader.scroll_y) + 10
        assert all(len(line) < 30 for line in rows(reader))


async def test_cursor_moved_reports_the_logical_line_and_column():
    text = "first line\nsecond line"
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await pilot.press("down", "w")
        await pilot.pause()
        offset = app.moves[-1][0]
        assert app.moves[-1] == (offset, *LineIndex(text).line_col(offset)) == (18, 1, 7)


# --- the widget: mouse -----------------------------------------------------------------------


async def test_click_places_the_cursor_and_drag_selects():
    text = "Putin met Biden in Geneva. 中文 end"
    app = ReaderApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await start(pilot)
        await pilot.click(Reader, offset=(11, 0))
        assert reader.cursor == 11 and reader.selection is None
        await pilot.click(Reader, offset=(30, 0))  # the right half of 文
        assert reader.cursor == 28
        await pilot.click(Reader, offset=(60, 5))  # below the text: its end
        assert reader.cursor == len(text)
        await pilot.mouse_down(Reader, offset=(7, 0))
        await pilot.hover(Reader, offset=(12, 0))
        await pilot.mouse_up(Reader, offset=(12, 0))
        assert reader.anchor == 7 and reader.cursor == 12
        assert reader.selection == (6, 15)
        await pilot.click(Reader, offset=(2, 0))
        assert reader.selection is None and reader.cursor == 2


async def test_plain_lines_match_what_textuals_own_line_path_draws():
    """The reader's lines skip Textual's per-line styling pass (`tui.widgets.plain_lines`):
    every line, with spans, overlaps, a suggestion, wide characters, a tab, the cursor and a
    selection, must come out exactly as that pass draws it; and what the CSS draws over or
    around lines (a tint, padding) must still be drawn (the fast path steps aside)."""
    from textual._styles_cache import StylesCache
    from textual.geometry import Region

    from tui.widgets.plain_lines import PlainLinesCache

    text = "Deputy 外務 Minister\tSergei Ryabkov said so.\n\nPutin 🇺🇦 met Biden. " * 6
    spans = [span(text, 24, 38), span(text, 31, 38, "venue"), span(text, 7, 9, "date")]
    suggestions = [Suggestion(44, 46, "date"), Suggestion(100, 105, "actor")]
    app = ReaderApp(text, spans, suggestions)
    async with app.run_test(size=(50, 20)) as pilot:
        reader = await start(pilot)
        reader.select(60, 90)
        await pilot.pause()

        def both() -> tuple[list, list]:
            crop = Region(0, 0, reader.size.width, reader.size.height)
            assert isinstance(reader._styles_cache, PlainLinesCache)
            reader._styles_cache.clear()
            fast = [list(strip) for strip in reader.render_lines(crop)]
            reader._styles_cache, plain_cache = StylesCache(), reader._styles_cache
            try:
                slow = [list(strip) for strip in reader.render_lines(crop)]
            finally:
                reader._styles_cache = plain_cache
            return fast, slow

        fast, slow = both()
        assert len(fast) == reader.size.height
        assert fast == slow
        assert any(len(line) > 3 for line in fast)  # the marks are there to compare
        reader.styles.tint = "red 40%"
        await pilot.pause()
        tinted, slow = both()
        assert tinted == slow and tinted != fast
        reader.styles.tint = None
        reader.styles.padding = (0, 2)
        await pilot.pause()
        fast, slow = both()
        assert fast == slow
        assert all(line[0].text.startswith("  ") for line in fast)  # the padding is drawn


async def test_many_new_spans_repaint_the_rows_on_screen_when_scrolled_down():
    """A new set of spans too different to apply one by one repaints the rows that differ:
    the rows on screen, counted from the top of the screen, wherever the article is scrolled
    to. (Read through `render_lines`, which keeps a row Textual was not told to repaint.)"""
    from textual.geometry import Region

    text = " ".join(f"word{i:03d}" for i in range(600))
    app = ReaderApp(text, [span(text, i * 8, i * 8 + 7) for i in range(0, 600, 2)])
    async with app.run_test(size=(40, 12)) as pilot:
        reader = await start(pilot)
        reader.scroll_to(y=40, animate=False)
        await pilot.pause()
        top = round(reader.scroll_y)
        assert top == 40

        def screen_row(y: int):
            return list(reader.render_lines(Region(0, y, reader.size.width, 1))[0])

        before = [screen_row(y) for y in range(reader.size.height)]
        reader.set_spans([span(text, i * 8, i * 8 + 7, "venue") for i in range(1, 600, 2)])
        await pilot.pause()
        after = [screen_row(y) for y in range(reader.size.height)]
        assert all(old != new for old, new in zip(before, after, strict=True))
        venue = colour(COLOURS["venue"])
        for y in range(reader.size.height):
            first, last = reader.layout.row_range(top + y)
            expected = any(i % 2 and first <= i * 8 < last for i in range(600))
            assert any(seg.style.bgcolor == venue for seg in after[y]) == expected

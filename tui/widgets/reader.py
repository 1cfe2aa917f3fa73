"""The reader: one article, wrapped to the pane, with a cursor, a selection and coloured spans.

A Line API `ScrollView` (the pattern of toolong's `LogLines`): `render_line` draws only the
rows on screen, wrapped rows are worked out on demand and cached (`tui.widgets.wrap`), and a
key repaints only the rows it changed, so a key costs the same on a 100,000-word article as on
a 1,000-word one. Likewise after a tag: `set_spans` finds the one span that changed among
thousands (`SpanIndex.update`) and repaints its rows, not the pane. Offsets are Python `str`
indices into the article text; `WrapLayout` is the one place that turns them into screen cells.

How spans are drawn:
- a span: its label colour as background, black or white text, whichever reads better;
- where spans overlap: the shortest (innermost) span's background, so the outer span shows
  around it, and the overlap is underlined and bold, its text in the outer span's colour when
  that stays readable on the inner colour (two spans over the very same text show only as
  underlined);
- a suggestion: no background; underlined text in its label's colour (just underlined where
  it lies on a span);
- the selection: the `reader--selection` background; the cursor: `reader--cursor` (reverse)
  when focused, `reader--cursor-blurred` (a dim block) otherwise.
"""

from __future__ import annotations

import bisect
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from itertools import islice
from operator import lt
from typing import Any, ClassVar, NamedTuple, Protocol

from rich.color import Color, ColorParseError
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotations.articles import Article, LineIndex
from annotations.resolve import Changed
from annotations.spans import Span
from annotations.tokenizer import TokenIndex
from tui.widgets.plain_lines import install as install_plain_lines
from tui.widgets.wrap import Row, WrapLayout

FALLBACK_COLOUR = "#888888"
_BLACK = Color.parse("#000000")
_WHITE = Color.parse("#ffffff")


class Caret(NamedTuple):
    """The cursor (`offset`; `line` and `col` 0-based, in lines and code points), the
    selection (`Reader.selection`: start and end offsets, or None) and select mode (`v`)."""

    offset: int
    line: int
    col: int
    selection: tuple[int, int] | None
    selecting: bool = False


class _Pass(NamedTuple):
    """What every row of one render pass shares (`Reader.render_lines`)."""

    width: int
    base: Style
    layout: WrapLayout
    top: int
    selection: tuple[int, int] | None
    focused: bool


def _innermost(span: Marked) -> tuple[int, int, str]:
    """Sort key: the shortest span first (its colour is the one drawn)."""
    return (span.end - span.start, span.start, span.label)


def _padded(segments: list[Segment], cells: int, width: int, base: Style) -> Strip:
    """One strip of `width` cells: `segments` (`cells` wide) and blank cells after them."""
    if cells < width:
        segments.append(Segment(" " * (width - cells), base))
        return Strip(segments)
    strip = Strip(segments)
    return strip if cells == width else strip.adjust_cell_length(width, base)


class Marked(Protocol):
    """What the reader draws: a span or a suggestion."""

    start: int
    end: int
    label: str


def _order(item: Marked) -> tuple[int, int, str]:
    return (item.start, -item.end, item.label)


def _drawn(item: Marked) -> bool:
    return not getattr(item, "stale", False) and item.end > item.start


class SpanIndex:
    """Spans (or suggestions) by offset, for drawing one row and jumping between spans.

    A lookup bisects the start offsets and looks back only as far as the longest short span
    reaches, so drawing a row never walks all spans. Spans longer than `LONG` are few and kept
    apart, checked on every lookup.

    `update(items)` takes the whole new list (as the store gives it after a change) and
    applies only the difference, found by object identity: the store hands back the very
    `Span` objects it handed out before, so after one tag the index finds the one new span by
    a set difference of ids (in C), and inserts it into sorted lists instead of sorting
    thousands again. `add` and `remove` find their place by bisection, not by a walk.
    """

    LONG = 2000
    #: Past this many changed items (or a quarter of them all), `update` gives up.
    REBUILD_AT = 256

    def __init__(self, items: Iterable[Marked] = ()) -> None:
        given = list(items)
        self._given: dict[int, Marked] = {id(item): item for item in given}
        """What the index was given, by object identity (`update` diffs by it; the objects
        are held here, so no id is reused while it is a key)."""
        ordered = [
            item for item in given if item.end > item.start and not getattr(item, "stale", False)
        ]
        starts = [item.start for item in ordered]
        # Spans from the store and suggestions mostly come in text order already: with
        # strictly increasing starts that is the index's order, and no sort is needed.
        if not all(map(lt, starts, islice(starts, 1, None))):
            ordered.sort(key=_order)
            starts = [item.start for item in ordered]
        self.items: list[Marked] = ordered
        self.starts: list[int] = starts
        lengths = [item.end - item.start for item in ordered]
        self._lengths: Counter[int] = Counter(lengths)
        long_size = self.LONG
        if not lengths or max(lengths) <= long_size:
            self._short = list(ordered)
            self._short_starts = list(starts)
            self._long: list[Marked] = []
        else:
            self._short = [item for item in ordered if item.end - item.start <= long_size]
            self._short_starts = [item.start for item in self._short]
            self._long = [item for item in ordered if item.end - item.start > long_size]
            for length in [length for length in self._lengths if length > long_size]:
                del self._lengths[length]
        self._reach = max(self._lengths, default=0)

    def __len__(self) -> int:
        return len(self.items)

    def update(self, items: Iterable[Marked]) -> list[Marked] | None:
        """Make the index hold `items` and return the items removed and added; or, when too
        many changed to apply them one by one, return None and leave the index as it was
        (build a new one)."""
        new = list(items)
        given = dict(zip(map(id, new), new, strict=True))
        old = self._given
        # Set differences of the ids, in C: O(items), but no Python step per item.
        gone = old.keys() - given.keys()
        came = given.keys() - old.keys()
        if self._too_many(len(gone) + len(came), len(new)):
            return None
        removed = [old[key] for key in gone]
        added = [given[key] for key in came]
        for item in removed:
            self._unindex(item)
        for item in added:
            self._index(item)
        self._given = given
        return [*removed, *added]

    def _too_many(self, changes: int, size: int) -> bool:
        return changes > self.REBUILD_AT or changes * 4 > size + 16

    def add(self, item: Marked) -> None:
        """Index one more item."""
        self._given[id(item)] = item
        self._index(item)

    def remove(self, item: Marked) -> None:
        """Drop `item` (that object, else one equal to it); nothing if it is not indexed."""
        given = self._given
        held = given.pop(id(item), None)
        if held is None:  # not that object: one equal to it (a walk, but a rare one)
            key = next((key for key, other in given.items() if other == item), None)
            if key is None:
                return
            held = given.pop(key)
        self._unindex(held)

    def _index(self, item: Marked) -> None:
        if not _drawn(item):
            return
        key = _order(item)
        i = bisect.bisect_right(self.items, key, key=_order)
        self.items.insert(i, item)
        self.starts.insert(i, item.start)
        length = item.end - item.start
        if length > self.LONG:
            self._long.insert(bisect.bisect_right(self._long, key, key=_order), item)
            return
        i = bisect.bisect_right(self._short, key, key=_order)
        self._short.insert(i, item)
        self._short_starts.insert(i, item.start)
        self._lengths[length] += 1
        self._reach = max(self._reach, length)

    def _unindex(self, item: Marked) -> None:
        if not _drawn(item) or not self._discard(self.items, item, self.starts):
            return
        length = item.end - item.start
        if length > self.LONG:
            self._discard(self._long, item)
            return
        self._discard(self._short, item, self._short_starts)
        self._lengths[length] -= 1
        if self._lengths[length] <= 0:
            del self._lengths[length]
            if length == self._reach:
                self._reach = max(self._lengths, default=0)

    @staticmethod
    def _discard(ordered: list[Marked], item: Marked, starts: list[int] | None = None) -> bool:
        """Take `item` (itself, else an equal one) out of `ordered` and its `starts`."""
        key = _order(item)
        lo = bisect.bisect_left(ordered, key, key=_order)
        hi = bisect.bisect_right(ordered, key, key=_order, lo=lo)
        found = next((i for i in range(lo, hi) if ordered[i] is item), None)
        if found is None:
            found = next((i for i in range(lo, hi) if ordered[i] == item), None)
        if found is None:
            return False
        del ordered[found]
        if starts is not None:
            del starts[found]
        return True

    def overlapping(self, start: int, end: int) -> list[Marked]:
        """The items with `item.start < end` and `item.end > start`."""
        if not self.items:
            return []
        lo = bisect.bisect_left(self._short_starts, start - self._reach)
        hi = bisect.bisect_left(self._short_starts, end)
        found = [item for item in self._short[lo:hi] if item.end > start]
        if self._long:
            found.extend(item for item in self._long if item.start < end and item.end > start)
        return found

    def next_start(self, offset: int) -> int | None:
        i = bisect.bisect_right(self.starts, offset)
        return self.starts[i] if i < len(self.starts) else None

    def prev_start(self, offset: int) -> int | None:
        i = bisect.bisect_left(self.starts, offset) - 1
        return self.starts[i] if i >= 0 else None


class LiveSuggestions(Protocol):
    """Suggestions the reader draws without copying them: `annotations.resolve.Resolved`."""

    items: Sequence[Any]

    def __len__(self) -> int: ...

    def overlapping(self, start: int, end: int) -> list[Any]: ...

    def next_start(self, offset: int) -> int | None: ...

    def prev_start(self, offset: int) -> int | None: ...

    def take_changed(self) -> Changed | None: ...


def _suggestion_index(suggestions: Any) -> SpanIndex | LiveSuggestions:
    """A live source as it is; a sequence of suggestions indexed."""
    return suggestions if hasattr(suggestions, "take_changed") else SpanIndex(suggestions)


def _marks(index: SpanIndex, start: int, end: int) -> list[tuple[int, int, str]]:
    """What a row [start, end) draws from `index`: each item's offsets and label."""
    return sorted((item.start, item.end, item.label) for item in index.overlapping(start, end))


class _Tokens:
    """An article's TokenIndex, built once in a background thread, waited for when needed.

    One thread builds them all, one after another, skipping articles already left behind, so
    paging quickly through long articles never leaves several tokenizers fighting for the GIL.
    """

    _builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reader-tokens")

    def __init__(self, text: str) -> None:
        self.text = text
        self._lock = threading.Lock()
        self._index: TokenIndex | None = None
        self.wanted = True

    @property
    def ready(self) -> bool:
        return self._index is not None

    def get(self) -> TokenIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = TokenIndex(self.text)
        return self._index

    def build_in_background(self) -> None:
        self._builder.submit(self._build_if_wanted)

    def _build_if_wanted(self) -> None:
        if self.wanted:
            self.get()


def readable_on(background: Color) -> Color:
    """Black or white, whichever is easier to read on `background`."""
    return _BLACK if _luminance(background) > 0.179 else _WHITE


def _luminance(colour: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = colour.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio, 1 (none) to 21."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


_BINDINGS: list[Binding] = [
    Binding("left", "left", "Left", id="reader.left", show=False),
    Binding("right", "right", "Right", id="reader.right", show=False),
    Binding("up", "up", "Up a line", id="reader.up", show=False),
    Binding("down", "down", "Down a line", id="reader.down", show=False),
    # The letter keys and their ctrl+arrow twins have ids of their own, so remapping
    # `word_right` (`w`) in config.yaml leaves ctrl+right alone; likewise g/G.
    Binding("w", "word_right", "Next word", id="reader.word_right", show=False),
    Binding("ctrl+right", "word_right", "Next word", id="reader.word_right_alt",
            show=False),
    Binding("b", "word_left", "Previous word", id="reader.word_left", show=False),
    Binding("ctrl+left", "word_left", "Previous word", id="reader.word_left_alt",
            show=False),
    Binding("home", "line_start", "Line start", id="reader.line_start", show=False),
    Binding("end", "line_end", "Line end", id="reader.line_end", show=False),
    Binding("pageup", "page_up", "Page up", id="reader.page_up", show=False),
    Binding("pagedown", "page_down", "Page down", id="reader.page_down", show=False),
    Binding("g", "top", "Top", id="reader.top", show=False),
    Binding("ctrl+home", "top", "Top", id="reader.top_alt", show=False),
    Binding("G", "bottom", "Bottom", id="reader.bottom", show=False),
    Binding("ctrl+end", "bottom", "Bottom", id="reader.bottom_alt", show=False),
    Binding("n", "next_span", "Next span", id="reader.next_span"),
    Binding("N", "prev_span", "Previous span", id="reader.prev_span", show=False),
    Binding(
        "v",
        "select_mode",
        "Select",
        id="reader.select_mode",
        tooltip="Toggle select mode: moves extend the selection (for terminals without shift)",
    ),
    Binding("escape", "clear_selection", "Clear selection", id="reader.clear_selection",
            show=False),
    Binding("shift+left", "select_left", "Select left", id="reader.select_left", show=False),
    Binding("shift+right", "select_right", "Select right", id="reader.select_right",
            show=False),
    Binding("shift+up", "select_up", "Select up", id="reader.select_up", show=False),
    Binding("shift+down", "select_down", "Select down", id="reader.select_down", show=False),
    Binding("ctrl+shift+right", "select_word_right", "Select to next word",
            id="reader.select_word_right", show=False),
    Binding("ctrl+shift+left", "select_word_left", "Select to previous word",
            id="reader.select_word_left", show=False),
    Binding("shift+home", "select_line_start", "Select to line start",
            id="reader.select_line_start", show=False),
    Binding("shift+end", "select_line_end", "Select to line end",
            id="reader.select_line_end", show=False),
    Binding("shift+pageup", "select_page_up", "Select a page up",
            id="reader.select_page_up", show=False),
    Binding("shift+pagedown", "select_page_down", "Select a page down",
            id="reader.select_page_down", show=False),
]  # fmt: skip


class Reader(ScrollView, can_focus=True, inherit_bindings=False):
    """Shows one article; the keyboard moves a cursor and selects text to tag."""

    ALLOW_SELECT = False  # the reader draws and owns its own selection

    #: Priority bindings: they run as the key arrives, where a plain binding runs only after
    #: the key has bubbled from the reader through the pane, two containers and the screen to
    #: the app (~1 ms a key here). The reader is a leaf that nothing under it could want keys
    #: from, so a priority binding of its own only ever fires when it has the focus, as a
    #: plain one would.
    BINDINGS: ClassVar[list[BindingType]] = [replace(b, priority=True) for b in _BINDINGS]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reader--cursor",
        "reader--cursor-blurred",
        "reader--selection",
        "reader--suggestion",
    }

    DEFAULT_CSS = """
    Reader {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        & > .reader--cursor { text-style: reverse; }
        & > .reader--cursor-blurred { background: $foreground 35%; }
        & > .reader--selection { background: $primary 55%; color: $foreground; }
        & > .reader--suggestion { text-style: underline; }
    }
    """

    caret: reactive[Caret] = reactive(Caret(0, 0, 0, None), repaint=False, init=False)
    """Where the cursor and the selection are, for whoever follows them (the status line).

    A reactive, not a message: the screen watches it (`watch(reader, "caret", ...)`), so the
    status line changes in the same frame as the reader's own repaint. The message this
    replaced bubbled up five widgets and was drawn in a second frame, ~2 ms of CPU a key.
    """

    def __init__(
        self,
        label_colours: dict[str, str] | None = None,
        snap_to_words: bool = True,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.snap_to_words = snap_to_words
        self._label_colours: dict[str, Color] = {}
        self._styles: dict[tuple[Any, ...], Style] = {}
        self._strips: OrderedDict[int, Strip] = OrderedDict()
        self._article: Article | None = None
        self._text = ""
        self._layout: WrapLayout | None = None
        self._lines = LineIndex("")
        self._tokens = _Tokens("")
        self._spans = SpanIndex(())
        self._suggestions: SpanIndex | LiveSuggestions = SpanIndex(())
        self._cursor = 0
        self._anchor: int | None = None
        self._select_mode = False
        self._goal_col: int | None = None
        self._dragging = False
        self._selection_key: tuple[int, int, bool] | None = None
        self._selection_value: tuple[int, int] | None = None
        self._pass: _Pass | None = None
        self.set_label_colours(label_colours or {})
        install_plain_lines(self)

    # --- public state ----------------------------------------------------------------------

    @property
    def article(self) -> Article | None:
        return self._article

    @property
    def cursor(self) -> int:
        """The cursor's offset into the article text."""
        return self._cursor

    @cursor.setter
    def cursor(self, offset: int) -> None:
        self.move_to(offset)

    @property
    def anchor(self) -> int | None:  # type: ignore[override]
        """Where the selection started (the other end is the cursor), or None.

        Shadows `Widget.anchor()` (keep a log scrolled to its end), which the reader never uses.
        """
        return self._anchor

    @property
    def select_mode(self) -> bool:
        """In select mode (`v`) plain moves extend the selection."""
        return self._select_mode

    @property
    def layout(self) -> WrapLayout:
        """The wrapped rows at the current width (offset <-> screen cell conversions)."""
        return self._get_layout()

    @property
    def token_index(self) -> TokenIndex:
        """The article's tokens (waits for the background build if it is still running)."""
        return self._tokens.get()

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected range (start < end), or None.

        From the anchor to the cursor; with `snap_to_words`, grown to whole words and trimmed
        of whitespace (None when only whitespace is selected).
        """
        if self._anchor is None:
            return None
        key = (self._anchor, self._cursor, self.snap_to_words)
        if key != self._selection_key:
            start, end = sorted((self._anchor, self._cursor))
            value: tuple[int, int] | None = None
            if start < end:
                value = self._tokens.get().snap(start, end) if self.snap_to_words else (start, end)
                if value is not None:
                    value = self._whole(*value, words=self.snap_to_words)
            self._selection_key, self._selection_value = key, value
        return self._selection_value

    def target(self) -> tuple[int, int] | None:
        """What a label key tags: the selection, else the word under the cursor, else None."""
        selection = self.selection
        if selection is not None:
            return selection
        if self._article is None:
            return None
        word = self._tokens.get().word_at(self._cursor)
        return self._whole(*word, words=True) if word is not None else None

    def _whole(self, start: int, end: int, words: bool) -> tuple[int, int]:
        """[start, end) grown until it cuts no character as the screen shows it (an emoji
        family joined by ZWJ is one, though spaCy's tokens split it) and, with `words`, no
        token: a span never holds half of what the cursor treats as one character."""
        layout = self._get_layout()
        tokens = self._tokens.get() if words else None  # may wait for the background build
        while True:
            grown_start = layout.row(layout.row_of(start)).floor(start)
            grown_end = layout.row(layout.row_of(end - 1)).ceil(end)
            if tokens is not None:
                grown_start, grown_end = tokens.snap(grown_start, grown_end) or (
                    grown_start,
                    grown_end,
                )
            grown_start, grown_end = min(start, grown_start), max(end, grown_end)
            if (grown_start, grown_end) == (start, end):
                return start, end
            start, end = grown_start, grown_end

    def spans_at(self, offset: int) -> list[Span]:
        """The spans covering `offset`, shortest first."""
        found = self._spans.overlapping(offset, offset + 1)
        return sorted(found, key=lambda s: (s.end - s.start, s.start, s.label))  # type: ignore[return-value]

    @property
    def spans(self) -> list[Span]:
        return list(self._spans.items)  # type: ignore[arg-type]

    @property
    def suggestions(self) -> list[Any]:
        return list(self._suggestions.items)

    def suggestions_at(self, offset: int) -> list[Any]:
        """The suggestions covering `offset`, shortest first."""
        found = self._suggestions.overlapping(offset, offset + 1)
        return sorted(found, key=lambda s: (s.end - s.start, s.start, s.label))

    def next_suggestion_start(self, offset: int) -> int | None:
        """Where the first suggestion starting after `offset` starts, or None."""
        return self._suggestions.next_start(offset)

    def prev_suggestion_start(self, offset: int) -> int | None:
        """Where the last suggestion starting before `offset` starts, or None."""
        return self._suggestions.prev_start(offset)

    def cursor_cell(self) -> tuple[int, int]:
        """(row, column) of the cursor in the wrapped text (row 0 is the article's first)."""
        return self._get_layout().cell_of(self._cursor)

    # --- loading ---------------------------------------------------------------------------

    def show(
        self,
        article: Article | None,
        spans: Sequence[Span] = (),
        suggestions: Sequence[Any] | LiveSuggestions = (),
        tokens: TokenIndex | None = None,
    ) -> None:
        """Show `article` (None: nothing) with its spans: cursor at 0, no selection, at the top.

        The article's TokenIndex is built in a background thread unless `tokens` gives one;
        word moves and selections wait for it.
        """
        self._article = article
        self._text = article.text if article is not None else ""
        self._lines = LineIndex(self._text)
        self._tokens.wanted = False
        self._tokens = _Tokens(self._text)
        if tokens is not None and tokens.text == self._text:
            self._tokens._index = tokens
        elif article is not None:
            # Not before the article is on screen: the first build compiles the tokenizer's
            # rules, CPU the first paint would otherwise share (a key that needs the tokens
            # sooner builds them itself).
            if self.is_attached:
                self.call_after_refresh(self._tokens.build_in_background)
            else:
                self._tokens.build_in_background()
        self._layout = None
        self._spans = SpanIndex(spans)
        self._suggestions = _suggestion_index(suggestions)
        self._cursor = 0
        self._anchor = None
        self._select_mode = False
        self.remove_class("-selecting")
        self._goal_col = None
        self._selection_key = None
        self._repaint_all()
        self._get_layout()
        self._cursor = self._get_layout().stop_at(0)
        self.scroll_to(0, 0, animate=False, force=True)
        self._publish_caret()

    def set_spans(self, spans: Sequence[Span]) -> None:
        """Replace the spans drawn (the cursor and selection stay).

        Cheap after a small change: only the spans added or removed since the last call
        (found by identity, see `SpanIndex.update`) are indexed, and only their rows repainted.
        """
        self._spans = self._updated(self._spans, spans)

    def set_suggestions(self, suggestions: Sequence[Any]) -> None:
        """Replace the suggestions drawn (objects with .start .end .label .source).

        As cheap as `set_spans` when the unchanged suggestions are the same objects as before;
        new objects throughout cost a new index, but still repaint only the rows on screen
        whose marks differ.
        """
        if not isinstance(self._suggestions, SpanIndex):
            self._suggestions = SpanIndex(suggestions)
            self._repaint_all()
            return
        self._suggestions = self._updated(self._suggestions, suggestions)

    def follow_suggestions(
        self, source: LiveSuggestions, changed: Changed | Sequence[tuple[int, int]] | None
    ) -> None:
        """Draw from a live source of suggestions, which changed in the stretches `changed`
        ((start, end) pairs; None: anywhere). The source answers the row lookups itself
        (`annotations.resolve.Resolved`), so a change costs the rows on screen it touches,
        however many suggestions the article holds or the change made."""
        if source is not self._suggestions or changed is None:
            self._suggestions = source
            self._repaint_all()
            return
        self._repaint_stretches(changed)

    def change_spans(self, added: Sequence[Span] = (), removed: Sequence[Span] = ()) -> None:
        """Add and remove a few spans (a store `Change`): O(changed), whatever the count."""
        self._change(self._spans, added, removed)

    def _change(self, index: SpanIndex, added: Sequence[Marked], removed: Sequence[Marked]) -> None:
        for item in removed:
            index.remove(item)
        for item in added:
            index.add(item)
        self._repaint_items([*removed, *added])

    def _repaint_stretches(self, stretches: Changed | Sequence[tuple[int, int]]) -> None:
        """Repaint the rows on screen that the stretches (start, end) touch; forget the cached
        strips of the others they touch (all cached rows off screen, when there are many)."""
        if not stretches or self._article is None:
            return
        layout = self._get_layout()
        top = round(self.scroll_y)
        bottom = min(top + max(self.scrollable_content_region.height, 1), layout.row_count)
        if bottom <= top:
            self._repaint_all()
            return
        low, high = layout.row_range(top)[0], layout.row_range(bottom - 1)[1]
        many = len(stretches) > 32
        if many:
            strips = self._strips
            for row in [row for row in strips if not top <= row < bottom]:
                del strips[row]
            within = getattr(stretches, "within", None)
            if within is not None:  # `annotations.resolve.Changed`: only those on screen
                stretches = within(low, high)
        rows: set[int] = set()
        for start, end in stretches:
            if end < low or start > high:
                if not many:
                    self._forget_rows(layout.row_of(start), layout.row_of(end))
                continue
            first, last = layout.row_of(start), layout.row_of(end)
            self._forget_rows(first, last)
            rows.update(range(max(first, top), min(last, bottom - 1) + 1))
        if rows:  # one refresh for them all (each costs a trip through Textual)
            self._refresh_screen_rows([row - top for row in sorted(rows)])

    def _repaint_items(self, items: Sequence[Marked]) -> None:
        if not items or self._article is None:
            return
        layout = self._get_layout()
        for item in items:
            self._forget_rows(layout.row_of(item.start), layout.row_of(item.end))
            self._refresh_range(item.start, item.end)

    def _updated(self, index: SpanIndex, items: Sequence[Marked]) -> SpanIndex:
        """`index` updated to `items` (or a new index), with the rows that changed repainted."""
        changed = index.update(items)
        if changed is None:
            fresh = SpanIndex(items)
            self._repaint_differences(index, fresh)
            return fresh
        self._repaint_items(changed)
        return index

    def _repaint_differences(self, old: SpanIndex, new: SpanIndex) -> None:
        """Repaint the rows on screen that `old` and `new` draw differently; forget the
        cached strips of rows off screen."""
        strips = self._strips
        if self._article is None or not strips:
            self.refresh()
            return
        layout = self._get_layout()
        top = round(self.scroll_y)
        bottom = min(top + max(self.scrollable_content_region.height, 1), layout.row_count)
        kept: dict[int, Strip] = {}
        differ: list[int] = []
        for row in range(top, bottom):
            strip = strips.get(row)
            start, end = layout.row_range(row)
            if strip is not None and _marks(old, start, end) == _marks(new, start, end):
                kept[row] = strip
            else:
                differ.append(row - top)
        strips.clear()
        strips.update(kept)
        self._refresh_screen_rows(differ)

    def set_label_colours(self, label_colours: dict[str, str]) -> None:
        colours: dict[str, Color] = {}
        for label, colour in label_colours.items():
            try:
                colours[label] = Color.parse(colour)
            except ColorParseError:
                colours[label] = Color.parse(FALLBACK_COLOUR)
        self._label_colours = colours
        self._repaint_all()

    # --- moving ----------------------------------------------------------------------------

    def move_to(self, offset: int, select: bool = False) -> None:
        """Put the cursor at `offset` (kept visible). `select` extends the selection from its
        anchor (or from the old cursor); otherwise the selection and select mode end."""
        if not select and self._select_mode:
            self._select_mode = False
            self.remove_class("-selecting")
        self._move(offset, select=select)

    def select(self, start: int, end: int) -> None:
        """Select [start, end) (snapped to words if `snap_to_words`); the cursor goes to `end`."""
        before = self.selection
        self._anchor = self._get_layout().stop_at(start) if self._article else 0
        self._move(end, select=True, before=before)

    def clear_selection(self) -> None:
        """Drop the selection and leave select mode; the cursor stays."""
        before = self.selection
        self._select_mode = False
        self.remove_class("-selecting")
        if self._anchor is not None:
            self._anchor = None
            self._after_selection_change(before)

    def _move(
        self,
        offset: int,
        *,
        select: bool = False,
        keep_goal: bool = False,
        before: tuple[int, int] | None | bool = False,
    ) -> None:
        layout = self._get_layout()
        if before is False:
            before = self.selection
        old = self._cursor
        new = layout.stop_at(offset)
        if select or self._select_mode:
            if self._anchor is None:
                self._anchor = old
        else:
            self._anchor = None
        self._cursor = new
        if not keep_goal:
            self._goal_col = None
        self._refresh_offsets(old, new)
        self._scroll_cursor_into_view()
        self._after_selection_change(before)  # type: ignore[arg-type]

    def _after_selection_change(self, before: tuple[int, int] | None) -> None:
        """Repaint what the selection gained or lost since `before`; publish the caret."""
        after = self.selection
        if after != before:
            if before is None or after is None:
                ranges = [r for r in (before, after) if r is not None]
            else:
                ranges = [
                    (min(before[0], after[0]), max(before[0], after[0])),
                    (min(before[1], after[1]), max(before[1], after[1])),
                ]
            for start, end in ranges:
                self._refresh_range(start, end)
        self._publish_caret()

    def _publish_caret(self) -> None:
        """Set `caret` from the cursor and selection (its watchers run if it changed)."""
        cursor = self._cursor
        line, col = self._lines.line_col(min(cursor, len(self._text)))
        self.caret = Caret(cursor, line, col, self.selection, self._select_mode)

    def _scroll_cursor_into_view(self) -> None:
        row = self._get_layout().row_of(self._cursor)
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if height <= 0:
            return
        if row < top:
            self.scroll_to(y=row, animate=False, force=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, force=True)

    def _vertical(self, rows: int, select: bool, clamp: bool = False) -> None:
        """Move `rows` screen rows keeping the column; past either end: the text's end
        (or, with `clamp`, the first or last row)."""
        layout = self._get_layout()
        row, col = layout.cell_of(self._cursor)
        goal = self._goal_col if self._goal_col is not None else col
        target = row + rows
        if clamp:
            target = min(max(target, 0), layout.row_count - 1)
        if target < 0:
            offset = layout.offset_at(0, 0)
        elif target >= layout.row_count:
            offset = len(self._text)
        else:
            offset = layout.offset_at(target, goal)
        self._move(offset, select=select, keep_goal=True)
        self._goal_col = goal

    def _page(self, direction: int, select: bool) -> None:
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=self.scroll_y + direction * height, animate=False, force=True)
        self._vertical(direction * height, select, clamp=True)

    def _word(self, direction: int, select: bool) -> None:
        tokens = self._tokens.get()
        if direction > 0:
            offset = tokens.next_word_start(self._cursor)
        else:
            offset = tokens.prev_word_start(self._cursor)
        self._move(offset, select=select)

    def _line_edge(self, end: bool, select: bool) -> None:
        layout = self._get_layout()
        row = layout.row(layout.row_of(self._cursor))
        self._move(row.last_stop() if end else row.first_stop(), select=select)

    def _span_jump(self, direction: int) -> None:
        if direction > 0:
            offset = self._spans.next_start(self._cursor)
        else:
            offset = self._spans.prev_start(self._cursor)
        if offset is None:
            self.app.bell()  # often silent over SSH: say it too
            where = "after" if direction > 0 else "before"
            self.notify(f"No span {where} the cursor.", timeout=2)
            return
        self._move(offset)

    # --- actions ---------------------------------------------------------------------------

    def action_left(self) -> None:
        self._move(self._get_layout().prev_stop(self._cursor))

    def action_right(self) -> None:
        self._move(self._get_layout().next_stop(self._cursor))

    def action_up(self) -> None:
        self._vertical(-1, False)

    def action_down(self) -> None:
        self._vertical(1, False)

    def action_word_right(self) -> None:
        self._word(1, False)

    def action_word_left(self) -> None:
        self._word(-1, False)

    def action_line_start(self) -> None:
        self._line_edge(False, False)

    def action_line_end(self) -> None:
        self._line_edge(True, False)

    def action_page_up(self) -> None:
        self._page(-1, False)

    def action_page_down(self) -> None:
        self._page(1, False)

    def action_top(self) -> None:
        self._move(0)

    def action_bottom(self) -> None:
        self._move(len(self._text))

    def action_next_span(self) -> None:
        self._span_jump(1)

    def action_prev_span(self) -> None:
        self._span_jump(-1)

    def action_select_left(self) -> None:
        self._move(self._get_layout().prev_stop(self._cursor), select=True)

    def action_select_right(self) -> None:
        self._move(self._get_layout().next_stop(self._cursor), select=True)

    def action_select_up(self) -> None:
        self._vertical(-1, True)

    def action_select_down(self) -> None:
        self._vertical(1, True)

    def action_select_word_right(self) -> None:
        self._word(1, True)

    def action_select_word_left(self) -> None:
        self._word(-1, True)

    def action_select_line_start(self) -> None:
        self._line_edge(False, True)

    def action_select_line_end(self) -> None:
        self._line_edge(True, True)

    def action_select_page_up(self) -> None:
        self._page(-1, True)

    def action_select_page_down(self) -> None:
        self._page(1, True)

    def action_select_mode(self) -> None:
        """Toggle select mode; leaving it drops the selection."""
        if self._select_mode:
            self.clear_selection()
            return
        before = self.selection
        self._select_mode = True
        self.add_class("-selecting")
        if self._anchor is None:
            self._anchor = self._cursor
        self._after_selection_change(before)

    def action_clear_selection(self) -> None:
        """Escape: drop the selection; with none, let the key go on to the screen and app."""
        if self._anchor is None and not self._select_mode:
            raise SkipAction()
        self.clear_selection()

    # --- mouse -----------------------------------------------------------------------------

    def _offset_at_mouse(self, event: events.MouseEvent) -> int:
        position = event.get_content_offset_capture(self)
        layout = self._get_layout()
        row = round(self.scroll_y) + position.y
        return layout.offset_at(row, max(0, position.x))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1 or self._article is None:
            return
        if event.get_content_offset(self) is None:
            return
        self.focus()
        self._dragging = True
        self.capture_mouse()
        if not event.shift and self._select_mode:
            self._select_mode = False
            self.remove_class("-selecting")
        self._move(self._offset_at_mouse(event), select=event.shift)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        position = event.get_content_offset_capture(self)
        height = self.scrollable_content_region.height
        if position.y < 0:
            self.scroll_to(y=self.scroll_y - 1, animate=False, force=True)
        elif position.y >= height:
            self.scroll_to(y=self.scroll_y + 1, animate=False, force=True)
        self._move(self._offset_at_mouse(event), select=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if not self._dragging:
            return
        self._dragging = False
        self.release_mouse()
        if self._anchor is not None and self._anchor == self._cursor and not self._select_mode:
            self._anchor = None

    # --- layout and painting ---------------------------------------------------------------

    def _get_layout(self) -> WrapLayout:
        width = self.scrollable_content_region.width
        layout = self._layout
        if layout is not None and (width <= 0 or layout.width == width):
            return layout
        layout = WrapLayout(self._text, width if width > 0 else 80)
        self._layout = layout
        self._strips.clear()
        self.virtual_size = Size(layout.width, layout.row_count)
        return layout

    def on_resize(self, event: events.Resize) -> None:
        if self._layout is not None and self._layout.width != self.scrollable_content_region.width:
            self._get_layout()
            self._cursor = self._layout.stop_at(self._cursor)
            self.refresh()
            self.call_after_refresh(self._scroll_cursor_into_view)

    def on_focus(self, event: events.Focus) -> None:
        self._refresh_offsets(self._cursor, self._cursor)

    def on_blur(self, event: events.Blur) -> None:
        self._refresh_offsets(self._cursor, self._cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    def _repaint_all(self) -> None:
        self._styles.clear()
        self._strips.clear()
        self.refresh()

    def _forget_rows(self, first: int, last: int) -> None:
        """Drop the cached strips of rows `first`..`last`."""
        strips = self._strips
        if last - first >= len(strips):
            for row in [row for row in strips if first <= row <= last]:
                del strips[row]
        else:
            for row in range(first, last + 1):
                strips.pop(row, None)

    def _refresh_offsets(self, *offsets: int) -> None:
        layout = self._get_layout()
        for row in {layout.row_of(offset) for offset in offsets}:
            self._refresh_rows(row, row)

    def _refresh_range(self, start: int, end: int) -> None:
        layout = self._get_layout()
        self._refresh_rows(layout.row_of(start), layout.row_of(end))

    def _refresh_rows(self, first: int, last: int) -> None:
        """Repaint the rows `first`..`last` of the article that are on screen."""
        top = round(self.scroll_y)
        bottom = top + max(self.scrollable_content_region.height, 1) - 1
        first, last = max(first, top), min(last, bottom)
        if first <= last:
            self._refresh_screen_rows(range(first - top, last - top + 1))

    def _refresh_screen_rows(self, rows: Iterable[int]) -> None:
        """Repaint these rows of the screen (0: the top row shown), in one refresh.

        Across the text only, not the scrollbar beside it: a frame then leaves the scrollbar
        alone (`tui.compositor`), and it never changes with a row.
        """
        width = self.scrollable_content_region.width
        regions = [Region(0, y, width, 1) for y in rows]
        if regions:
            self.refresh(*regions)

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every row of this pass needs is looked up once: the widget's size and style,
        # the scroll position and the focus each cost a walk through Textual (~15 µs) that
        # the ~8 rows a tag repaints would otherwise each pay.
        self._pass = self._new_pass()
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    def _new_pass(self) -> _Pass:
        return _Pass(
            self.size.width,
            self.visual_style.rich_style,  # cached by Textual until the CSS changes
            self._get_layout(),
            round(self.scroll_y),
            self.selection,
            self.has_focus,
        )

    def render_line(self, y: int) -> Strip:
        width, base, layout, top, selection, focused = self._pass or self._new_pass()
        index = top + y
        if self._article is None or index >= layout.row_count:
            return Strip.blank(width, base)
        row = layout.row(index)
        next_start = layout.row_range(index)[1]
        cursor = self._cursor if row.start <= self._cursor < next_start else None
        if selection is not None and (selection[1] <= row.start or selection[0] >= next_start):
            selection = None
        if cursor is None and selection is None:
            strip = self._strips.get(index)
            if strip is None:
                strip = self._render_row(row, None, None, base, focused, width)
                self._strips[index] = strip
                if len(self._strips) > 512:
                    self._strips.popitem(last=False)
            return strip
        return self._render_row(row, cursor, selection, base, focused, width)

    def _render_row(
        self,
        row: Row,
        cursor: int | None,
        selection: tuple[int, int] | None,
        base: Style,
        focused: bool,
        width: int,
    ) -> Strip:
        """The row's strip, `width` cells wide."""
        start, end = row.start, row.end
        reach = max(end, start + 1)
        spans = self._spans.overlapping(start, reach)
        suggestions = self._suggestions.overlapping(start, reach)
        if not spans and not suggestions and cursor is None and selection is None:
            # Most rows: one run of text in the plain style.
            segments = [Segment(row.draw(start, end), base)] if end > start else []
            return _padded(segments, row.width, width, base)
        floor, ceil = row.floor, row.ceil
        cuts = {start, end}
        marked = []
        for span in spans:
            a, b = floor(max(span.start, start)), ceil(min(span.end, end))
            if a < b:
                marked.append((a, b, span))
                cuts.add(a)
                cuts.add(b)
        suggested_at = []
        for item in suggestions:
            a, b = floor(max(item.start, start)), ceil(min(item.end, end))
            if a < b:
                suggested_at.append((a, b, item.label))
                cuts.add(a)
                cuts.add(b)
        sel_a = sel_b = -1
        if selection is not None:
            sel_a, sel_b = floor(max(selection[0], start)), ceil(min(selection[1], end))
            cuts.add(sel_a)
            cuts.add(sel_b)
        cur_a = -1
        if cursor is not None and cursor < end:
            cur_a = floor(cursor)
            cuts.add(cur_a)
            cuts.add(row.cluster_end(cur_a))
        cursor_here = 1 if focused else 2
        ordered = sorted(cuts)
        segments: list[Segment] = []
        for a, b in zip(ordered, ordered[1:], strict=False):
            if a >= b or b > end:
                continue
            inner = outer = None
            stacked = False
            if marked:
                covering = [s for x, y, s in marked if x <= a and y >= b]
                if covering:
                    covering.sort(key=_innermost)
                    inner = covering[0].label
                    if len(covering) > 1:
                        outer = covering[-1].label
                        stacked = True
            suggested = None
            for x, y, label in suggested_at:
                if x <= a and y >= b:
                    suggested = label
                    break
            key = (
                inner,
                outer,
                stacked,
                suggested,
                sel_a <= a and b <= sel_b,
                cursor_here if a == cur_a else 0,
            )
            segments.append(Segment(row.draw(a, b), self._style(key, base)))
        cells = row.width
        if row.eol >= 0:
            on_cursor = cursor is not None and cursor >= end
            selected = selection is not None and selection[0] <= row.eol < selection[1]
            if on_cursor or selected:
                key = (None, None, False, None, selected, cursor_here if on_cursor else 0)
                segments.append(Segment(" ", self._style(key, base)))
                cells += 1
        return _padded(segments, cells, width, base)

    def _colour(self, label: str) -> Color:
        colour = self._label_colours.get(label)
        if colour is None:
            colour = self._label_colours[label] = Color.parse(FALLBACK_COLOUR)
        return colour

    def _overlay(self, component: str) -> Style:
        partial = self.get_component_rich_style(component, partial=True)
        full = self.get_component_rich_style(component)
        return partial + Style(
            color=full.color if partial.color is not None else None,
            bgcolor=full.bgcolor if partial.bgcolor is not None else None,
        )

    def _style(self, key: tuple[Any, ...], base: Style) -> Style:
        style = self._styles.get(key)
        if style is not None:
            return style
        inner, outer, stacked, suggested, selected, cursor_state = key
        style = base
        if inner is not None:
            background = self._colour(inner)
            foreground = readable_on(background)
            if stacked:
                outer_colour = self._colour(outer)
                if contrast(outer_colour, background) >= 3.0:
                    foreground = outer_colour
                style += Style(underline=True, bold=True)
            style += Style(color=foreground, bgcolor=background)
            if suggested is not None:
                style += Style(underline=True)
        elif suggested is not None:
            style += self._overlay("reader--suggestion") + Style(color=self._colour(suggested))
        if selected:
            style += self._overlay("reader--selection")
        if cursor_state == 1:
            style += self._overlay("reader--cursor")
        elif cursor_state == 2:
            style += self._overlay("reader--cursor-blurred")
        self._styles[key] = style
        return style

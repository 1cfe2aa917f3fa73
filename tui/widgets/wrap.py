"""Soft wrapping of an article to a pane width: the one place offsets meet screen cells.

Offsets are Python `str` indices into the article text; a screen position is a wrapped row and
a cell column. Everything the reader draws or moves to goes through `WrapLayout`, so wide
characters, tabs, combining marks and CRLF are decided here once:

- Characters are grouped into clusters with Rich's `split_graphemes` (the same rules Rich and
  Textual use to measure text), so a base letter and its combining marks, or an emoji ZWJ
  sequence, are one cluster drawn in one place. A zero-width cluster with nothing before it is
  merged into a neighbour.
- A tab is one offset drawn as spaces up to the next tab stop (counted from the start of its
  wrapped row). Other control characters are drawn as one visible symbol (U+2400 pictures),
  never sent to the terminal raw.
- A line ends at "\\n"; in a "\\r\\n" the "\\r" is the line's end position and is not drawn.
  Every line's last row has an end-of-line (EOL) cell after its text, where the cursor sits
  at the line break or at the end of the text.
- Rows break after a space or tab, before or after a wide character, else inside a long word.
  Text fills at most `width - 1` cells; the last cell is kept for a hanging space and for the
  EOL cell, so no position is ever drawn outside the pane.

"Stops" are where a cursor can be: the start of every cluster with a width, and every EOL
position. `offset_at(cell_of(stop)) == stop` for every stop, and `cell_of` never decreases
as offsets grow.
"""

from __future__ import annotations

import bisect
import re
from collections import OrderedDict
from collections.abc import Sequence

from rich.cells import cell_len, get_character_cell_size, set_cell_size, split_graphemes

TAB_SIZE = 8

# Cluster kinds.
NORMAL, SPACE, TAB, WIDE, CTRL, ZERO = range(6)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_UNIT_CHARS: set[str] = {chr(c) for c in range(0x20, 0x7F)}
_NOT_UNIT_CHARS: set[str] = set()


def _is_unit(ch: str) -> bool:
    return not _CONTROL.match(ch) and get_character_cell_size(ch) == 1


def unit_width(text: str) -> bool:
    """Every character is one cell and none is a tab or control: offsets are columns."""
    chars = set(text)
    if chars <= _UNIT_CHARS:
        return True
    for ch in chars - _UNIT_CHARS:
        if ch in _NOT_UNIT_CHARS:
            return False
        if _is_unit(ch):
            _UNIT_CHARS.add(ch)
        else:
            _NOT_UNIT_CHARS.add(ch)
            return False
    return True


def control_glyph(ch: str) -> str:
    """What a control character (not tab, not a line break) is drawn as: one cell."""
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def clusters(text: str, start: int, end: int) -> list[list[int]]:
    """`[start, end, width, kind]` for each cluster of `text[start:end]` (no line breaks in it).

    A tab's width is 0 here: it depends on its column and is decided when laying out a row.
    """
    raw: list[list[int]] = []
    pos = start
    for match in _CONTROL.finditer(text, start, end):
        if match.start() > pos:
            _add_piece(text, pos, match.start(), raw)
        is_tab = match.group() == "\t"
        raw.append([match.start(), match.end(), 0 if is_tab else 1, TAB if is_tab else CTRL])
        pos = match.end()
    if pos < end:
        _add_piece(text, pos, end, raw)
    # Merge zero-width clusters (a combining mark with no base) into a neighbour.
    out: list[list[int]] = []
    carry = -1
    for cluster in raw:
        if cluster[3] == ZERO:
            if out:
                out[-1][1] = cluster[1]
            elif carry < 0:
                carry = cluster[0]
            continue
        if carry >= 0:
            cluster[0] = carry
            carry = -1
        out.append(cluster)
    if carry >= 0:
        out.append([carry, end, 0, ZERO])
    return out


def _add_piece(text: str, start: int, end: int, out: list[list[int]]) -> None:
    piece = text[start:end]
    spans, _ = split_graphemes(piece)
    for s, e, width in spans:
        if width == 0:
            kind = ZERO
        elif width >= 2:
            kind = WIDE
        elif e - s == 1 and piece[s] == " ":
            kind = SPACE
        else:
            kind = NORMAL
        out.append([start + s, start + e, width, kind])


def glyph_of(chars: str, width: int, kind: int) -> str:
    """What to draw for one cluster: exactly `width` cells by Rich's measure, alone or joined.

    Zero-width characters merged into a control character or a tab, or left at the front of a
    cluster, and a joiner at its end, would change how Rich measures the cells next to them:
    they are not drawn.
    """
    if kind == TAB:
        return " " * width
    if kind == CTRL:
        return control_glyph(next(c for c in chars if _CONTROL.match(c)))
    if kind == ZERO:
        return ""
    glyph = chars
    while glyph and get_character_cell_size(glyph[0]) == 0:
        glyph = glyph[1:]
    glyph = glyph.rstrip("\u200d")
    if cell_len(glyph) != width:
        glyph = set_cell_size("".join(c for c in glyph if get_character_cell_size(c)), width)
    return glyph


def tab_width(col: int, fill: int) -> int:
    width = TAB_SIZE - col % TAB_SIZE
    if col == 0 and width > fill:
        width = max(1, fill)
    return width


def wrap_clusters(cls: Sequence[list[int]], fill: int, width: int) -> tuple[list[int], bool]:
    """Greedy soft wrap of one line's clusters: (cluster index of each row start, needs EOL row).

    The second value is True when the last row is so full that the EOL cell needs a row of its
    own (a hanging space at the very end of the line).
    """
    rows = [0]
    count = len(cls)
    i = row_i = col = 0
    brk = -1
    while i < count:
        _, _, w, kind = cls[i]
        if kind == TAB:
            w = tab_width(col, fill)
        if i == row_i or col + w <= fill or (kind == SPACE and col + 1 <= width):
            col += w
            if kind in (SPACE, TAB, WIDE):
                brk = i + 1
            i += 1
            continue
        if kind in (TAB, WIDE):
            b = i
        else:
            b = brk if brk > row_i else i
        rows.append(b)
        row_i = i = b
        col = 0
        brk = -1
    return rows, col > fill


class Row:
    """One wrapped row: its clusters, their columns, and the EOL position if it ends a line."""

    __slots__ = ("start", "end", "eol", "starts", "cols", "widths", "glyphs", "width", "text")

    def __init__(self, text: str, start: int, end: int, eol: int, fill: int) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.eol = eol
        """The line-break (or end of text) offset this row ends with, or -1."""
        self.glyphs: list[str] | None
        if unit_width(text[start:end]):
            count = end - start
            self.starts: Sequence[int] = range(start, end)
            self.cols: Sequence[int] = range(count)
            self.widths: Sequence[int] = [1] * count
            self.glyphs = None
            self.width = count
            return
        starts: list[int] = []
        cols: list[int] = []
        widths: list[int] = []
        glyphs: list[str] = []
        col = 0
        for s, e, w, kind in clusters(text, start, end):
            if kind == TAB:
                w = tab_width(col, fill)
            starts.append(s)
            cols.append(col)
            widths.append(w)
            glyphs.append(glyph_of(text[s:e], w, kind))
            col += w
        self.starts, self.cols, self.widths, self.glyphs = starts, cols, widths, glyphs
        self.width = col

    def index(self, offset: int) -> int:
        """Index of the cluster holding `offset` (which must be in [start, end))."""
        return bisect.bisect_right(self.starts, offset) - 1

    def col_of(self, offset: int) -> int:
        if offset >= self.end:
            return self.width
        return self.cols[self.index(max(offset, self.start))]

    def floor(self, offset: int) -> int:
        """The start of the cluster holding `offset`, clamped to the row (EOL stays EOL)."""
        if offset <= self.start:
            return self.start
        if offset >= self.end:
            return self.end
        return self.starts[self.index(offset)]

    def ceil(self, offset: int) -> int:
        """The end of the cluster holding `offset - 1`: rounds a range's end outward."""
        if offset <= self.start:
            return self.start
        if offset >= self.end:
            return self.end
        i = self.index(offset)
        return offset if self.starts[i] == offset else self._cluster_end(i)

    def _cluster_end(self, i: int) -> int:
        return self.starts[i + 1] if i + 1 < len(self.starts) else self.end

    def cluster_end(self, offset: int) -> int:
        """End of the cluster starting at (or holding) `offset`; EOL positions end at +1."""
        if offset >= self.end:
            return offset + 1
        return self._cluster_end(self.index(offset))

    def stops(self) -> list[int]:
        out = [s for s, w in zip(self.starts, self.widths, strict=True) if w]
        if self.eol >= 0:
            out.append(self.eol)
        return out

    def first_stop(self) -> int:
        for s, w in zip(self.starts, self.widths, strict=False):
            if w:
                return s
        return self.eol if self.eol >= 0 else self.start

    def last_stop(self) -> int:
        if self.eol >= 0:
            return self.eol
        for i in range(len(self.starts) - 1, -1, -1):
            if self.widths[i]:
                return self.starts[i]
        return self.start

    def offset_at_col(self, col: int) -> int:
        """The stop drawn at cell `col`; past the text, the row's last stop."""
        if col >= self.width or not self.starts:
            return self.last_stop()
        i = bisect.bisect_right(self.cols, max(col, 0)) - 1
        while i < len(self.starts) and not self.widths[i]:
            i += 1
        return self.starts[i] if i < len(self.starts) else self.last_stop()

    def draw(self, start: int, end: int) -> str:
        """The characters to draw for offsets [start, end) (cluster boundaries in this row)."""
        if self.glyphs is None:
            return self.text[start:end]
        if start >= end:
            return ""
        i = self.index(start)
        j = bisect.bisect_left(self.starts, end)
        return "".join(self.glyphs[i:j])


class WrapLayout:
    """The wrapped rows of one text at one width, with offset <-> (row, column) conversions.

    Building it scans the text once (offsets of row starts only); each row's clusters are
    worked out when the row is first needed and kept in a small LRU cache.
    """

    def __init__(self, text: str, width: int, cache_size: int = 512) -> None:
        self.text = text
        self.width = max(1, width)
        self.fill = max(1, self.width - 1)
        """Cells text may fill; the last cell is for a hanging space or the EOL cell."""
        self.row_starts: list[int] = []
        self.row_eols: list[int] = []
        self._cache: OrderedDict[int, Row] = OrderedDict()
        self._cache_size = cache_size
        self._build()

    def _build(self) -> None:
        text = self.text
        starts = self.row_starts
        eols = self.row_eols
        fill, width = self.fill, self.width
        find = text.find
        rfind = text.rfind
        length = len(text)
        line_start = 0
        while True:
            newline = find("\n", line_start)
            line_end = length if newline < 0 else newline
            eol = line_end
            if newline > line_start and text[newline - 1] == "\r":
                eol = line_end = newline - 1
            unit = line_end - line_start <= 1 or unit_width(text[line_start:line_end])
            if unit and line_end - line_start <= fill:
                starts.append(line_start)
                eols.append(eol)
            elif unit:
                pos = line_start
                while line_end - pos > fill:
                    starts.append(pos)
                    eols.append(-1)
                    if width > fill and text[pos + fill] == " ":
                        pos += fill + 1
                    else:
                        space = rfind(" ", pos, pos + fill)
                        pos = space + 1 if space >= 0 else pos + fill
                starts.append(pos)
                eols.append(eol)
            else:
                cls = clusters(text, line_start, line_end)
                rows, eol_row = wrap_clusters(cls, fill, width)
                for i in rows:
                    starts.append(cls[i][0] if cls else line_start)
                    eols.append(-1)
                if eol_row:
                    starts.append(eol)
                    eols.append(-1)
                eols[-1] = eol
            if newline < 0:
                break
            line_start = newline + 1

    # -- rows -------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.row_starts)

    def row_of(self, offset: int) -> int:
        offset = min(max(offset, 0), len(self.text))
        return bisect.bisect_right(self.row_starts, offset) - 1

    def row(self, index: int) -> Row:
        cache = self._cache
        row = cache.get(index)
        if row is not None:
            cache.move_to_end(index)
            return row
        start = self.row_starts[index]
        eol = self.row_eols[index]
        end = eol if eol >= 0 else self.row_starts[index + 1]
        row = Row(self.text, start, end, eol, self.fill)
        cache[index] = row
        if len(cache) > self._cache_size:
            cache.popitem(last=False)
        return row

    def row_range(self, index: int) -> tuple[int, int]:
        """[first offset, first offset of the next row) for row `index`."""
        start = self.row_starts[index]
        if index + 1 < len(self.row_starts):
            return start, self.row_starts[index + 1]
        return start, len(self.text) + 1

    # -- conversions ------------------------------------------------------------------------

    def cell_of(self, offset: int) -> tuple[int, int]:
        """(row, column) of the cell drawn for `offset` (inside a cluster: the cluster's)."""
        offset = min(max(offset, 0), len(self.text))
        index = self.row_of(offset)
        return index, self.row(index).col_of(offset)

    def offset_at(self, row: int, col: int) -> int:
        """The stop drawn at (row, col), clamped into the text."""
        if row < 0:
            return self.row(0).first_stop()
        if row >= self.row_count:
            return len(self.text)
        return self.row(row).offset_at_col(col)

    def stop_at(self, offset: int) -> int:
        """The stop whose cell holds `offset` (offsets inside a cluster or a CRLF round down)."""
        offset = min(max(offset, 0), len(self.text))
        row = self.row(self.row_of(offset))
        if offset >= row.end:
            return row.eol if row.eol >= 0 else row.last_stop()
        i = row.index(offset)
        while i >= 0 and not row.widths[i]:
            i -= 1
        return row.starts[i] if i >= 0 else row.first_stop()

    def next_stop(self, offset: int) -> int:
        """The first stop after `offset` (the end of the text stays put)."""
        length = len(self.text)
        if offset >= length:
            return length
        index = self.row_of(offset)
        while index < self.row_count:
            for stop in self.row(index).stops():
                if stop > offset:
                    return stop
            index += 1
        return length

    def prev_stop(self, offset: int) -> int:
        """The last stop before `offset` (the start of the text stays put)."""
        if offset <= 0:
            return self.row(0).first_stop()
        index = self.row_of(offset)
        while index >= 0:
            for stop in reversed(self.row(index).stops()):
                if stop < offset:
                    return stop
            index -= 1
        return self.row(0).first_stop()

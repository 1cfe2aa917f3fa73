"""A frame that draws only what changed: the main screen's compositor.

After a key, Textual repaints the parts of the screen that changed (the "dirty" regions: a
few reader rows, a list row, the legend, the status line). Its compositor renders every
widget that overlaps the bounding box of those regions, each over its whole height, and then
keeps only the pieces (the "chops" between widget edges) that lie in a dirty region. A tag
dirties the list on the left and the status line at the bottom, so the bounding box is the
whole screen, and every frame rendered every widget on it, the containers behind the others
included, though nothing of theirs showed: ~1 ms of a tag's ~10.

`NeededCutsCompositor` makes the same update from less: it lists the chops the update will
write, asks each widget, front to back, only for the rows where it still owes one of them,
and stops when none is left. A widget whose chops are all covered by the widgets in front of
it (a container) or lie outside the dirty regions (the footer, an unchanged title) is not
asked at all. The terminal gets the same cells (tests/test_compositor.py compares them with
Textual's, frame by frame); only the work behind them is less.

This overrides `Compositor.render_partial_update`, a private method of the Textual version
pinned in pyproject.toml (8.2). Full repaints (resize, a new screen) still go Textual's way.
"""

from __future__ import annotations

import bisect

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region


class NeededCutsCompositor(Compositor):
    """A `Compositor` whose partial updates render only the chops they will write."""

    def render_partial_update(self) -> ChopsUpdate | None:
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        spans = list(self._regions_to_spans(update_regions))
        cuts = self.cuts
        chops: list[dict[int, object]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        # The chops (by the x where each starts) on each row that the update writes: those
        # overlapping a dirty span, as `ChopsUpdate` draws them.
        owed: dict[int, set[int]] = {}
        for y, x1, x2 in spans:
            row_cuts = cuts[y]
            wanted = owed.setdefault(y, set())
            for start, end in zip(row_cuts, row_cuts[1:], strict=False):
                if start < x2 and end > x1:
                    wanted.add(start)
        rows_owed = sorted(owed)
        # Front to back (the order of `visible_widgets`): the first widget to cover a chop
        # draws it, as in `Compositor._render_chops`.
        for widget, (region, clip) in self.visible_widgets.items():
            if not owed:
                break
            left, top, width, height = region.intersection(clip)
            if not width or not height:
                continue
            right, bottom = left + width, top + height
            first, last = bisect.bisect_left(rows_owed, top), bisect.bisect_left(rows_owed, bottom)
            rows = [
                y
                for y in rows_owed[first:last]
                if (wanted := owed.get(y)) and any(left <= x < right for x in wanted)
            ]
            if not rows:
                continue
            band_top, band_bottom = rows[0], rows[-1] + 1
            strips = widget.render_lines(
                Region(left - region.x, band_top - region.y, width, band_bottom - band_top)
            )
            for y in rows:
                row_cuts = [x for x in cuts[y] if right >= x >= left]
                pieces = strips[y - band_top].divide([x - left for x in row_cuts[1:]])
                wanted = owed[y]
                line = chops[y]
                for x, piece in zip(row_cuts, pieces, strict=False):
                    if x in wanted:
                        line[x] = piece
                        wanted.discard(x)
                if not wanted:
                    del owed[y]
        chop_ends = [cut_set[1:] for cut_set in cuts]
        return ChopsUpdate(chops, spans, chop_ends)  # type: ignore[arg-type]

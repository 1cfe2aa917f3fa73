"""The main screen's compositor (`tui.compositor`) renders less per frame than Textual's own;
what it writes on the terminal must be the same, frame for frame.

Each partial update of a Pilot session is made both ways, on the same screen state, and the
cells each writes (position, character, style) are compared. (Not the bytes: Textual's
also moves the cursor to the chop just after a dirty stretch and writes nothing there.)

The session goes through what changes the screen in different places at once: tags (reader
rows, the list row, the legend and the status line), moves, a page down, the split view and
its tab, stepping the other pane, the span panel, the list filter, a hidden list, the help
screen and the export dialog on top, and a resize.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import ControlType
from textual._compositor import Compositor

from tui.compositor import NeededCutsCompositor
from tui.screens.main import MainScreen

SIZE = (120, 40)


def cells_written(update, console) -> dict[tuple[int, int], tuple[str, object]]:
    """What a partial update writes: {(x, y): (text, style)} for each cell it draws."""
    written: dict[tuple[int, int], tuple[str, object]] = {}
    x = y = 0
    for segment in update.__rich_console__(console, console.options):
        if segment.control:
            for control in segment.control:
                if control[0] == ControlType.CURSOR_MOVE_TO:
                    x, y = control[1], control[2]
            continue
        if segment.text == "\n":
            continue  # between rows; each row's writes start with a move
        for character in segment.text:
            written[(x, y)] = (character, segment.style)
            x += cell_len(character)
    return written


async def test_each_frame_writes_what_textuals_compositor_would(make, monkeypatch):
    compared: list[int] = []
    ours = NeededCutsCompositor.render_partial_update

    def both_ways(self: NeededCutsCompositor):
        dirty = set(self._dirty_regions)
        update = ours(self)
        # Textual's, on the same regions: the rows rendered above are cached now, and every
        # widget it asks for again draws the same lines.
        self._dirty_regions.update(dirty)
        theirs = Compositor.render_partial_update(self)
        if update is None or theirs is None:
            assert update is theirs
            return update
        mine, textuals = cells_written(update, app.console), cells_written(theirs, app.console)
        assert mine == textuals
        compared.append(len(mine))
        return update

    monkeypatch.setattr(NeededCutsCompositor, "render_partial_update", both_ways)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert isinstance(screen._compositor, NeededCutsCompositor)
        keys = [
            "1", "w", "w", "2", "right", "shift+right", "shift+right", "3", "escape",
            "pagedown", "down", "4", "u", "ctrl+r", "x",
            "s", "tab", "1", "right_square_bracket", "tab", "left_square_bracket",
            "p", "down", "p", "s",
            "slash", "t", "h", "e", "escape",
            "ctrl+b", "1", "1", "ctrl+b",
            "question_mark", "escape", "e", "escape", "d", "d",
        ]  # fmt: skip
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await pilot.resize_terminal(100, 30)
        await pilot.press("w", "1", "1")
        await pilot.pause()
    assert len(compared) >= 30, compared  # the frames were compared, not skipped
    assert max(compared) > 1000  # including frames that redrew much of the screen

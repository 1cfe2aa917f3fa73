"""The status line: where the cursor is, what is under it, and whether the last write saved."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive

from tui.widgets.one_line import OneLine


class StatusLine(OneLine):
    """Article, line:col, offset, labels and suggestion under the cursor, and the save state.

    Each part is a reactive the screen sets; the line re-renders once per refresh, so a burst
    of cursor moves costs one paint.
    """

    article: reactive[str] = reactive("")
    position: reactive[str] = reactive("")
    labels: reactive[str] = reactive("")
    suggestion: reactive[str] = reactive("")
    """The suggestion under the cursor: "actor (propagated)"."""
    suggestion_style: reactive[str] = reactive("")
    saved: reactive[str] = reactive("")
    saved_style: reactive[str] = reactive("green")
    mode: reactive[str] = reactive("")

    def line(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.mode:
            text.append(f" {self.mode} ", style="bold reverse")
            text.append(" ")
        text.append(self.article, style="bold")
        if self.position:
            text.append("  " + self.position)
        if self.labels:
            text.append("  [" + self.labels + "]", style="italic")
        if self.suggestion:
            text.append("  suggested: ", style="dim")
            text.append(self.suggestion, style=f"italic underline {self.suggestion_style}")
        if self.saved:
            text.append("  " + self.saved, style=self.saved_style)
        return text

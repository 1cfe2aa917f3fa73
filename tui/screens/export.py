"""The export dialog (`e`): a format and a file, defaults from the config's `export:`."""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from annotations.config import EXPORT_FORMATS
from tui.session import Session

SUFFIXES = {"prodigy": ".jsonl", "doccano": ".jsonl", "conll": ".conll", "docbin": ".spacy"}


class ExportScreen(ModalScreen[Path | None]):
    """Pick a format and a file; enter exports, escape cancels. Dismisses with the file."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.config = session.config
        self.base = self.config.base_dir

    def compose(self) -> ComposeResult:
        defaults = self.config.export
        output = defaults.output or (self.base / f"export{SUFFIXES[defaults.format]}")
        with Vertical(id="export-dialog"):
            yield Static("Export annotations", id="export-title")
            yield Label("Format")
            yield Select(
                [(name, name) for name in EXPORT_FORMATS],
                value=defaults.format,
                allow_blank=False,
                id="export-format",
            )
            yield Label("File")
            yield Input(self._shown(output), id="export-file")
            yield Checkbox("Include articles without spans", value=False, id="export-all")
            yield Static("enter exports · escape cancels", id="export-message")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-go")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self.app.settle_cursors(self)
        self.query_one("#export-file", Input).focus()

    def _shown(self, path: Path) -> str:
        """The path relative to the config's folder when it is under it (shorter, stable)."""
        try:
            return str(path.relative_to(self.base))
        except ValueError:
            return str(path)

    @property
    def path(self) -> Path:
        value = self.query_one("#export-file", Input).value.strip()
        path = Path(os.path.expanduser(value))
        return path if path.is_absolute() else self.base / path

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        box = self.query_one("#export-file", Input)
        value = box.value.strip()
        new_suffix = SUFFIXES.get(str(event.value), "")
        for suffix in set(SUFFIXES.values()):
            if value.endswith(suffix) and suffix != new_suffix:
                box.value = value[: -len(suffix)] + new_suffix
                break

    @on(Input.Submitted, "#export-file")
    @on(Button.Pressed, "#export-go")
    def _go(self) -> None:
        self.run_export()

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def run_export(self) -> None:
        message = self.query_one("#export-message", Static)
        fmt = str(self.query_one("#export-format", Select).value)
        include_all = self.query_one("#export-all", Checkbox).value
        if not self.query_one("#export-file", Input).value.strip():
            message.update("Give a file to write.")
            return
        path = self.path
        try:
            summary = export_to(self.session, fmt, path, include_all)
        except Exception as error:  # noqa: BLE001 - every failure is shown, none is fatal
            message.update(Text.assemble(("Not exported: ", "bold red"), str(error)))
            return
        self.app.notify(summary, title="Exported", markup=False)
        self.dismiss(path)


def export_to(session: Session, fmt: str, path: Path, include_all: bool) -> str:
    """Write the corpus in `fmt` to `path` through `annotations.export`; one summary line."""
    from annotations.export import export_to_path

    if not path.parent.is_dir():
        raise ValueError(f"{path.parent}: no such folder")
    report = export_to_path(
        session.articles,
        session.store,
        fmt,
        path,
        include_all=include_all,
        base_dir=session.config.base_dir,
        part=session.part,
    )
    summary = f"{report.articles} article(s), {report.spans} span(s) as {fmt} to {path}"
    return " ".join([summary, *report.lines()])

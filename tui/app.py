"""The spantag app: one factory (`make_app`) that `spantag` and the tests both use.

The app opens the corpus and the store when it starts and shows the main screen, or, when
something stops it (an unreadable store, no articles), a screen that says what and how to get
out; it never shows a traceback for a user's mistake. A store held by another spantag opens
read-only with a banner. Keys come from the config: each app action's binding has an id, and
the config's `keys:` remap those ids: the main screen's when it is built, the others' through
a Textual keymap (`App.set_keymap`).
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from annotations.articles import CorpusError
from annotations.config import (
    DEFAULT_KEYS,
    Config,
    ConfigError,
    canonical_key,
    keys_in,
    load_config,
)
from annotations.store import StoreCorrupt, StoreError, StoreNotWritable

#: Config `keys:` action -> the binding id it remaps.
ACTION_BINDING_IDS: dict[str, str] = {
    "toggle_list": "main.toggle_list",
    "filter": "main.filter",
    "toggle_done": "main.toggle_done",
    "split": "main.split",
    "next_article": "main.next_article",
    "prev_article": "main.prev_article",
    "span_panel": "main.span_panel",
    "help": "main.help",
    "export": "main.export",
    "quit": "main.quit",
    "undo": "main.undo",
    "redo": "main.redo",
    "remove_span": "main.remove_span",
    "select_mode": "reader.select_mode",
    "word_right": "reader.word_right",
    "word_left": "reader.word_left",
    "top": "reader.top",
    "bottom": "reader.bottom",
    "next_span": "reader.next_span",
    "prev_span": "reader.prev_span",
    "accept_suggestion": "main.accept_suggestion",
    "accept_all_suggestions": "main.accept_all_suggestions",
    "reject_suggestion": "main.reject_suggestion",
    "next_suggestion": "main.next_suggestion",
    "prev_suggestion": "main.prev_suggestion",
    "stats": "main.stats",
}

def escape_markup(text: str) -> str:
    """`text` as Textual markup that shows it as it is. Textual's own `escape` leaves tags
    that start with a capital ("[PER]", "[Q1]"), which its markup then swallows."""
    return text.replace("[", "\\[")


#: A config key ("/", "?", "[", "G", "ctrl+b") as Textual names it ("slash", ...).
textual_key = canonical_key


def keymap_for(config: Config) -> dict[str, str]:
    """The Textual keymap (binding id -> keys) for the config's remapped actions: "q,ctrl+q"
    stays two keys, "/,f" becomes "slash,f"."""
    keymap: dict[str, str] = {}
    for action, key in config.keys.items():
        binding_id = ACTION_BINDING_IDS.get(action)
        if binding_id is None or key == DEFAULT_KEYS.get(action):
            continue
        keymap[binding_id] = ",".join(textual_key(part) for part in keys_in(key))
    remove = keymap.get(ACTION_BINDING_IDS["remove_span"])
    if remove is not None:  # the span panel removes with delete, backspace and the remove key
        keymap["spans.remove"] = f"delete,backspace,{remove}"
    return keymap


def textual_keymap(keymap: dict[str, str], own: Iterable[Binding]) -> dict[str, str]:
    """The part of `keymap` for Textual to apply (`App.set_keymap`): not the ids of `own`,
    the bindings that remap themselves (the main screen's).

    `MainScreen` remaps its own bindings when it is built. Textual would apply them again
    each time it gathers the bindings for a key, after it has taken a focused text box's keys
    out, and that pass puts back every key of a binding one of whose keys is left: with
    `quit: q,ctrl+q`, `q` typed into the filter box would quit."""
    ids = {binding.id for binding in own}
    return {binding_id: keys for binding_id, keys in keymap.items() if binding_id not in ids}


#: Python's garbage collector walks every object the process holds (a long article's layout,
#: the store's documents, the corpus index: ~50 ms on a 100,000-word article) after each 10th
#: collection of the middle generation, which keys that allocate reach every few dozen presses.
FULL_COLLECTION_EVERY = 100


def fewer_full_collections() -> None:
    """Make those full collections ten times rarer (cyclic garbage waits longer; everything
    else is freed as it goes, by reference counting)."""
    young, middle, full = gc.get_threshold()
    if full < FULL_COLLECTION_EVERY:
        gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


class SpantagApp(App[int]):
    """Read articles and tag spans, keyboard first."""

    CSS_PATH = "app.tcss"
    TITLE = "spantag"

    #: Tests turn this off so that snapshots do not catch a cursor mid-blink.
    blink_cursor: bool = True

    def __init__(
        self,
        config: Config,
        store_path: str | Path | None = None,
        paths: Sequence[str] | None = None,
        read_only: bool = False,
    ) -> None:
        super().__init__()
        self.config = config
        self.store_path = Path(store_path).resolve() if store_path else config.store
        self.paths = list(paths) if paths else None
        self.read_only = read_only
        self.session = None
        from tui.screens.main import MainScreen

        self.keymap = keymap_for(config)
        self.main_screen_class = MainScreen.for_labels(config.labels, self.keymap)
        self.set_keymap(textual_keymap(self.keymap, MainScreen.BINDINGS))
        fewer_full_collections()

    # --- start and stop ------------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        from tui.screens.error import ErrorScreen
        from tui.session import Session

        try:
            session, opened = Session.open(
                self.config, self.store_path, self.paths, read_only=self.read_only
            )
        except StoreError as error:
            hint = _DAMAGED_HINT if isinstance(error, StoreCorrupt) else _STORE_HINT
            return ErrorScreen("The store cannot be opened", str(error), hint)
        except CorpusError as error:
            return ErrorScreen("The articles cannot be loaded", str(error))
        except OSError as error:
            return ErrorScreen("spantag cannot start", f"{error.filename}: {error.strerror}")
        if not session.articles:
            session.close()
            where = ", ".join(self.paths or [str(p) for p in self.config.corpus])
            lines = [f"No articles found in {where}."]
            lines += [f"  {w}" for w in session.corpus.warnings[:10]]
            return ErrorScreen("Nothing to read", "\n".join(lines), _CORPUS_HINT)
        self.session = session
        banner = ""
        if isinstance(opened.locked, StoreNotWritable):
            banner = (
                f"READ-ONLY: {self.store_path.name}: {opened.locked.why}. "
                "You can read; nothing you change is saved."
            )
        elif opened.locked is not None:
            who = f"pid {opened.locked.pid}" if opened.locked.pid else "another process"
            banner = (
                f"READ-ONLY: {self.store_path.name} is in use by another spantag ({who}). "
                "You can read; nothing you change is saved."
            )
        elif session.read_only:
            banner = "READ-ONLY (--read-only): you can read; nothing you change is saved."
        return self.main_screen_class(session, banner=banner, warnings=opened.warnings)

    def on_unmount(self) -> None:
        self.close_session()

    def close_session(self) -> None:
        if self.session is not None:
            session, self.session = self.session, None
            session.close()

    def settle_cursors(self, root) -> None:
        """Stop cursors blinking under `root` when `blink_cursor` is off."""
        if self.blink_cursor:
            return
        for widget in root.query("*"):
            if hasattr(widget, "cursor_blink"):
                widget.cursor_blink = False

    # --- help and the command palette ----------------------------------------------------

    def binding_groups(self) -> list[tuple[str, list[BindingType]]]:
        """Every binding the user can press, by where it applies."""
        from tui.screens.main import MainScreen
        from tui.widgets.article_list import ArticleList, ArticleOptions
        from tui.widgets.reader import Reader
        from tui.widgets.span_panel import SpanTable

        labels = [b for b in self.main_screen_class.BINDINGS if b not in MainScreen.BINDINGS]
        suggestion_ids = {binding.id for binding in MainScreen.SUGGESTION_BINDINGS}
        suggestions = [b for b in MainScreen.BINDINGS if b.id in suggestion_ids]
        return [
            ("Tag (the selection, else the word)", labels),
            ("Annotate and navigate", [b for b in MainScreen.BINDINGS if b not in suggestions]),
            ("Suggestions", suggestions),
            ("Article list", list(ArticleOptions.BINDINGS) + list(ArticleList.BINDINGS)),
            ("Span panel", list(SpanTable.BINDINGS)),
            ("App", [Binding("ctrl+p", "command_palette", "Command palette: every action")]),
            ("Reader: move and select", list(Reader.BINDINGS)),
        ]

    def keys_of(self, binding: Binding) -> list[str]:
        """The keys a binding has after the config's remaps, as the footer shows them."""
        keys = self.keymap.get(binding.id or "", binding.key)
        shown = []
        for key in keys.split(","):
            key = textual_key(key)
            shown.append(self.get_key_display(Binding(key, binding.action)))
        return shown

    def help_rows(self) -> list[tuple[str, str, str]]:
        rows: list[tuple[str, str, str]] = []
        for group, bindings in self.binding_groups():
            merged: dict[str, tuple[str, list[str]]] = {}
            for binding in Binding.make_bindings(bindings):
                description = binding.tooltip or binding.description or binding.action
                _, keys = merged.setdefault(binding.action, (description, []))
                for key in self.keys_of(binding):
                    if key not in keys:
                        keys.append(key)
            for description, keys in merged.values():
                rows.append((group, ", ".join(keys), description))
        return rows

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        main = self._main_screen()
        for command in super().get_system_commands(screen):
            if main is not None and command.title == "Quit":
                continue  # the main screen's own Quit (with its key) is listed below
            yield command
        if main is None:
            return
        seen: set[str] = set()
        for group, bindings in self.binding_groups():
            if group == "App":
                continue
            for binding in Binding.make_bindings(bindings):
                if binding.action in seen:
                    continue
                seen.add(binding.action)
                title = binding.description or binding.action
                if group.startswith("Reader"):
                    title = f"Reader: {title}"
                help_text = binding.tooltip or ""
                keys = ", ".join(self.keys_of(binding))
                # The palette reads both as markup; label names and descriptions are the
                # user's own words and may hold brackets ("[/]" would end the app).
                yield SystemCommand(
                    escape_markup(title),
                    escape_markup(f"{keys}  {help_text}".strip()),
                    partial(self._run_from_palette, group, binding.action),
                )

    def _main_screen(self):
        from tui.screens.main import MainScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, MainScreen):
                return screen
        return None

    async def _run_from_palette(self, group: str, action: str) -> None:
        main = self._main_screen()
        if main is None:
            return
        if group.startswith("Reader"):
            await main.reader.run_action(action)
        elif group == "Article list":
            await main.article_list.options.run_action(action)
        elif group == "Span panel":
            if main.span_panel.display:
                await main.span_panel.table.run_action(action)
        else:
            await main.run_action(action)


_STORE_HINT = "Another spantag may be using it: close that one, or start with --read-only."
_DAMAGED_HINT = (
    "Nothing was changed. Restore the last good copy the message names, or move the damaged "
    "file aside to start a new store."
)
_CORPUS_HINT = "Give article files or folders on the command line, or set `corpus:` in config.yaml."


def make_app(
    config: Config,
    store_path: str | Path | None = None,
    paths: Sequence[str] | None = None,
    read_only: bool = False,
) -> SpantagApp:
    """The app `spantag` runs, pointed at a config, a store and (optionally) article paths."""
    return SpantagApp(config, store_path=store_path, paths=paths, read_only=read_only)


class StartupErrorApp(App[int]):
    """Shown when the config itself is unusable: the app cannot be built without it."""

    CSS_PATH = "app.tcss"
    TITLE = "spantag"

    def __init__(self, title: str, message: str, hint: str = "") -> None:
        super().__init__()
        self.error = (title, message, hint)

    def get_default_screen(self) -> Screen:
        from tui.screens.error import ErrorScreen

        return ErrorScreen(*self.error)


def build_app(
    config_path: str | None = None,
    store_path: str | None = None,
    paths: Sequence[str] | None = None,
    read_only: bool = False,
    annotator: str | None = None,
) -> App[int]:
    """The app for `spantag [PATHS]`: the real one, or one that shows why the config is bad."""
    try:
        config = load_config(config_path)
        if annotator:
            config = dataclasses.replace(config, annotator=annotator)
    except ConfigError as error:
        return StartupErrorApp(
            "The config has a problem",
            str(error),
            (
                "Fix the line named above"
                if ", line " in str(error)
                else "Fix the file named above"
            )
            + ", or run `spantag init` in an empty folder for a fresh one.",
        )
    return make_app(config, store_path, paths, read_only)


def run_app(
    config_path: str | None = None,
    store_path: str | None = None,
    paths: Sequence[str] | None = None,
    read_only: bool = False,
    annotator: str | None = None,
) -> int:
    """`spantag [PATHS]`: run the app; the exit code is 0, or 1 when it could not start."""
    app = build_app(config_path, store_path, paths, read_only, annotator)
    try:
        app.run()
    finally:
        if isinstance(app, SpantagApp):
            app.close_session()
    return app.return_code or 0

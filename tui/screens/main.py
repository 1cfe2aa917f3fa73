"""The main screen: article list, one or two reader panes, span panel and status line.

It turns keys into calls on the `Session` (which holds every rule about spans) and pushes the
result down to the widgets. Every edit is in the store before the next key is handled: the
session writes inline, and nothing here defers a write.

Suggestions: the screen builds the session's `Suggester` in a thread worker when it starts
(the app works meanwhile, without them) and, once it reports back, shows them in every pane.
From then on each edit returns the articles whose suggestions it changed, and the panes, the
span panel and the list rows on screen follow before the next key; the other rows' counts
fill in a moment later, a batch at a time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import DescendantFocus
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from annotations.articles import Article, LineIndex
from annotations.config import Label
from annotations.spans import SpanError
from annotations.store import Change, ReadOnlyError, StoreError
from annotations.suggest import Suggestion
from tui.compositor import NeededCutsCompositor
from tui.session import Cancelled, Edit, Session, SuggesterBuild, build_suggester
from tui.widgets.article_list import ArticleList, ArticleRow
from tui.widgets.pane import ReaderPane, span_counts
from tui.widgets.reader import Caret, Reader
from tui.widgets.span_panel import SpanPanel, SpanTable
from tui.widgets.status import StatusLine

#: Rows whose suggestion counts are refreshed per tick once the visible ones are done.
COUNT_BATCH = 40

class MainScreen(Screen):
    """Reading and tagging. Label keys are added per config by `MainScreen.for_labels`."""

    SUGGESTION_BINDINGS = [
        Binding("y", "accept_suggestion", "Accept", id="main.accept_suggestion",
                tooltip="Accept the suggestion under the cursor (or the next one)"),
        Binding("Y", "accept_all_suggestions", "Accept all", show=False,
                id="main.accept_all_suggestions",
                tooltip="Accept every suggestion in this article (one undo)"),
        Binding("r", "reject_suggestion", "Reject", id="main.reject_suggestion",
                tooltip="Reject the suggestion under the cursor (it never comes back)"),
        Binding("right_curly_bracket", "next_suggestion", "Next suggestion", show=False,
                id="main.next_suggestion", tooltip="Jump to the next suggestion"),
        Binding("left_curly_bracket", "prev_suggestion", "Previous suggestion", show=False,
                id="main.prev_suggestion", tooltip="Jump to the previous suggestion"),
    ]  # fmt: skip

    _BINDINGS = [
        *SUGGESTION_BINDINGS,
        Binding("q", "app.quit", "Quit", id="main.quit", tooltip="Quit (everything is saved)"),
        Binding("question_mark", "help", "Help", id="main.help", tooltip="Every binding"),
        Binding("e", "export", "Export", id="main.export", tooltip="Export the corpus"),
        Binding("u", "undo", "Undo", id="main.undo", tooltip="Undo the last change"),
        Binding("ctrl+r", "redo", "Redo", id="main.redo", tooltip="Redo what was undone"),
        Binding("x", "remove_span", "Remove", id="main.remove_span",
                tooltip="Remove the span under the cursor"),
        Binding("delete", "remove_span", "Remove span", show=False, id="main.remove_span_delete"),
        Binding("d", "toggle_done", "Done", id="main.toggle_done",
                tooltip="Mark the article done / not done"),
        Binding("s", "split", "Split", id="main.split", tooltip="Two articles side by side"),
        Binding("right_square_bracket", "step_article(1)", "Next article", show=False,
                id="main.next_article", tooltip="Next article in the other pane"),
        Binding("left_square_bracket", "step_article(-1)", "Previous article", show=False,
                id="main.prev_article", tooltip="Previous article in the other pane"),
        Binding("p", "span_panel", "Spans", id="main.span_panel", tooltip="This article's spans"),
        Binding("slash", "filter", "Filter", show=False, id="main.filter",
                tooltip="Filter the article list"),
        Binding("ctrl+b", "toggle_list", "List", show=False, id="main.toggle_list",
                tooltip="Show or hide the article list"),
        Binding("S", "stats", "Statistics", show=False, id="main.stats",
                tooltip="Corpus statistics and agreement"),
        Binding("tab", "switch_pane", "Switch pane", show=False, id="main.switch_pane",
                tooltip="Move between the panes"),
    ]
    #: All priority bindings, as the reader's and the label keys are: a priority binding runs
    #: as its key arrives, a plain one only after the key has bubbled up from the focused
    #: widget, and a key behind it that has a priority binding would overtake it (`tab` `1`
    #: typed in one burst tagged in the pane being left; `x` `1` tagged before removing).
    #: So "/putin" typed fast also lands in the filter box whole. The filter box keeps the
    #: keys it types or edits with (`FilterBox`), and `check_action` leaves remove keys to
    #: the span panel: a plain screen binding would have let their own bindings go first.
    BINDINGS = [replace(binding, priority=True) for binding in _BINDINGS]

    #: The labels whose keys were bound by `for_labels`.
    LABELS: tuple[Label, ...] = ()
    #: The config's remaps (binding id -> key), applied to this screen's bindings when it is
    #: built (see `__init__`).
    KEYMAP: dict[str, str] = {}

    @dataclass
    class SuggesterReady(Message):
        """The suggester was built (in a thread): the screen uses it from now on."""

        build: SuggesterBuild
        seconds: float

    @dataclass
    class SuggesterFailed(Message):
        error: str

    @classmethod
    def for_labels(
        cls, labels: Sequence[Label], keymap: dict[str, str] | None = None
    ) -> type[MainScreen]:
        """A subclass with one binding per label (`1` actor, ...) and the config's remaps.

        Priority bindings, like the reader's own: a tag runs as its key arrives, not after the
        key has bubbled up from the reader to the app. A text box with the focus (the list
        filter) keeps the keys it types, as it would from a plain binding."""
        bindings = [
            Binding(
                label.key,
                f"tag({index})",
                f"Tag {label.name}",
                show=False,
                id=f"tag.{label.name}",
                tooltip=f"{label.name}: {label.description}" if label.description else "",
                priority=True,
            )
            for index, label in enumerate(labels)
        ]
        attributes = {"BINDINGS": bindings, "LABELS": tuple(labels), "KEYMAP": dict(keymap or {})}
        return type(cls.__name__, (cls,), attributes)

    def __init__(self, session: Session, *, banner: str = "", warnings: Iterable[str] = ()) -> None:
        super().__init__()
        # Remapped here, not by Textual's keymap: Textual applies that after it has taken a
        # focused text box's keys out of the other bindings, by their keys then. Undo moved
        # from `u` to ctrl+z would be taken out as `u` (dead while the filter box has the
        # focus); redo moved to `R` would be left in (and run as "R" is typed there). Remapped
        # first, they are taken out by the keys they have (see `tui.app.textual_keymap`).
        self._bindings.apply_keymap(self.KEYMAP)
        self._compositor = NeededCutsCompositor()  # a frame renders only what it writes
        self.session = session
        self.config = session.config
        self.labels = self.LABELS or session.config.labels
        self.colours = {label.name: label.colour for label in self.labels}
        self.banner = banner
        self.warnings = list(warnings)
        self.active = 0
        self.split = False
        self._failed = False
        self._line_indexes: dict[str, LineIndex] = {}
        snap = self.config.snap_to_words
        self.panes = [ReaderPane(self.labels, snap_to_words=snap, index=i) for i in (0, 1)]
        self.article_list = ArticleList(self.colours, self._matches, id="articles")
        self.span_panel = SpanPanel(self.colours, id="spans")
        self.status = StatusLine(id="status")
        self._count_later: set[str] = set()
        self._count_timer: Timer | None = None

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        banner = Static(self.banner, id="banner")
        banner.display = bool(self.banner)
        yield banner
        with Horizontal(id="body"):
            yield self.article_list
            with Horizontal(id="panes"):
                yield from self.panes
            yield self.span_panel
        yield self.status
        # The footer costs ~0.1 s of CPU to build (a widget per key): it is mounted just
        # after the first paint, in a slot of its size, so the app shows up sooner.
        yield Static("", id="footer-slot")

    def on_mount(self) -> None:
        self.app.settle_cursors(self)
        for pane in self.panes:
            self.watch(pane.reader, "caret", partial(self._caret_moved, pane.reader), init=False)
        self.panes[1].display = False
        self.span_panel.display = False
        self.article_list.set_rows(self.row(a) for a in self.session.articles)
        status = self.status
        status.mode = "READ-ONLY" if self.session.read_only else ""
        if self.session.articles:
            self.open_article(self.session.articles[0], pane=0)
            self.focus_now(self.panes[0].reader)
        else:
            status.article = "no articles"
        self.call_after_refresh(self._mount_footer)
        self.call_after_refresh(self._start_suggester)
        for warning in self.warnings[:5]:
            self.notify(warning, severity="warning", timeout=8, markup=False)
        if len(self.warnings) > 5:
            self.notify(
                f"... and {len(self.warnings) - 5} more warnings (`spantag list` prints them all)",
                severity="warning",
                markup=False,
            )

    async def _mount_footer(self) -> None:
        slot = self.query_one("#footer-slot")
        await self.mount(Footer(compact=True), before=slot)
        await slot.remove()
        self.refresh_bindings()

    @property
    def pane(self) -> ReaderPane:
        return self.panes[self.active]

    @property
    def reader(self) -> Reader:
        return self.pane.reader

    def row(self, article: Article) -> ArticleRow:
        return ArticleRow(
            article.id,
            article.title,
            article.words,
            self.session.counts(article.id),
            self.session.state(article.id),
            self.session.suggestion_count(article.id),
            self.session.is_assigned(article.id),
        )

    # --- suggestions: building -----------------------------------------------------------

    @property
    def suggestions_ready(self) -> bool:
        return self.session.suggester is not None

    def _start_suggester(self) -> None:
        if self.session.suggester is not None or not self.session.articles:
            return
        spans, rejections = self.session.suggester_snapshot()
        work = partial(self._build_suggester, spans, rejections)
        self.run_worker(work, name="suggester", group="suggester", thread=True,
                        exclusive=True, exit_on_error=False)  # fmt: skip

    def _build_suggester(self, spans, rejections) -> None:
        """In a thread: index the corpus, then report back (it touches no widget, no store)."""
        worker = get_current_worker()
        began = time.perf_counter()
        try:
            build = build_suggester(
                self.session.articles,
                self.config,
                spans,
                rejections,
                cancelled=lambda: worker.is_cancelled,
            )
        except Cancelled:
            return
        except Exception as error:  # noqa: BLE001 - suggestions are optional; say why, go on
            self.post_message(self.SuggesterFailed(f"{type(error).__name__}: {error}"))
            return
        if not worker.is_cancelled:
            self.post_message(self.SuggesterReady(build, time.perf_counter() - began))

    @on(SuggesterReady)
    def _suggester_ready(self, event: SuggesterReady) -> None:
        dirty = self.session.attach_suggester(event.build.suggester)
        counts = {aid: n for aid, n in event.build.counts.items() if aid not in dirty}
        self.article_list.set_suggested(counts)
        self.refresh_suggestions(dirty | {p.article_id for p in self.panes if p.article_id})
        for warning in event.build.suggester.warnings[:5]:
            self.notify(warning, title="Suggestions", severity="warning", timeout=8, markup=False)

    @on(SuggesterFailed)
    def _suggester_failed(self, event: SuggesterFailed) -> None:
        self.notify(
            f"Suggestions are off for this run: {event.error}",
            title="Suggestions",
            severity="error",
            timeout=10,
            markup=False,
        )

    # --- suggestions: following changes --------------------------------------------------

    def refresh_suggestions(self, article_ids: Iterable[str], cursor: bool = True) -> None:
        """Redraw the suggestions of these articles wherever they show: the panes, the span
        panel and (`cursor`) the status now; their list counts now for rows on screen, else
        soon."""
        ids = set(article_ids)
        if not ids or self.session.suggester is None:
            return
        session = self.session
        changes = {article_id: session.suggestion_changes(article_id) for article_id in ids}
        for pane in self.panes:
            article_id = pane.article_id
            if article_id in ids:
                view = session.suggestion_view(article_id)
                if view is not None:
                    pane.follow_suggestions(view, changes[article_id])
        if self.span_panel.display and self.pane.article_id in ids:
            self._show_span_panel(self.pane.article_id)
        self._count_later |= ids
        shown = set(self.article_list.visible_ids())
        shown.update(pane.article_id for pane in self.panes if pane.article_id)
        self._recount(ids & shown)
        if self._count_later and self._count_timer is None:
            self._count_timer = self.set_timer(0.05, self._count_more)
        if cursor:
            self.update_cursor(self.reader)

    def _recount(self, ids: Iterable[str]) -> None:
        count = self.session.suggestion_count
        self.article_list.set_suggested({aid: count(aid) or 0 for aid in ids})
        self._count_later.difference_update(ids)

    def _count_more(self) -> None:
        """Recount a batch of the rows left for later; again next tick while some are left."""
        self._count_timer = None
        batch = [self._count_later.pop() for _ in range(min(COUNT_BATCH, len(self._count_later)))]
        self._recount(batch)
        if self._count_later:
            self._count_timer = self.set_timer(0.01, self._count_more)

    def _show_span_panel(
        self, article_id: str, suggestions: list[Suggestion] | None = None
    ) -> None:
        if suggestions is None:
            suggestions = self.session.suggestions(article_id)
        self.span_panel.show_spans(article_id, self.session.spans(article_id), suggestions)

    # --- showing articles ----------------------------------------------------------------

    def open_article(self, article: Article, pane: int | None = None) -> None:
        index = self.active if pane is None else pane
        target = self.panes[index]
        suggestions = self.session.suggestion_view(article.id)
        self.session.suggestion_changes(article.id)  # drawn whole from now: forget the past
        target.show(
            article,
            self.session.spans(article.id),
            self.position_of(article.id),
            self.session.state(article.id),
            suggestions,
        )
        if index == self.active:
            self.article_list.select(article.id)
            self.show_active()

    def _matches(self, article_id: str, query: str) -> bool:
        article = self.session.article(article_id)
        return article is not None and self.session.matches(article, query)

    def position_of(self, article_id: str) -> str:
        return f"{self.session.index(article_id) + 1}/{len(self.session.articles)}"

    def show_active(self) -> None:
        """Status, list highlight and span panel follow the active pane."""
        pane = self.pane
        article = pane.article
        if article is None:
            return
        self.status.article = f"{self.position_of(article.id)} {article.id}"
        self.update_cursor(pane.reader)
        if self.span_panel.display:
            self._show_span_panel(article.id)

    def update_cursor(self, reader: Reader) -> None:
        article = reader.article
        if article is None:
            return
        offset = reader.cursor
        index = self._line_indexes.get(article.id)
        if index is None:
            index = self._line_indexes[article.id] = LineIndex(article.text)
        line, col = index.line_col(min(offset, len(article.text)))
        status = self.status
        status.position = f"Ln {line + 1}, Col {col + 1}  offset {offset}"
        labels = sorted({span.label for span in reader.spans_at(offset)})
        status.labels = ", ".join(labels)
        pane = next((p for p in self.panes if p.reader is reader), self.pane)
        suggestion = pane.suggestion_at(offset)
        if suggestion is not None:
            status.suggestion = f"{suggestion.label} ({suggestion.source})"
            status.suggestion_style = self.colours.get(suggestion.label, "")
        else:
            status.suggestion = ""
        selection = reader.selection
        if self.session.read_only:
            status.mode = "READ-ONLY"
        elif selection is not None:
            status.mode = f"SELECT {selection[1] - selection[0]}"
        elif reader.select_mode:
            status.mode = "SELECT"  # `v` pressed: the next move starts the selection
        else:
            status.mode = ""

    def refresh_article(
        self,
        article_id: str,
        panel: bool = True,
        change: Change | None = None,
        cursor: bool = True,
    ) -> None:
        """After a change: every pane, list row, legend, (`panel`) the span panel showing it
        and (`cursor`) the status line. Suggestions are `refresh_suggestions`'s business.

        With the store's `change`, the panes showing the article take just that (O(changed))
        and the counts follow from it; without, the spans are counted once for all."""
        state = self.session.state(article_id)
        showing = [pane for pane in self.panes if pane.article_id == article_id]
        if change is not None and showing and len(change.added) + len(change.removed) <= 256:
            for pane in showing:
                pane.change_spans(change.added, change.removed)
            counts = dict(showing[0].legend.counts)
        else:
            spans = self.session.spans(article_id)
            counts = span_counts(spans)
            for pane in showing:
                pane.set_spans(spans, counts)
        for pane in showing:
            pane.set_title(self.position_of(article_id), state)
        article = self.session.article(article_id)
        if article is not None:
            row = self.article_list.rows.get(article_id)
            if row is None:
                row = self.row(article)
            else:
                full = dict.fromkeys(self.session.labels, 0)
                full.update(counts)
                # The suggester has followed the change already: its count goes in the same
                # repaint of the row (the recount after it then finds nothing to change).
                suggested = self.session.suggestion_count(article_id)
                if suggested is None:
                    suggested = row.suggested
                row = replace(row, counts=full, state=state, suggested=suggested)
            self.article_list.update_row(row)
            self.article_list.refresh_title()
        if panel and self.span_panel.display and self.pane.article_id == article_id:
            self._show_span_panel(article_id)
        if cursor:
            self.update_cursor(self.reader)

    # --- messages from widgets -----------------------------------------------------------

    def _caret_moved(self, reader: Reader, caret: Caret) -> None:
        """A reader's cursor or selection moved (watched, see `Reader.caret`)."""
        if reader is self.reader:
            self.update_cursor(reader)

    @on(DescendantFocus)
    def _focused(self, event: DescendantFocus) -> None:
        """Focus that arrives by other ways (a click) also picks the active pane."""
        self._activate(event.widget)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove_span" and isinstance(self.focused, SpanTable):
            return False  # the span panel removes the span picked in it
        return True

    def focus_now(self, widget) -> None:
        """Focus `widget` before the next key is handled (`Widget.focus` waits a turn, and a
        fast typist's next key would still go to the old widget)."""
        self.set_focus(widget)
        self._activate(widget)

    def _activate(self, widget) -> None:
        if isinstance(widget, Reader):
            for index, pane in enumerate(self.panes):
                if pane.reader is widget and index != self.active:
                    self.active = index
                    if pane.article_id is not None:
                        self.article_list.select(pane.article_id)
                    self.show_active()
        self._mark_active()

    def _mark_active(self) -> None:
        for index, pane in enumerate(self.panes):
            pane.set_class(index == self.active and self.split, "active")

    @on(ArticleList.Opened)
    def _opened(self, event: ArticleList.Opened) -> None:
        article = self.session.article(event.article_id)
        if article is not None:
            if self.pane.article_id != article.id:
                self.open_article(article)
            self.focus_now(self.reader)

    @on(SpanPanel.Jump)
    def _jump(self, event: SpanPanel.Jump) -> None:
        if self.pane.article_id == event.span.article_id:
            self.reader.move_to(event.span.start)
            self.focus_now(self.reader)

    @on(SpanPanel.Remove)
    def _remove_from_panel(self, event: SpanPanel.Remove) -> None:
        if not self._writable():
            return
        span = event.span
        if span.annotator != self.session.annotator:
            self._not_yours([span.annotator])
            return
        self._apply(lambda: self.session.remove(span), span.article_id)

    def _not_yours(self, annotators: list[str]) -> None:
        who = " and ".join(annotators)
        self.notify(
            f"That span is {who}'s: other annotators' spans are shown, never changed "
            f"(you are {self.session.annotator}).",
            markup=False,
        )

    @on(SpanPanel.Reject)
    def _reject_from_panel(self, event: SpanPanel.Reject) -> None:
        if self._writable():
            suggestion = event.suggestion
            self._apply(lambda: self.session.reject(suggestion), suggestion.article_id)

    # --- actions -------------------------------------------------------------------------

    def action_tag(self, index: int) -> None:
        if not self._writable():
            return
        label = self.labels[index].name
        reader = self.reader
        article = reader.article
        if article is None:
            return
        selection = reader.selection
        target = reader.target()
        if target is None and selection is None:
            under = reader.spans_at(reader.cursor)  # on a space inside a span: that span
            target = (under[0].start, under[0].end) if under else None
        if target is None:
            self.notify("Nothing to tag here: put the cursor on a word or select text.")
            return
        cursor = reader.cursor
        edit = self._apply(
            lambda: self.session.tag(
                article, label, target, selected=selection is not None, cursor=cursor
            ),
            article.id,
        )
        if edit is not None and selection is not None:
            reader.clear_selection()

    def action_remove_span(self) -> None:
        if not self._writable():
            return
        reader = self.reader
        article = reader.article
        if article is None:
            return
        edit = self._apply(lambda: self.session.remove_at(article.id, reader.cursor), article.id)
        if edit is None and not self._failed:
            others = self.session.others_at(article.id, reader.cursor)
            if others:
                self._not_yours(others)
            else:
                self.notify("No span under the cursor.")

    # --- suggestions: keys ---------------------------------------------------------------

    def _panel_suggestion(self) -> Suggestion | None:
        """With the span panel focused on a suggestion's row: that suggestion."""
        panel = self.span_panel
        if panel.display and panel.table.has_focus:
            item = panel.current
            if isinstance(item, Suggestion) and item.article_id == self.pane.article_id:
                return item
        return None

    def _suggestions_off(self) -> bool:
        """True (and says so) while the suggester is still being built."""
        if self.session.suggester is None:
            self.notify("Suggestions are still being prepared: a moment.", timeout=3)
            return True
        return False

    def action_accept_suggestion(self) -> None:
        """`y`: the suggestion under the cursor, else the next one after it, becomes a span."""
        if not self._writable() or self._suggestions_off():
            return
        pane = self.pane
        reader = pane.reader
        suggestion = self._panel_suggestion()
        from_panel = suggestion is not None
        if suggestion is None:
            cursor = reader.cursor
            suggestion = pane.suggestion_at(cursor) or pane.next_suggestion(cursor)
        if suggestion is None:
            self.notify("No suggestion here or after the cursor.")
            return
        edit = self._apply(lambda: self.session.accept(suggestion), suggestion.article_id)
        if edit is not None and not from_panel:
            reader.move_to(suggestion.start)

    def action_accept_all_suggestions(self) -> None:
        """`Y`: every suggestion of the article, as one change."""
        if not self._writable() or self._suggestions_off():
            return
        article_id = self.pane.article_id
        if article_id is None:
            return
        edit = self._apply(lambda: self.session.accept_all(article_id), article_id)
        if edit is None and not self._failed:
            self.notify("No suggestions in this article.")

    def action_reject_suggestion(self) -> None:
        """`r`: the suggestion under the cursor is never proposed in this article again."""
        if not self._writable() or self._suggestions_off():
            return
        pane = self.pane
        suggestion = self._panel_suggestion() or pane.suggestion_at(pane.reader.cursor)
        if suggestion is None:
            self.notify("No suggestion under the cursor.")
            return
        self._apply(lambda: self.session.reject(suggestion), suggestion.article_id)

    def action_next_suggestion(self) -> None:
        self._suggestion_jump(self.pane.next_suggestion)

    def action_prev_suggestion(self) -> None:
        self._suggestion_jump(self.pane.previous_suggestion)

    def _suggestion_jump(self, find) -> None:
        if self._suggestions_off():
            return
        reader = self.reader
        suggestion = find(reader.cursor)
        if suggestion is None:
            self.app.bell()
            return
        reader.move_to(suggestion.start)
        if self.span_panel.display:
            self.span_panel.select_span(suggestion.start)

    # --- undo ----------------------------------------------------------------------------

    def action_undo(self) -> None:
        if not self._writable():
            return
        if not self.session.undo_stack:
            self.notify("Nothing to undo.")
            return
        self._history(self.session.undo)

    def action_redo(self) -> None:
        if not self._writable():
            return
        if not self.session.redo_stack:
            self.notify("Nothing to redo.")
            return
        self._history(self.session.redo)

    def _history(self, step) -> None:
        edit = self._apply(step, None)
        if edit is None:
            return
        if all(pane.article_id != edit.article_id for pane in self.panes[: 1 + self.split]):
            article = self.session.article(edit.article_id)
            if article is not None:
                self.open_article(article)
        for pane in self.panes:
            if pane.article_id == edit.article_id and edit.offset is not None:
                pane.reader.move_to(edit.offset)

    def _apply(self, call, article_id: str | None) -> Edit | None:
        """Run one session edit; show what happened, or why nothing could be saved."""
        self._failed = False
        try:
            edit = call()
        except (SpanError, StoreError) as error:
            self._failed = True
            self.status.saved = f"NOT SAVED: {error}"
            self.status.saved_style = "bold red"
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return None
        if edit is not None:
            self.refresh_article(
                edit.article_id,
                panel=edit.article_id not in edit.dirty,
                change=edit.change,
                cursor=False,
            )
            # The span panel too, if it shows one of them; the status line once, for both.
            self.refresh_suggestions(edit.dirty, cursor=False)
            self.update_cursor(self.reader)
            self.status.saved = f"saved {time.strftime('%H:%M:%S')} {edit.what}"
            self.status.saved_style = "green"
        elif article_id is not None:
            self.refresh_article(article_id)
        return edit

    def _writable(self) -> bool:
        if self.session.read_only:
            self.notify(
                "The store is open read-only: changes are not saved.",
                title="Read-only",
                severity="warning",
            )
            return False
        return True

    def action_toggle_done(self) -> None:
        if not self._writable():
            return
        article_id = self._focused_article_id()
        if article_id is None:
            return
        try:
            done = self.session.toggle_done(article_id)
        except (ReadOnlyError, StoreError) as error:
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return
        self.refresh_article(article_id)
        self.status.saved = (
            f"saved {time.strftime('%H:%M:%S')} {article_id} {'done' if done else 'not done'}"
        )
        self.status.saved_style = "green"

    def _focused_article_id(self) -> str | None:
        focused = self.focused
        article_list = self.article_list
        if focused is not None and article_list in focused.ancestors_with_self:
            return article_list.highlighted_id
        return self.pane.article_id

    def action_split(self) -> None:
        panes = self.panes
        if not self.split:
            current = self.pane.article
            if current is None:
                return
            self.split = True
            other = panes[1 - self.active]
            other.display = True
            if other.article is None or other.article_id == current.id:
                following = self._neighbour(current.id, 1) or current
                self.open_article(following, pane=1 - self.active)
        else:
            self.split = False
            if self.active == 1:
                article = panes[1].article
                cursor = panes[1].reader.cursor
                self.active = 0
                if article is not None:
                    self.open_article(article, pane=0)
                    panes[0].reader.move_to(cursor)
            panes[1].display = False
            if self.focused is panes[1].reader or self.focused is None:
                self.focus_now(panes[0].reader)
        self._mark_active()

    def _neighbour(self, article_id: str, step: int) -> Article | None:
        """The next/previous article in the list's order (the filter's, if it has this one)."""
        order = self.article_list.shown_ids
        if article_id not in order:
            order = [a.id for a in self.session.articles]
        if not order:
            return None
        index = order.index(article_id) if article_id in order else -step
        return self.session.article(order[(index + step) % len(order)])

    def action_step_article(self, step: int) -> None:
        index = 1 - self.active if self.split else self.active
        pane = self.panes[index]
        if pane.article_id is None:
            return
        article = self._neighbour(pane.article_id, step)
        if article is not None:
            self.open_article(article, pane=index)

    def action_switch_pane(self) -> None:
        focused = self.focused
        if isinstance(focused, Reader):
            if self.split:
                self.focus_now(self.panes[1 - self.active].reader)
            elif self.article_list.display:
                self.focus_now(self.article_list.options)
        else:
            self.focus_now(self.reader)

    def action_span_panel(self) -> None:
        panel = self.span_panel
        if panel.display:
            panel.display = False
            self.focus_now(self.reader)
            return
        panel.display = True
        article_id = self.pane.article_id
        if article_id is not None:
            self._show_span_panel(article_id)
            panel.select_span(self.reader.cursor)
        self.focus_now(panel.table)

    def action_toggle_list(self) -> None:
        """Hide or show the list; the focus stays where it was (as with an editor's sidebar),
        unless it was in the list being hidden."""
        article_list = self.article_list
        article_list.display = not article_list.display
        if not article_list.display:
            self.focus_now(self.reader)

    def action_filter(self) -> None:
        self.article_list.display = True
        self.article_list.open_filter()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.app.help_rows()))

    def action_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.session.corpus, self.session.store, self.config))

    def action_export(self) -> None:
        from tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(self.session))

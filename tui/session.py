"""One annotation session: the corpus, the open store and the undo history the app edits.

The app's rules for what a label key does live here, apart from Textual, so they can be tested
on a real store without a screen: tag, toggle off, relabel, remove, accept and reject
suggestions, undo and redo. Every edit goes through `annotations.store.Store` and is durable
when the method returns; the session's `Suggester` (once built) follows every edit at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotations.articles import Article, Corpus, load_corpus
from annotations.assign import AssignmentError, assigned_to, load_assignments, mine_first
from annotations.config import Config
from annotations.resolve import Changed, Resolved, load_numpy
from annotations.spans import Span, make_span
from annotations.store import Change, Store, StoreLocked, StoreNotWritable, corpus_with_store
from annotations.suggest import Suggester, Suggestion

NEW, IN_PROGRESS, DONE = "new", "in progress", "done"


@dataclass
class Opened:
    """What opening the session found worth telling the user."""

    warnings: list[str] = field(default_factory=list)
    locked: StoreLocked | StoreNotWritable | None = None
    """Set when the store could not be opened for writing (another spantag holds it, or the
    file or its folder is read-only) and the session fell back to read-only."""


Rejection = tuple[int, int, str]
"""(start, end, label) of a rejected suggestion, in the edit's article."""


@dataclass(frozen=True)
class Edit:
    """A change made by a key, and where it happened (to put the cursor back on undo)."""

    change: Change
    article_id: str
    what: str
    """One short line for the status bar: "+actor 'Putin'", "undo: -actor 'Putin'"."""
    rejected: tuple[Rejection, ...] = ()
    """Suggestions this edit rejected (`r`); undo un-rejects them."""
    unrejected: tuple[Rejection, ...] = ()
    dirty: frozenset[str] = frozenset()
    """Articles whose suggestions the edit changed (the edit's own article included)."""

    @property
    def offset(self) -> int | None:
        spans = self.change.added + self.change.removed
        starts = [span.start for span in spans]
        starts += [start for start, _, _ in self.rejected + self.unrejected]
        return min(starts, default=None)

    def inverse(self, what: str) -> Edit:
        return Edit(self.change.inverse(), self.article_id, what, self.unrejected, self.rejected)


class Cancelled(Exception):
    """`build_suggester` stopped because its caller gave up (the app is quitting)."""


@dataclass
class SuggesterBuild:
    """What `build_suggester` hands back to the thread that uses the suggester from then on."""

    suggester: Suggester
    counts: dict[str, int]
    """Article id -> suggestions waiting there, for every article."""


def build_suggester(
    articles: Iterable[Article],
    config: Config,
    spans: Iterable[Span],
    rejections: Mapping[str, Iterable[Rejection]],
    cancelled: Callable[[], bool] = lambda: False,
) -> SuggesterBuild:
    """Index the corpus, load a snapshot of the store and count every article's suggestions.

    Seconds on a big corpus: run it off the UI thread. `spans`/`rejections` are a snapshot
    (`Session.suggester_snapshot`) so that this thread never reads the store while the UI
    writes it. Raises `Cancelled` soon after `cancelled()` turns true.
    """

    def watched(items: Iterable[Article]) -> Iterable[Article]:
        for item in items:
            if cancelled():
                raise Cancelled
            yield item

    load_numpy()  # here, off the UI thread, rather than on the first tag
    suggester = Suggester(watched(articles), config)
    suggester.load_spans(spans)
    suggester.load_rejections(rejections)
    counts: dict[str, int] = {}
    for article_id in suggester.article_ids:
        if cancelled():
            raise Cancelled
        counts[article_id] = suggester.count(article_id)
    return SuggesterBuild(suggester, counts)


def _assigned(config: Config, opened: Opened) -> set[str] | None:
    """The articles assigned to the config's annotator, or None (no file, or not in it)."""
    if config.assignments is None:
        return None
    try:
        mine = assigned_to(load_assignments(config.assignments), config.annotator)
    except AssignmentError as error:
        opened.warnings.append(str(error))
        return None
    if not mine:
        opened.warnings.append(
            f"{config.assignments}: no articles assigned to {config.annotator!r}"
        )
        return None
    return mine


class Session:
    """The corpus, the store and the history of one run of the app."""

    def __init__(self, config: Config, store: Store, corpus: Corpus) -> None:
        self.config = config
        self.store = store
        self.corpus = corpus
        self.annotator = config.annotator
        self.labels = config.label_names
        self.undo_stack: list[Edit] = []
        self.redo_stack: list[Edit] = []
        self._lower: dict[str, str] = {}
        self._positions: dict[str, int] | None = None
        self.suggester: Suggester | None = None
        """None until `attach_suggester` (it is built off the UI thread)."""
        self._pending: list[Edit] | None = None
        """Edits made since `suggester_snapshot`, replayed on the suggester when it arrives."""
        self.assigned: set[str] | None = None
        """This annotator's articles from `assignments:` in the config; None without one."""
        self.part = False
        """Opened on paths given on the command line: a part of the corpus, so an export
        does not report the spans of the other articles as lost."""

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        config: Config,
        store_path: Path,
        paths: Iterable[str] | None = None,
        read_only: bool = False,
    ) -> tuple[Session, Opened]:
        """Load the corpus and open the store; a locked store opens read-only.

        Raises ConfigError-free domain errors (CorpusError, StoreError) for the app to show.
        """
        opened = Opened()
        corpus = load_corpus(list(paths) if paths else [str(p) for p in config.corpus])
        opened.warnings.extend(corpus.warnings)
        try:
            store = Store.open(store_path, read_only=read_only)
        except (StoreLocked, StoreNotWritable) as locked:
            opened.locked = locked
            store = Store.open(store_path, read_only=True)
        try:
            corpus, moved = corpus_with_store(corpus, store)
            opened.warnings.extend(moved)
            assigned = _assigned(config, opened)
            if assigned is not None:
                corpus = Corpus(tuple(mine_first(corpus.articles, assigned)), corpus.warnings)
        except Exception:
            store.close()
            raise
        session = cls(config, store, corpus)
        session.assigned = assigned
        session.part = bool(paths)
        return session, opened

    def close(self) -> None:
        self.store.close()

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    # --- reading -------------------------------------------------------------------------

    @property
    def articles(self) -> tuple[Article, ...]:
        return self.corpus.articles

    def article(self, article_id: str) -> Article | None:
        return self.corpus.get(article_id)

    def index(self, article_id: str) -> int:
        if self._positions is None:
            self._positions = {a.id: i for i, a in enumerate(self.corpus.articles)}
        return self._positions[article_id]

    def spans(self, article_id: str) -> list[Span]:
        return self.store.spans(article_id)

    def my_spans(self, article_id: str) -> list[Span]:
        """The spans a key may change: this annotator's, and drawn (not stale). Other
        annotators' spans (imported, or in a shared store) are shown but never touched."""
        return self._mine(self.store.spans(article_id))

    def _mine(self, spans: Iterable[Span]) -> list[Span]:
        return [s for s in spans if s.annotator == self.annotator and not s.stale]

    def is_assigned(self, article_id: str) -> bool:
        """True unless an assignments file gives this annotator articles and not this one."""
        return self.assigned is None or article_id in self.assigned

    def counts(self, article_id: str) -> dict[str, int]:
        counts = dict.fromkeys(self.labels, 0)
        for span in self.spans(article_id):
            counts[span.label] = counts.get(span.label, 0) + 1
        return counts

    def is_done(self, article_id: str) -> bool:
        return self.store.is_done(article_id)

    def state(self, article_id: str) -> str:
        if self.is_done(article_id):
            return DONE
        return IN_PROGRESS if self.store.has_spans(article_id) else NEW

    def matches(self, article: Article, query: str) -> bool:
        """The list filter: a case-insensitive substring of the title or the text."""
        query = query.strip().lower()
        if not query:
            return True
        if article.id not in self._lower:
            self._lower[article.id] = article.text.lower()
        return query in article.title.lower() or query in self._lower[article.id]

    # --- editing -------------------------------------------------------------------------

    def tag(
        self,
        article: Article,
        label: str,
        target: tuple[int, int],
        *,
        selected: bool,
        cursor: int | None = None,
    ) -> Edit | None:
        """What a label key does.

        With a selection: the same label on the same range removes that span; another label
        on exactly that range relabels it; else a new span (replacing overlapping spans of the
        same label, as the store does). Without one: if the cursor is in spans, the same label
        removes the innermost span of that label there and another label relabels the
        innermost span; else the word under the cursor (`target`) is tagged.
        """
        if selected:
            start, end = target
            spans = self._mine(self.store.spans_overlapping(article.id, start, end))
            same = [s for s in spans if (s.start, s.end) == (start, end)]
        else:
            at = cursor if cursor is not None else target[0]
            spans = self._mine(self.store.spans_overlapping(article.id, at, at + 1))
            same = sorted(spans, key=lambda s: s.end - s.start)
        for span in same:
            if span.label == label:
                return self._record(self.store.remove(span), article.id)
        if same:
            old = same[0]
            new = make_span(
                article.id, article.text, old.start, old.end, label, self.labels, self.annotator
            )
            return self._record(self.store.apply(add=(new,), remove=(old,)), article.id)
        new = make_span(article.id, article.text, *target, label, self.labels, self.annotator)
        return self._record(self.store.add(new), article.id)

    def remove(self, span: Span) -> Edit | None:
        """Remove one of this annotator's spans (a stale one too: the span panel is where it
        is cleared); None (nothing done) for anyone else's."""
        if span.annotator != self.annotator:
            return None
        return self._record(self.store.remove(span), span.article_id)

    def remove_at(self, article_id: str, offset: int) -> Edit | None:
        """Remove the innermost span under `offset` (one per key press)."""
        under = self._mine(self.store.spans_overlapping(article_id, offset, offset + 1))
        if not under:
            return None
        return self.remove(min(under, key=lambda s: (s.end - s.start, s.label)))

    def others_at(self, article_id: str, offset: int) -> list[str]:
        """Who else has a span under `offset` (to say why a key left it alone)."""
        spans = self.store.spans_overlapping(article_id, offset, offset + 1)
        return sorted({s.annotator for s in spans if s.annotator != self.annotator and not s.stale})

    def undo(self) -> Edit | None:
        if not self.undo_stack:
            return None
        edit = self.undo_stack[-1]
        done = self._carry_out(edit.inverse(f"undo: {edit.what}"))
        self.undo_stack.pop()  # only once it is saved: a failed undo can be tried again
        self.redo_stack.append(edit)
        return replace(done, dirty=frozenset(self._follow(done)))

    def redo(self) -> Edit | None:
        if not self.redo_stack:
            return None
        edit = self.redo_stack[-1]
        done = self._carry_out(replace(edit, what=f"redo: {edit.what}"))
        self.redo_stack.pop()
        self.undo_stack.append(edit)
        return replace(done, dirty=frozenset(self._follow(done)))

    # --- suggestions ---------------------------------------------------------------------

    def suggester_snapshot(self) -> tuple[list[Span], dict[str, set[Rejection]]]:
        """The store's spans and rejections for `build_suggester`, taken on this thread.

        Edits from now on are remembered and replayed by `attach_suggester`.
        """
        spans = self.store.all_spans()
        ids = {a.id for a in self.articles} | set(self.store.article_ids_with_spans())
        rejections = {aid: self.store.rejections(aid) for aid in ids}
        self._pending = []
        return spans, {aid: items for aid, items in rejections.items() if items}

    def attach_suggester(self, suggester: Suggester) -> set[str]:
        """Use `suggester` from now on; returns the articles that edits made meanwhile changed."""
        dirty: set[str] = set()
        for edit in self._pending or ():
            dirty |= self._follow_with(suggester, edit)
        self._pending = None
        self.suggester = suggester
        return dirty

    def suggestions(self, article_id: str) -> list[Suggestion]:
        """The suggestions waiting in an article, in text order ([] until the suggester is in)."""
        return self.suggester.suggestions(article_id) if self.suggester is not None else []

    def suggestion_view(self, article_id: str) -> Resolved | None:
        """An article's live suggestions (what the reader draws from); None until the
        suggester is in. Ask again after each change: see `Suggester.view`."""
        return self.suggester.view(article_id) if self.suggester is not None else None

    def suggestion_changes(self, article_id: str) -> Changed | None:
        """Where an article's suggestions changed since last asked (None: anywhere)."""
        return self.suggester.take_changed(article_id) if self.suggester is not None else None

    def suggestion_count(self, article_id: str) -> int | None:
        """How many suggestions wait in an article; None until the suggester is in."""
        return self.suggester.count(article_id) if self.suggester is not None else None

    def accept(self, suggestion: Suggestion) -> Edit | None:
        """Store a suggestion as a span marked with its source (`propagated`, ...)."""
        span = suggestion.to_span(self.annotator)
        what = f"{describe(Change(added=(span,)))} ({suggestion.source})"
        return self._record(self.store.add(span), span.article_id, what)

    def accept_all(self, article_id: str) -> Edit | None:
        """Every suggestion of the article as spans, in one change (one undo)."""
        spans = [s.to_span(self.annotator) for s in self.suggestions(article_id)]
        if not spans:
            return None
        change = self.store.apply(add=spans)
        return self._record(change, article_id, f"accepted {len(change.added)} suggestions")

    def reject(self, suggestion: Suggestion) -> Edit:
        """Never propose this suggestion in its article again (kept in the store); undoable."""
        aid, key = suggestion.article_id, suggestion.key
        self.store.reject(aid, *key)
        what = f"rejected {suggestion.label} {_quote(suggestion.text)}"
        edit = Edit(Change(), aid, what, rejected=(key,))
        self.undo_stack.append(edit)
        self.redo_stack.clear()
        return replace(edit, dirty=frozenset(self._follow(edit)))

    def _carry_out(self, edit: Edit) -> Edit:
        """Make the store match an undo or redo step; returns the edit as it happened."""
        change = edit.change
        if change:
            change = self.store.apply(add=change.added, remove=change.removed)
        for key in edit.unrejected:
            self.store.unreject(edit.article_id, *key)
        for key in edit.rejected:
            self.store.reject(edit.article_id, *key)
        return replace(edit, change=change)

    def _follow(self, edit: Edit) -> set[str]:
        """Keep the suggester in step with an edit just stored; the articles it changed."""
        if self.suggester is not None:
            return self._follow_with(self.suggester, edit)
        if self._pending is not None:
            self._pending.append(edit)
        return set()

    @staticmethod
    def _follow_with(suggester: Suggester, edit: Edit) -> set[str]:
        aid = edit.article_id
        dirty = suggester.apply(edit.change) if edit.change else set()
        for key in edit.unrejected:
            dirty |= suggester.unreject(aid, *key)
        for key in edit.rejected:
            dirty |= suggester.reject(aid, *key)
        return dirty

    # --- done ----------------------------------------------------------------------------

    def toggle_done(self, article_id: str) -> bool:
        done = not self.is_done(article_id)
        self.store.set_done(article_id, done)
        return done

    def _record(self, change: Change, article_id: str, what: str = "") -> Edit | None:
        if not change:
            return None
        edit = Edit(change, article_id, what or describe(change))
        self.undo_stack.append(edit)
        self.redo_stack.clear()
        return replace(edit, dirty=frozenset(self._follow(edit)))


def describe(change: Change) -> str:
    """A short line for the status bar: "+actor 'Putin'", "actor→demand 'Putin'"."""
    added = {(s.start, s.end): s for s in change.added}
    parts = []
    for span in change.removed:
        new = added.pop((span.start, span.end), None)
        if new is not None:
            parts.append(f"{span.label}→{new.label} {_quote(new.text)}")
        else:
            parts.append(f"-{span.label} {_quote(span.text)}")
    parts.extend(f"+{span.label} {_quote(span.text)}" for span in added.values())
    return ", ".join(parts)


def _quote(text: str, width: int = 30) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…")

"""One annotation session: the corpus, the open store and the undo history the app edits.

The app's rules for what a label key does live here, apart from Textual, so they can be tested
on a real store without a screen: tag, toggle off, relabel, remove, undo and redo. Every edit
goes through `annotations.store.Store` and is durable when the method returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from annotations.articles import Article, Corpus, load_corpus
from annotations.config import Config
from annotations.spans import Span, make_span
from annotations.store import Change, Store, StoreLocked

NEW, IN_PROGRESS, DONE = "new", "in progress", "done"


@dataclass
class Opened:
    """What opening the session found worth telling the user."""

    warnings: list[str] = field(default_factory=list)
    locked: StoreLocked | None = None
    """Set when another spantag holds the store and the session fell back to read-only."""


@dataclass(frozen=True)
class Edit:
    """A change made by a key, and where it happened (to put the cursor back on undo)."""

    change: Change
    article_id: str
    what: str
    """One short line for the status bar: "+actor 'Putin'", "undo: -actor 'Putin'"."""

    @property
    def offset(self) -> int | None:
        spans = self.change.added + self.change.removed
        return min((span.start for span in spans), default=None)


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
        except StoreLocked as locked:
            opened.locked = locked
            store = Store.open(store_path, read_only=True)
        try:
            if not store.read_only:
                for report in store.sync_articles(corpus.articles):
                    opened.warnings.extend(report.lines())
            known = {article.id for article in corpus}
            extra = tuple(a for a in store.stored_articles() if a.id not in known)
        except Exception:
            store.close()
            raise
        corpus = Corpus(corpus.articles + extra, corpus.warnings)
        return cls(config, store, corpus), opened

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
        return IN_PROGRESS if self.spans(article_id) else NEW

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
        spans = self.spans(article.id)
        if selected:
            start, end = target
            same = [s for s in spans if (s.start, s.end) == (start, end)]
        else:
            at = cursor if cursor is not None else target[0]
            same = sorted(
                (s for s in spans if s.start <= at < s.end), key=lambda s: (s.end - s.start)
            )
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
        return self._record(self.store.remove(span), span.article_id)

    def remove_at(self, article_id: str, offset: int) -> Edit | None:
        """Remove the innermost span under `offset` (one per key press)."""
        under = [s for s in self.spans(article_id) if s.start <= offset < s.end]
        if not under:
            return None
        return self.remove(min(under, key=lambda s: (s.end - s.start, s.label)))

    def undo(self) -> Edit | None:
        if not self.undo_stack:
            return None
        edit = self.undo_stack[-1]
        inverse = edit.change.inverse()
        self.store.apply(add=inverse.added, remove=inverse.removed)
        self.undo_stack.pop()  # only once it is saved: a failed undo can be tried again
        self.redo_stack.append(edit)
        return Edit(inverse, edit.article_id, f"undo: {edit.what}")

    def redo(self) -> Edit | None:
        if not self.redo_stack:
            return None
        edit = self.redo_stack[-1]
        self.store.apply(add=edit.change.added, remove=edit.change.removed)
        self.redo_stack.pop()
        self.undo_stack.append(edit)
        return Edit(edit.change, edit.article_id, f"redo: {edit.what}")

    def toggle_done(self, article_id: str) -> bool:
        done = not self.is_done(article_id)
        self.store.set_done(article_id, done)
        return done

    def _record(self, change: Change, article_id: str) -> Edit | None:
        if not change:
            return None
        edit = Edit(change, article_id, describe(change))
        self.undo_stack.append(edit)
        self.redo_stack.clear()
        return edit


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

"""One reader pane: a title bar, the Reader and the legend under it.

The keys acting on "the suggestion under the cursor" (`y`, `r`, `}`, `{`) and the status line
look suggestions up in the Reader's own index (no second copy here), so they need not ask the
suggester (which builds a list of every suggestion of the article per call).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from annotations.articles import Article
from annotations.config import Label
from annotations.resolve import Changed
from annotations.spans import Span
from annotations.suggest import Suggestion
from tui.widgets.legend import Legend
from tui.widgets.one_line import TitleBar
from tui.widgets.reader import LiveSuggestions, Reader


class ReaderPane(Vertical):
    """A pane that shows one article; the app may show two side by side."""

    def __init__(
        self, labels: Sequence[Label], *, snap_to_words: bool = True, index: int = 0
    ) -> None:
        super().__init__(id=f"pane-{index}", classes="pane")
        self.labels = tuple(labels)
        self.index = index
        self.snap_to_words = snap_to_words
        self.article: Article | None = None
        self.title_bar = TitleBar("", id=f"pane-title-{index}", classes="pane-title")
        self.reader = Reader(
            {label.name: label.colour for label in self.labels},
            snap_to_words=snap_to_words,
            id=f"reader-{index}",
        )
        self.legend = Legend(self.labels, id=f"legend-{index}")

    def compose(self) -> ComposeResult:
        yield self.title_bar
        yield self.reader
        yield self.legend

    @property
    def article_id(self) -> str | None:
        return self.article.id if self.article is not None else None

    def show(
        self,
        article: Article,
        spans: Sequence[Span],
        position: str,
        state: str,
        suggestions: Sequence[Suggestion] | LiveSuggestions | None = None,
    ) -> None:
        """Show an article; `suggestions` None: none known yet (the suggester is building).
        A live source (the suggester's `view`) is drawn from as it changes: see
        `follow_suggestions`."""
        self.article = article
        self.reader.show(article, spans, () if suggestions is None else suggestions)
        self.set_title(position, state)
        self.legend.show_counts(span_counts(spans))
        self.legend.suggested = len(suggestions) if suggestions is not None else None

    def set_spans(self, spans: Sequence[Span], counts: dict[str, int] | None = None) -> None:
        """Replace the spans shown; `counts` (per label) if the caller has them already."""
        self.reader.set_spans(spans)
        self.legend.show_counts(span_counts(spans) if counts is None else counts)

    def change_spans(self, added: Sequence[Span], removed: Sequence[Span]) -> None:
        """Add and remove a few spans (a store `Change`): O(changed), counts too."""
        # The store hands back equal spans, not always the objects the reader holds: find
        # those near each span (a few comparisons) so the reader drops them by identity
        # rather than comparing every span it holds.
        held = [
            next((s for s in self.reader.spans_at(span.start) if s == span), span)
            for span in removed
        ]
        self.reader.change_spans(added, held)
        counts = dict(self.legend.counts)
        for span in removed:
            counts[span.label] = counts.get(span.label, 0) - 1
        for span in added:
            counts[span.label] = counts.get(span.label, 0) + 1
        self.legend.show_counts(counts)

    def follow_suggestions(
        self, source: LiveSuggestions, changed: Changed | Sequence[tuple[int, int]] | None
    ) -> None:
        """The article's live suggestions changed in the stretches `changed` (None: anywhere):
        repaint what shows them, in O(the change), not O(the article's suggestions)."""
        self.reader.follow_suggestions(source, changed)
        self.legend.suggested = len(source)

    @property
    def suggestions(self) -> list[Suggestion]:
        """The suggestions shown, in text order."""
        return self.reader.suggestions

    def suggestion_at(self, offset: int) -> Suggestion | None:
        """The suggestion covering `offset` (suggestions never overlap: at most one)."""
        found = self.reader.suggestions_at(offset)
        return found[0] if found else None

    def next_suggestion(self, offset: int) -> Suggestion | None:
        """The first suggestion starting after `offset`."""
        start = self.reader.next_suggestion_start(offset)
        return self.suggestion_at(start) if start is not None else None

    def previous_suggestion(self, offset: int) -> Suggestion | None:
        """The last suggestion starting before `offset`."""
        start = self.reader.prev_suggestion_start(offset)
        return self.suggestion_at(start) if start is not None else None

    def set_title(self, position: str, state: str) -> None:
        if self.article is None:
            return
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"{position} ", style="dim")
        title.append(self.article.title or self.article.id, style="bold")
        title.append(f"  {state}", style="dim italic")
        self.title_bar.update(title)  # repaints only if it changed


def span_counts(spans: Sequence[Span]) -> dict[str, int]:
    """How many spans carry each label."""
    counts: dict[str, int] = {}
    for span in spans:
        counts[span.label] = counts.get(span.label, 0) + 1
    return counts

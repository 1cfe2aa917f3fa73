"""One reader pane: a title bar, the Reader and the legend under it."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from annotations.articles import Article
from annotations.config import Label
from annotations.spans import Span
from tui.widgets.legend import Legend
from tui.widgets.reader import Reader


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
        self.title_bar = Static("", id=f"pane-title-{index}", classes="pane-title")
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

    def show(self, article: Article, spans: Sequence[Span], position: str, state: str) -> None:
        self.article = article
        self.reader.show(article, spans)
        self.set_title(position, state)
        self.legend.show_counts(_counts(spans))

    def set_spans(self, spans: Sequence[Span]) -> None:
        self.reader.set_spans(spans)
        self.legend.show_counts(_counts(spans))

    def set_title(self, position: str, state: str) -> None:
        if self.article is None:
            return
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"{position} ", style="dim")
        title.append(self.article.title or self.article.id, style="bold")
        title.append(f"  {state}", style="dim italic")
        self.title_bar.update(title)


def _counts(spans: Sequence[Span]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for span in spans:
        counts[span.label] = counts.get(span.label, 0) + 1
    return counts

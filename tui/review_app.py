"""Review mode's app: `Review` (tui.review_state) shown on the review screen.

`spantag review A.json B.json -o merged.json` and the tests build the same app with
`make_review_app`. What a review is, what goes into the merged store and when, lives in
`tui.review_state`, which knows nothing of Textual; this module only runs it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.screen import Screen

from annotations.config import Config
from tui.review_state import (
    DECISION_PREFIX,
    META_REVIEW,
    Review,
    ReviewArticle,
    ReviewError,
    decision_key,
    describe_choice,
)

__all__ = [
    "DECISION_PREFIX",
    "META_REVIEW",
    "Review",
    "ReviewApp",
    "ReviewArticle",
    "ReviewError",
    "decision_key",
    "describe_choice",
    "make_review_app",
]


class ReviewApp(App[int]):
    """Review mode: A and B side by side; keys decide what goes into the merged store."""

    CSS_PATH = "review.tcss"
    TITLE = "spantag review"

    def __init__(self, config: Config, review: Review) -> None:
        super().__init__()
        self.config = config
        self.review = review

    def get_default_screen(self) -> Screen:
        from tui.screens.review import ReviewScreen

        return ReviewScreen(self.config, self.review)

    def on_mount(self) -> None:
        for warning in self.review.warnings[:5]:
            self.notify(warning, severity="warning", timeout=8, markup=False)

    def on_unmount(self) -> None:
        self.review.close()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The app's own commands, then every review key by name."""
        yield from super().get_system_commands(screen)
        from tui.screens.review import ReviewScreen

        review_screen = next(
            (s for s in reversed(self.screen_stack) if isinstance(s, ReviewScreen)), None
        )
        if review_screen is None:
            return
        for title, keys, action, help_text in review_screen.commands():
            yield SystemCommand(
                title, f"{keys}  {help_text}".strip(), partial(review_screen.run_action, action)
            )


def make_review_app(
    config: Config,
    store_a: str | Path,
    store_b: str | Path,
    merged: str | Path,
    corpus_paths: Sequence[str] | None = None,
    reviewer: str | None = None,
) -> ReviewApp:
    """The app `spantag review` runs. Opens the stores now: raises `ReviewError`/`StoreError`
    (one line each) when the review cannot start. Close with `app.review.close()` if the app
    is never run (running it closes the stores when it exits)."""
    review = Review.open(config, store_a, store_b, merged, corpus_paths, reviewer)
    return ReviewApp(config, review)

"""Snapshots at 120x40 of review mode and the stats screen. Update with
`python -m pytest tests/test_snapshots_review.py --snapshot-update`, then look at them.

The stores are those of tests/test_review.py, built before the app starts; decisions shown
as made are made through `Review.decide` before the app runs, so no clock time is drawn.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_review import make_stores
from test_stats_screen import fill
from textual.app import App

from annotations.articles import Corpus
from annotations.config import Config
from annotations.store import Store
from tui.review_app import ReviewApp, make_review_app
from tui.screens.stats import StatsScreen

SIZE = (120, 40)


@pytest.fixture
def review(config: Config, project: Path):
    """`review()`: the review app on the test stores (reviewer carol), closed afterwards."""
    stores = make_stores(config, project)
    apps: list[ReviewApp] = []

    def build() -> ReviewApp:
        app = make_review_app(config, *stores, reviewer="carol")
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.review.close()


async def settle(pilot) -> None:
    """Let the stats worker finish and the screen repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_review_first_disagreement(snap_compare, review) -> None:
    assert snap_compare(review(), terminal_size=SIZE)


def test_review_decided_and_current(snap_compare, review) -> None:
    """Three decisions made (A, both, neither); `N` goes back to the one taken as both."""
    app = review()
    for index, choice in ((0, "a"), (1, "both"), (2, "neither")):
        app.review.decide(index, choice)
    assert snap_compare(app, terminal_size=SIZE, press=["N", "N"])


def test_review_stats(snap_compare, review) -> None:
    async def open_stats(pilot) -> None:
        await pilot.press("S")
        await settle(pilot)

    assert snap_compare(review(), terminal_size=SIZE, run_before=open_stats)


class StatsHost(App[None]):
    def __init__(self, corpus: Corpus, store: Store, config: Config) -> None:
        super().__init__()
        self.corpus, self.store, self.config = corpus, store, config

    def on_mount(self) -> None:
        self.push_screen(StatsScreen(self.corpus, self.store, self.config))


def test_stats_screen_two_annotators(snap_compare, config: Config, store_path: Path) -> None:
    corpus = fill(config, store_path)
    with Store.open(store_path, read_only=True) as store:
        assert snap_compare(StatsHost(corpus, store, config), terminal_size=SIZE, run_before=settle)

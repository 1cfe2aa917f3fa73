"""The stats screen: what it draws from `corpus_stats`, and opening and closing it.

`StatsScreen(corpus, store, config)` is pushed by the main app (`S`) and by review mode (`S`,
with A's and B's stores as `sides`). Here a small host app pushes it over a real store.
"""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from test_review import make_stores
from textual.app import App
from textual.widgets import Static

from annotations.articles import Corpus, load_corpus
from annotations.config import Config
from annotations.spans import make_span
from annotations.stats import corpus_stats
from annotations.store import Store
from tui.review_app import make_review_app
from tui.screens.review import ReviewScreen
from tui.screens.stats import StatsScreen, render_screen

SIZE = (120, 40)

#: (article index, phrase, label, annotator): alice and bob overlap in article 0.
SPANS = [
    (0, "Russia", "actor", "alice"),
    (0, "Wednesday", "date", "alice"),
    (0, "Vladimir Putin", "actor", "alice"),
    (0, "Russia", "actor", "bob"),
    (0, "Wednesday", "venue", "bob"),
    (0, "President Vladimir Putin", "actor", "bob"),
    (1, "NATO", "actor", "alice"),
    (2, "Monday", "date", "bob"),
]


def fill(config: Config, path: Path, spans=SPANS, done: tuple[int, ...] = (1,)) -> Corpus:
    corpus = load_corpus([str(p) for p in config.corpus])
    articles = corpus.articles
    with Store.open(path) as store:
        store.sync_articles(articles)
        for index, phrase, label, who in spans:
            article = articles[index]
            start = article.text.index(phrase)
            store.add(
                make_span(
                    article.id,
                    article.text,
                    start,
                    start + len(phrase),
                    label,
                    config.label_names,
                    who,
                )
            )
        for index in done:
            store.set_done(articles[index].id, True)
    return corpus


def plain(renderable, width: int = 110) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


class StatsHost(App[None]):
    """A bare app that shows the stats screen at once, as the main app's `S` does."""

    def __init__(self, corpus: Corpus, store: Store, config: Config) -> None:
        super().__init__()
        self.corpus, self.store, self.config = corpus, store, config

    def on_mount(self) -> None:
        self.push_screen(StatsScreen(self.corpus, self.store, self.config))


# --- what it draws -----------------------------------------------------------------------


def test_render_counts_bars_annotators_and_agreement(config: Config, store_path: Path) -> None:
    corpus = fill(config, store_path)
    with Store.open(store_path, read_only=True) as store:
        stats = corpus_stats(corpus, store, config.label_names)
    text = plain(render_screen(stats, config.colours))
    assert "Articles 5: 1 done, 2 in progress, 2 new" in text
    assert "20% done" in text
    assert "Spans per label (8)" in text
    bars = text[text.index("Spans per label") :].splitlines()[1:5]
    assert [line.split()[:2] for line in bars] == [
        ["actor", "5"],
        ["demand", "0"],
        ["venue", "1"],
        ["date", "2"],
    ]
    assert "alice (4)" in text and "bob (4)" in text  # one bar chart per annotator
    assert "Suggestions: 0 accepted, 0 rejected." in text
    assert "Agreement" in text and "bob against alice: 1 article(s)" in text
    assert "Cohen's kappa" in text


def test_render_without_overlap_says_so(config: Config, store_path: Path) -> None:
    only_alice = [s for s in SPANS if s[3] == "alice"]
    corpus = fill(config, store_path, only_alice, done=())
    with Store.open(store_path, read_only=True) as store:
        stats = corpus_stats(corpus, store, config.label_names)
    text = plain(render_screen(stats, config.colours))
    assert "Articles 5: 0 done, 2 in progress, 3 new" in text
    assert "All 4 span(s) by alice." in text
    assert "no two annotators have spans in the same article" in text
    assert "against" not in text


def test_render_of_an_empty_store(config: Config, store_path: Path) -> None:
    corpus = fill(config, store_path, spans=(), done=())
    with Store.open(store_path, read_only=True) as store:
        stats = corpus_stats(corpus, store, config.label_names)
    text = plain(render_screen(stats, config.colours))
    assert "Articles 5: 0 done, 0 in progress, 5 new" in text
    assert "Spans per label (0)" in text


# --- the screen -------------------------------------------------------------------------


async def test_screen_counts_in_a_worker_and_closes(config: Config, store_path: Path) -> None:
    corpus = fill(config, store_path)
    with Store.open(store_path, read_only=True) as store:
        app = StatsHost(corpus, store, config)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, StatsScreen)
            assert screen.stats is not None and screen.stats.spans == 8
            assert [(p.a, p.b) for p in screen.stats.agreement] == [("alice", "bob")]
            shown = plain(screen.query_one("#stats-content", Static).content)
            assert "Spans per label (8)" in shown and "bob against alice" in shown
            await pilot.press("pagedown", "down", "up")
            await pilot.press("escape")
            assert not isinstance(app.screen, StatsScreen)
            app.push_screen(StatsScreen(corpus, store, config))
            await pilot.pause()
            assert isinstance(app.screen, StatsScreen)
            await pilot.press("q")
            assert not isinstance(app.screen, StatsScreen)


async def test_review_stats_show_a_against_b(config: Config, project: Path) -> None:
    a, b, merged = make_stores(config, project)
    app = make_review_app(config, a, b, merged, reviewer="carol")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("S")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        assert screen.stats is not None and screen.stats.articles == 4
        assert screen.stats.agreement == ()  # merged spans carry a reviewer: not compared
        (found,) = screen.extra
        assert (found.name_a, found.name_b) == ("A.json", "B.json")
        assert found.overall.exact.matches == 4
        await pilot.press("q")  # closes the stats, does not quit the review
        assert isinstance(app.screen, ReviewScreen)
        assert app.is_running
    app.review.close()

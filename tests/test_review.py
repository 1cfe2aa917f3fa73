"""Review mode (`spantag review`): keys in, the merged store on disk checked after each key.

Every test builds two real stores (A: alice, B: bob) from the seed articles and runs the app
`spantag review` runs (`tui.review_app.make_review_app`) at 120x40. The merged store is read
back with `Store.open(..., read_only=True)` while the app still holds it, which is what another
process would see after a crash.

The stores (article index: what each side marked):
- 0: both `Russia` actor (agreed); `Wednesday` date (A) vs venue (B): label; `legal security
  guarantees` (A) vs `security guarantees` (B) demand: offsets; `Vladimir Putin` (A) vs
  `President Vladimir Putin` (B) actor: offsets; `Moscow` venue only A: only-a;
- 1: both `NATO` actor; `Russia` actor only B;
- 2: both `Monday` date (nothing to decide);
- 3: both `Putin` actor; `CGTN` venue only B.
Six disagreements in three of four articles.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Static

from annotations.articles import load_corpus, text_hash
from annotations.config import Config
from annotations.spans import Span, make_span
from annotations.store import Store
from tui.cli import main
from tui.review_app import DECISION_PREFIX, ReviewApp, decision_key, make_review_app
from tui.review_state import Review
from tui.screens.review import ReviewScreen

SIZE = (120, 40)

#: (article index, phrase, label) per side.
ALICE = [
    (0, "Russia", "actor"),
    (0, "Wednesday", "date"),
    (0, "legal security guarantees", "demand"),
    (0, "Vladimir Putin", "actor"),
    (0, "Moscow said", "venue"),
    (1, "NATO", "actor"),
    (2, "Monday", "date"),
    (3, "Putin", "actor"),
]
BOB = [
    (0, "Russia", "actor"),
    (0, "Wednesday", "venue"),
    (0, "security guarantees", "demand"),
    (0, "President Vladimir Putin", "actor"),
    (1, "NATO", "actor"),
    (1, "Russia", "actor"),
    (2, "Monday", "date"),
    (3, "Putin", "actor"),
    (3, "CGTN", "venue"),
]


def seed_spans(config: Config, path: Path, who: str, items) -> None:
    articles = load_corpus([str(p) for p in config.corpus]).articles
    with Store.open(path) as store:
        for index, phrase, label in items:
            article = articles[index]
            start = article.text.index(phrase)
            end = start + len(phrase)
            if phrase == "Moscow said":  # the span is "Moscow", found by its context
                end = start + len("Moscow")
            store.add(
                make_span(article.id, article.text, start, end, label, config.label_names, who)
            )


def make_stores(config: Config, folder: Path) -> tuple[Path, Path, Path]:
    """A.json (alice) and B.json (bob) as in the module docstring; the merged path."""
    a, b = folder / "A.json", folder / "B.json"
    seed_spans(config, a, "alice", ALICE)
    seed_spans(config, b, "bob", BOB)
    return a, b, folder / "merged.json"


@pytest.fixture
def stores(config: Config, project: Path) -> tuple[Path, Path, Path]:
    return make_stores(config, project)


@pytest.fixture
def review_app(config: Config, stores):
    """`review_app(**options)`: the review app on A, B and merged.json, reviewer carol."""
    apps: list[ReviewApp] = []

    def build(**options) -> ReviewApp:
        options.setdefault("reviewer", "carol")
        app = make_review_app(config, *stores, **options)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.review.close()


def merged_spans(path: Path) -> list[Span]:
    with Store.open(path, read_only=True) as store:
        return store.all_spans()


def texts(spans) -> list[tuple[str, str, str, str]]:
    return sorted((s.text, s.label, s.annotator, s.reviewer) for s in spans)


AGREED = [
    ("Monday", "date", "alice+bob", "carol"),
    ("NATO", "actor", "alice+bob", "carol"),
    ("Putin", "actor", "alice+bob", "carol"),
    ("Russia", "actor", "alice+bob", "carol"),
]


def screen_of(app) -> ReviewScreen:
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


# --- opening ----------------------------------------------------------------------------


async def test_agreed_spans_are_merged_without_a_key(review_app, stores, config) -> None:
    monday = load_corpus([str(p) for p in config.corpus]).articles[2].id
    for path in stores[:2]:  # both sides finished article 2: so is the merged store
        with Store.open(path) as store:
            store.set_done(monday, True)
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert texts(merged_spans(stores[2])) == AGREED
        with Store.open(stores[2], read_only=True) as merged:
            info = merged.get_meta("review")
        assert info["reviewer"] == "carol"
        assert info["a"].endswith("A.json") and info["b"].endswith("B.json")
        with Store.open(stores[2], read_only=True) as merged:
            assert merged.done_ids() == {monday}
        assert app.review.warnings == []


async def test_starts_on_the_first_disagreement_highlighted_in_both_panes(review_app) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        assert screen.current == 0 and screen.article_index == 0
        text = screen.review.articles[0].article.text
        wednesday = text.index("Wednesday")
        for reader in (screen.pane_a.reader, screen.pane_b.reader):
            assert reader.selection == (wednesday, wednesday + len("Wednesday"))
        assert [s.label for s in screen.pane_a.reader.spans_at(wednesday)] == ["date"]
        assert [s.label for s in screen.pane_b.reader.spans_at(wednesday)] == ["venue"]
        assert "Disagreement 1/6" in screen.panel_head and "undecided" in screen.panel_head


async def test_progress_is_on_screen(review_app) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        assert "6 of 6 disagreements left (4 in this article)" in screen.progress_text
        assert "3 of 4 articles left" in screen.progress_text
        assert "0/6 decided" in screen.progress_text
        shown = app.screen.query_one("#review-progress", Static).content
        assert "6 of 6 disagreements left" in str(shown)
        await pilot.press("a", "b", "o", "x")
        assert "2 of 6 disagreements left (1 in this article)" in screen.progress_text
        assert "2 of 4 articles left" in screen.progress_text
        assert "4/6 decided" in screen.progress_text


# --- decisions --------------------------------------------------------------------------


async def test_each_key_is_on_disk_before_the_next(review_app, stores) -> None:
    app = review_app()
    merged = stores[2]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")  # Wednesday: A's date
        assert ("Wednesday", "date", "alice", "carol") in texts(merged_spans(merged))
        assert screen_of(app).current == 1
        await pilot.press("b")  # guarantees: B's shorter span
        spans = texts(merged_spans(merged))
        assert ("security guarantees", "demand", "bob", "carol") in spans
        assert not any(t[0] == "legal security guarantees" for t in spans)
        await pilot.press("o")  # Putin: both
        spans = texts(merged_spans(merged))
        assert ("Vladimir Putin", "actor", "alice", "carol") in spans
        assert ("President Vladimir Putin", "actor", "bob", "carol") in spans
        await pilot.press("x")  # Moscow: neither
        spans = texts(merged_spans(merged))
        assert not any(t[0] == "Moscow" for t in spans)
        assert screen_of(app).article_index == 1  # on to the next article's disagreement
        assert texts(merged_spans(merged)) == sorted(
            AGREED
            + [
                ("Wednesday", "date", "alice", "carol"),
                ("security guarantees", "demand", "bob", "carol"),
                ("Vladimir Putin", "actor", "alice", "carol"),
                ("President Vladimir Putin", "actor", "bob", "carol"),
            ]
        )
        with Store.open(merged, read_only=True) as store:
            keys = [decision_key(d) for d in screen_of(app).review.items]
            decisions = [store.get_meta(key) for key in keys]
        assert [d and d["choice"] for d in decisions] == ["a", "b", "both", "neither", None, None]
        assert all(d["reviewer"] == "carol" for d in decisions[:4])
        assert all(key.startswith(DECISION_PREFIX) for key in keys)


async def test_aliases_plus_and_zero(review_app, stores) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("plus", "0")
        review = screen_of(app).review
        assert [review.choice(0), review.choice(1)] == ["both", "neither"]
        spans = texts(merged_spans(stores[2]))
        assert ("Wednesday", "date", "alice", "carol") in spans
        assert ("Wednesday", "venue", "bob", "carol") in spans


async def test_changing_a_decision_replaces_its_spans(review_app, stores) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("o")
        assert screen_of(app).current == 1
        await pilot.press("N")
        assert screen_of(app).current == 0
        assert "took both" in screen_of(app).panel_head
        await pilot.press("b")
        spans = [t for t in texts(merged_spans(stores[2])) if t[0] == "Wednesday"]
        assert spans == [("Wednesday", "venue", "bob", "carol")]
        await pilot.press("N", "x")
        assert not [t for t in texts(merged_spans(stores[2])) if t[0] == "Wednesday"]
        assert screen_of(app).review.choice(0) == "neither"


async def test_take_a_when_a_has_nothing_takes_nothing(review_app, stores) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        await pilot.press("n", "n", "n", "n")  # Russia in article 1: only B has it
        assert screen.current == 4 and screen.article_index == 1
        assert screen.review.items[4].kind == "only-b"
        await pilot.press("a")
        assert screen.review.choice(4) == "a"
        assert texts(merged_spans(stores[2])) == AGREED


async def test_all_decided_says_so_and_stays(review_app, stores) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"abab")
        await pilot.press("a", "b")
        screen = screen_of(app)
        assert screen.review.left == 0
        assert "0 of 6 disagreements left" in screen.progress_text
        assert "0 of 4 articles left" in screen.progress_text
        assert "all 6 decided" in screen.panel_head
        assert screen.current == 5


# --- navigation -------------------------------------------------------------------------


async def test_n_and_N_move_between_disagreements_across_articles(review_app) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        seen = [(screen.current, screen.article_index)]
        for _ in range(6):
            await pilot.press("n")
            seen.append((screen.current, screen.article_index))
        # The last press finds nothing further and stays.
        assert seen == [(0, 0), (1, 0), (2, 0), (3, 0), (4, 1), (5, 3), (5, 3)]
        text = screen.review.articles[screen.article_index].article.text
        cgtn = text.index("CGTN")
        assert screen.pane_b.reader.selection == (cgtn, cgtn + 4)
        assert screen.pane_a.reader.article.id == screen.pane_b.reader.article.id
        for expected in (4, 3, 2):
            await pilot.press("N")
            assert screen.current == expected
        assert screen.article_index == 0


async def test_brackets_move_between_articles(review_app) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        await pilot.press("right_square_bracket")
        assert (screen.article_index, screen.current) == (1, 4)
        await pilot.press("right_square_bracket")
        assert (screen.article_index, screen.current) == (2, None)
        assert "agree on every span" in screen.panel_head
        await pilot.press("a")  # nothing to decide here: nothing happens
        assert screen.review.left == 6
        await pilot.press("n")
        assert (screen.article_index, screen.current) == (3, 5)
        await pilot.press("left_square_bracket", "N")
        assert (screen.article_index, screen.current) == (1, 4)
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert screen.article_index == 0


async def test_click_on_a_disagreement_makes_it_current(review_app) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        reader = screen.pane_b.reader
        moscow = reader.article.text.index("Moscow said")
        row, col = reader.layout.cell_of(moscow + 2)
        await pilot.click(reader, offset=(col, row - round(reader.scroll_y)))
        assert screen.current == 3
        assert reader.selection == (moscow, moscow + len("Moscow"))


async def test_page_keys_scroll_both_panes_together(review_app) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        a, b = screen.pane_a.reader, screen.pane_b.reader
        assert a.layout.row_count == b.layout.row_count  # one width: rows line up
        await pilot.press("pagedown")
        await pilot.pause()
        assert a.scroll_y > 0 and a.scroll_y == b.scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert a.scroll_y == b.scroll_y == 0


# --- resuming ---------------------------------------------------------------------------


async def test_resume_after_restart(review_app, stores) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a", "x", "n")  # decide 0 and 1 (neither), skip 2
        await pilot.press("b")  # decide 3
        await pilot.press("q")
    assert app.return_code == 0
    app.review.close()
    again = review_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(again)
        review = screen.review
        assert [review.choice(i) for i in range(6)] == ["a", "neither", None, "b", None, None]
        assert screen.current == 2  # the first undecided
        assert "3 of 6 disagreements left (1 in this article)" in screen.progress_text
        await pilot.press("N")
        assert "took neither" in screen.panel_head and "by carol" in screen.panel_head
    assert ("Moscow", "venue", "alice", "carol") not in texts(merged_spans(stores[2]))
    assert ("Wednesday", "date", "alice", "carol") in texts(merged_spans(stores[2]))


async def test_a_decision_comes_back_when_its_spans_change(review_app, stores, config) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a", "a")
    app.review.close()
    # bob relabels Wednesday after the review: that disagreement is new, the other stands.
    with Store.open(stores[1]) as store:
        (old,) = [s for s in store.all_spans() if s.text == "Wednesday"]
        store.apply(add=[Span.from_dict({**old.to_dict(), "label": "actor"})], remove=[old])
    again = review_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        review = screen_of(again).review
        assert [review.choice(0), review.choice(1)] == [None, "a"]
        assert screen_of(again).current == 0
        # Alice's Wednesday, taken on the old disagreement, is no longer in the merged store.
        assert ("Wednesday", "date", "alice", "carol") not in texts(review.merged.all_spans())


# --- the command palette, and articles with no text ------------------------------------


async def test_review_keys_are_in_the_command_palette(review_app) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        for title in ("Take A", "Take B", "Both", "Neither", "Next", "Previous", "Stats"):
            assert f"Review: {title}" in commands
        assert commands["Review: Both"].help.startswith("o, +")
        await commands["Review: Take B"].callback()
        await pilot.pause()
        assert screen_of(app).review.choice(0) == "b"


async def test_footer_shows_the_review_keys(review_app) -> None:
    app = review_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = {
            b.binding.description for b in app.screen.active_bindings.values() if b.binding.show
        }
        assert {"Take A", "Take B", "Both", "Neither", "Next", "Previous", "Quit"} <= shown


async def test_articles_without_text_are_left_out_with_a_warning(config, project) -> None:
    a, b, merged = make_stores(config, project)
    with Store.open(b) as store:
        store.add(Span("elsewhere", 0, 5, "actor", "Hello", "bob"))
    app = make_review_app(config, a, b, merged, reviewer="carol")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "elsewhere" not in [item.id for item in app.review.articles]
        assert any("no text here" in warning for warning in app.review.warnings)
    app.review.close()


def test_one_name_on_both_sides_is_warned_about(config, project, tmp_path) -> None:
    a, b, merged = tmp_path / "A.json", tmp_path / "B.json", tmp_path / "m.json"
    seed_spans(config, a, "tester", ALICE)
    seed_spans(config, b, "tester", BOB)
    app = make_review_app(config, a, b, merged)
    assert any("both hold spans by tester" in warning for warning in app.review.warnings)
    # Agreed spans made under one name keep that one name.
    assert {s.annotator for s in app.review.merged.all_spans()} == {"tester"}
    app.review.close()


async def test_imported_articles_come_from_the_stores(config, project, tmp_path) -> None:
    text = "Kyiv and Moscow met in Minsk."
    folder = tmp_path / "imported"
    folder.mkdir()
    a, b, merged = folder / "A.json", folder / "B.json", folder / "m.json"
    from annotations.articles import article_from_text

    article = article_from_text(text, id="imp-1")
    for path, who, label in ((a, "alice", "venue"), (b, "bob", "actor")):
        with Store.open(path) as store:
            store.add_article(article)
            store.add(Span("imp-1", 23, 28, label, "Minsk", who))
    app = make_review_app(config, a, b, merged, corpus_paths=[str(project / "seeds")])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [item.id for item in app.review.articles] == ["imp-1"]
        await pilot.press("b")
    with Store.open(merged, read_only=True) as store:
        assert [x.text for x in store.stored_articles()] == [text]
        assert [(s.label, s.annotator, s.reviewer) for s in store.all_spans()] == [
            ("actor", "bob", config.annotator)
        ]


# --- the command line -------------------------------------------------------------------


def run_cli(project: Path, *argv: str) -> int:
    return main(["--config", str(project / "config.yaml"), "review", *argv])


def test_cli_missing_store_is_one_line(project, stores, capsys) -> None:
    a, _b, merged = stores
    code = run_cli(project, str(a), str(project / "nope.json"), "-o", str(merged))
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().endswith("nope.json: no such store") and err.count("\n") == 1
    assert "Traceback" not in err
    assert not merged.exists()


def test_cli_corrupt_store_is_one_line(project, stores, capsys) -> None:
    a, b, merged = stores
    b.write_text("{not json", encoding="utf-8")
    code = run_cli(project, str(a), str(b), "-o", str(merged))
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "not valid JSON" in err
    assert "Traceback" not in err


def test_cli_corrupt_merged_store_is_one_line(project, stores, capsys) -> None:
    a, b, merged = stores
    merged.write_text(json.dumps([1, 2]), encoding="utf-8")
    code = run_cli(project, str(a), str(b), "-o", str(merged))
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and str(merged.name) in err


def test_cli_locked_merged_store_is_one_line(project, stores, capsys) -> None:
    a, b, merged = stores
    with Store.open(merged):
        code = run_cli(project, str(a), str(b), "-o", str(merged))
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "in use by another spantag" in err


@pytest.mark.parametrize("which", ["same", "output-is-a"])
def test_cli_refuses_the_same_file_twice(project, stores, capsys, which) -> None:
    a, b, merged = stores
    argv = (
        [str(a), str(a), "-o", str(merged)] if which == "same" else [str(a), str(b), "-o", str(a)]
    )
    assert run_cli(project, *argv) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_cli_nothing_to_review(project, capsys) -> None:
    for name in ("A.json", "B.json"):
        Store.open(project / name).close()
    a, b, merged = (str(project / name) for name in ("A.json", "B.json", "m.json"))
    code = run_cli(project, a, b, "-o", merged)
    assert code == 1 and "nothing to review" in capsys.readouterr().err


def test_cli_paths_after_the_output_option(project, stores, monkeypatch) -> None:
    """`spantag review A B -o m.json PATHS` parses, opens and runs the app (run stubbed)."""
    ran: list[ReviewApp] = []

    def fake_run(self, *args, **kwargs):
        ran.append(self)
        return None

    monkeypatch.setattr(ReviewApp, "run", fake_run)
    a, b, merged = stores
    seeds = project / "seeds"
    code = run_cli(project, str(a), str(b), "-o", str(merged), str(seeds), "--reviewer", "dan")
    assert code == 0 and len(ran) == 1
    assert ran[0].review.reviewer == "dan"
    assert ran[0].review.merged.read_only is False
    # The stores were closed: the merged store can be opened for writing again.
    with Store.open(merged) as store:
        assert {s.reviewer for s in store.all_spans()} == {"dan"}


async def test_a_disagreement_below_the_fold_is_scrolled_into_view(
    config, project, tmp_path
) -> None:
    a, b, merged = make_stores(config, tmp_path)
    seed_spans(config, b, "bob", [(0, "Donfried visited Kiev", "actor")])
    app = make_review_app(config, a, b, merged, reviewer="carol")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        await pilot.press("n", "n", "n", "n")
        await pilot.pause()
        assert screen.current == 4 and screen.review.items[4].kind == "only-b"
        reader = screen.pane_b.reader
        row = reader.layout.row_of(screen.review.items[4].start)
        top, height = round(reader.scroll_y), reader.scrollable_content_region.height
        assert top > 0 and top + 2 < row < top + height - 2
        assert screen.pane_a.reader.scroll_y == reader.scroll_y
    app.review.close()


# --- what the review no longer vouches for leaves the merged store (D3) -------------------


def small_stores(config: Config, folder: Path) -> tuple[Path, Path, Path]:
    """A: alice's `Ryabkov` actor (article 0) and `Monday` date (article 2); B: bob's `Monday`
    only. One disagreement (only-a), one agreed span."""
    a, b = folder / "A.json", folder / "B.json"
    seed_spans(config, a, "alice", [(0, "Ryabkov", "actor"), (2, "Monday", "date")])
    seed_spans(config, b, "bob", [(2, "Monday", "date")])
    return a, b, folder / "merged.json"


MONDAY = ("Monday", "date", "alice+bob", "carol")
RYABKOV_A = ("Ryabkov", "actor", "alice", "carol")


def open_review(config: Config, stores, reviewer: str = "carol") -> Review:
    return Review.open(config, *stores, reviewer=reviewer)


def decide_and_close(config: Config, stores, choice) -> None:
    review = open_review(config, stores)
    try:
        assert [d.kind for d in review.items] == ["only-a"]
        review.decide(0, choice)
    finally:
        review.close()


def relabel(path: Path, phrase: str, label: str) -> None:
    with Store.open(path) as store:
        (old,) = [s for s in store.all_spans() if s.text == phrase]
        store.apply(add=[replace(old, label=label)], remove=[old])


def test_a_decision_that_no_longer_holds_takes_its_span_out(config, tmp_path) -> None:
    """Alice's actor span taken (a); alice relabels it demand; the reviewer then takes
    neither: the merged store must not keep alice's old actor span."""
    stores = small_stores(config, tmp_path)
    decide_and_close(config, stores, "a")
    assert texts(merged_spans(stores[2])) == sorted([MONDAY, RYABKOV_A])
    relabel(stores[0], "Ryabkov", "demand")
    review = open_review(config, stores)
    try:
        assert review.choice(0) is None  # a new disagreement: undecided
        # Nobody vouches for the actor span any more: gone on opening, and said so.
        assert texts(review.merged.all_spans()) == [MONDAY]
        assert any("1 span(s) in merged.json were removed" in w for w in review.warnings)
        review.decide(0, "neither")
    finally:
        review.close()
    assert texts(merged_spans(stores[2])) == [MONDAY]
    again = open_review(config, stores)
    try:
        assert again.choice(0) == "neither" and again.warnings == []
    finally:
        again.close()
    assert texts(merged_spans(stores[2])) == [MONDAY]


async def test_the_same_in_the_app_with_keys(config, tmp_path) -> None:
    stores = small_stores(config, tmp_path)
    app = make_review_app(config, *stores, reviewer="carol")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a", "q")
    app.review.close()
    relabel(stores[0], "Ryabkov", "demand")
    app = make_review_app(config, *stores, reviewer="carol")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "undecided" in screen_of(app).panel_head
        await pilot.press("x", "q")
    app.review.close()
    assert texts(merged_spans(stores[2])) == [MONDAY]


def test_a_span_its_annotator_removed_leaves_the_merged_store(config, tmp_path) -> None:
    """Taken from A, then A deletes it: neither side has a span in that article now."""
    stores = small_stores(config, tmp_path)
    decide_and_close(config, stores, "a")
    with Store.open(stores[0]) as store:
        store.apply(remove=[s for s in store.all_spans() if s.text == "Ryabkov"])
    review = open_review(config, stores)
    try:
        assert review.items == [] and [item.id for item in review.articles] != []
    finally:
        review.close()
    assert texts(merged_spans(stores[2])) == [MONDAY]


def test_an_agreement_that_became_a_disagreement_is_not_kept(config, tmp_path) -> None:
    """Both had Monday (agreed, merged); bob relabels his: undecided, so not merged."""
    stores = small_stores(config, tmp_path)
    decide_and_close(config, stores, "a")
    relabel(stores[1], "Monday", "venue")
    review = open_review(config, stores)
    try:
        assert sorted(d.kind for d in review.items) == ["label", "only-a"]
        assert [review.choice(0), review.choice(1)] == ["a", None]  # Ryabkov's stands
    finally:
        review.close()
    assert texts(merged_spans(stores[2])) == [RYABKOV_A]


def test_decisions_of_another_reviewer_and_hand_made_spans_stay(config, tmp_path) -> None:
    stores = small_stores(config, tmp_path)
    decide_and_close(config, stores, "a")
    articles = load_corpus([str(p) for p in config.corpus]).articles
    text = articles[0].text
    start = text.index("Sergei Ryabkov")
    by_hand = make_span(
        articles[0].id, text, start, start + 14, "actor", config.label_names, "carol"
    )
    with Store.open(stores[2]) as store:  # carol opens merged.json in the app and adds one
        store.add(by_hand)
    review = open_review(config, stores, reviewer="dan")
    try:
        assert review.choice(0) == "a" and review.withdrawn == 0
        review.decide(0, "neither")  # the span by hand overlaps it, and stays
    finally:
        review.close()
    spans = merged_spans(stores[2])
    assert texts(spans) == sorted([("Monday", "date", "alice+bob", "dan"), by_hand_row(by_hand)])


def by_hand_row(span: Span) -> tuple[str, str, str, str]:
    return (span.text, span.label, span.annotator, span.reviewer)


def test_decide_clears_what_a_review_left_in_its_range(config, tmp_path) -> None:
    """Spans a review left in a disagreement's range (a crash between the spans and the
    decision, say) make way for the decision's spans."""
    stores = small_stores(config, tmp_path)
    review = open_review(config, stores)
    try:
        (only,) = review.items
        left = replace(only.a[0], annotator="bob", label="venue", reviewer="carol")
        review.merged.add(left)
        change = review.decide(0, "a")
        assert left in change.removed
    finally:
        review.close()
    assert texts(merged_spans(stores[2])) == sorted([MONDAY, RYABKOV_A])


def test_decisions_survive_a_change_of_the_article_text(config, tmp_path) -> None:
    """Article 0 gets a new first line (every offset moves): A and B are re-anchored in
    memory, merged.json on disk, and the decision is carried to the moved spans."""
    stores = small_stores(config, tmp_path)
    decide_and_close(config, stores, "a")
    path = config.base_dir / load_corpus([str(p) for p in config.corpus]).articles[0].source
    text = "UPDATED: corrected.\n" + path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    a_before = stores[0].read_bytes()
    for _ in range(2):  # the second time, the decision is found under its new key
        review = open_review(config, stores)
        try:
            assert review.choice(0) == "a" and review.withdrawn == 0
            (only,) = review.items
            assert only.start == text.index("Ryabkov")
            assert any("A.json" in w and "re-anchored" in w for w in review.warnings)
        finally:
            review.close()
        assert stores[0].read_bytes() == a_before  # A is only read
        with Store.open(stores[2], read_only=True) as merged:
            (span,) = [s for s in merged.all_spans() if s.text == "Ryabkov"]
            assert (span.start, span.label, span.annotator) == (
                text.index("Ryabkov"),
                "actor",
                "alice",
            )
            assert merged.article_hash(only.article_id) == text_hash(text)


def test_spans_are_compared_where_they_are_in_the_current_text(config, tmp_path) -> None:
    """A annotated before the article changed (and has not opened it since), B after: the
    same span, not a disagreement between two offsets."""
    a, b, merged = tmp_path / "A.json", tmp_path / "B.json", tmp_path / "m.json"
    with Store.open(a) as store:  # as the app does: the text's hash, then the span
        store.sync_articles(load_corpus([str(p) for p in config.corpus]).articles)
    seed_spans(config, a, "alice", [(0, "Ryabkov", "actor")])
    path = config.base_dir / load_corpus([str(p) for p in config.corpus]).articles[0].source
    path.write_text("UPDATED: corrected.\n" + path.read_text(encoding="utf-8"), "utf-8")
    seed_spans(config, b, "bob", [(0, "Ryabkov", "actor")])
    review = Review.open(config, a, b, merged, reviewer="carol")
    try:
        assert review.items == [] and review.agreed_count == 1
        (span,) = review.merged.all_spans()
        assert review.articles[0].article.text[span.start : span.end] == "Ryabkov"
    finally:
        review.close()


def test_review_state_needs_no_textual() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'textual' or name.startswith('textual.'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from tui.review_state import Review, ReviewError\n"
        "from tui.commands import UserError\n"
        "assert not issubclass(ReviewError, UserError)\n"
        "try:\n"
        "    Review.open(None, 'nope-a.json', 'nope-b.json', 'm.json')\n"
        "except ReviewError as error:\n"
        "    print(error)\n"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "nope-a.json: no such store\n"

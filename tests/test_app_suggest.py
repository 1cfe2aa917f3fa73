"""Suggestions in the app: built off the UI thread, following every edit, accepted and rejected.

Pilot tests at 120x40 on the app `spantag` runs (`make_app`), a tmp copy of seeds/ and a real
TinyDB store; the store is reopened read-only to see what was saved. `ready` waits for the
suggester the screen builds in a thread when it starts.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from annotations.store import Store
from annotations.suggest import KEEP_RESOLVED, Suggestion
from tests.conftest import write_config
from tui.screens.main import MainScreen
from tui.session import Session, build_suggester

SIZE = (120, 40)
FIRST = "000_abcb8c07387bfbf5"


def on_disk(path: Path) -> list[tuple[str, int, int, str, str, str]]:
    """(article, start, end, label, text, source) of every span saved in the store file."""
    with Store.open(path, read_only=True) as store:
        return [
            (s.article_id, s.start, s.end, s.label, s.text, s.source) for s in store.all_spans()
        ]


def rejections_on_disk(path: Path, article_id: str) -> set[tuple[int, int, str]]:
    with Store.open(path, read_only=True) as store:
        return store.rejections(article_id)


async def ready(pilot) -> MainScreen:
    """Pause until the screen's suggester is built and in use (at most ~20 s, then fail)."""
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    for _ in range(400):
        if screen.suggestions_ready:
            break
        await pilot.pause(0.05)
    else:
        raise AssertionError("the suggester never became ready")
    await pilot.pause()
    return screen


async def tag_putin(pilot, screen: MainScreen) -> int:
    """Tag the first "Putin" of article 000 (in the left pane) as actor; its offset."""
    reader = screen.panes[0].reader
    assert reader.article.id == FIRST
    putin = reader.article.text.index("Putin")
    reader.move_to(putin)
    await pilot.press("1")
    return putin


def propagated(pane, text: str = "Putin") -> list:
    return [s for s in pane.suggestions if s.source == "propagated" and s.text == text]


# --- building and showing ---------------------------------------------------------------


async def test_suggestions_show_in_the_pane_and_the_list_once_ready(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        session = screen.session
        pane = screen.panes[0]
        expected = session.suggester.suggestions(FIRST)
        assert expected and pane.suggestions == expected
        assert screen.reader.suggestions == expected  # drawn by the reader
        assert pane.legend.suggested == len(expected)
        for article in session.articles:
            assert screen.article_list.rows[article.id].suggested == session.suggester.count(
                article.id
            )
        title = str(screen.query_one("#articles-title").render())
        total = sum(session.suggester.counts().values())
        assert f"+{total} suggested" in title


async def test_list_title_totals_follow_tags_undo_and_done(make):
    """The list title's "(k done)" and "+N suggested" are kept as rows change (not summed
    per key): after each change they still equal the sums over every row."""
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        session = screen.session

        def totals() -> tuple[str, str]:
            title = str(screen.article_list.title_bar.render())
            done = sum(1 for a in session.articles if session.state(a.id) == "done")
            waiting = sum(session.suggester.counts().values())
            return title, f"({done} done)  +{waiting}"

        before = totals()
        assert before[1] in before[0]
        await tag_putin(pilot, screen)  # Putin is proposed in the other articles now
        await pilot.press("d")
        after = totals()
        assert after[1] in after[0] and after[1] != before[1]
        await pilot.press("d", "u")
        await pilot.pause()
        assert totals() == before


@pytest.mark.parametrize("kept", [KEEP_RESOLVED, 1])
async def test_tag_in_left_pane_lights_up_the_right_pane_before_the_next_key(
    make, monkeypatch, kept
):
    """Also when the suggester keeps only one article resolved (`kept` 1): the other pane's
    article is dropped and comes back as a new live view, which the pane then draws."""
    monkeypatch.setattr("annotations.suggest.KEEP_RESOLVED", kept)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("s")
        right = screen.panes[1]
        assert right.article_id != FIRST
        assert propagated(right) == []
        before = screen.article_list.rows[right.article_id].suggested
        await tag_putin(pilot, screen)
        found = propagated(right)
        assert found and all(s.label == "actor" for s in found)
        assert right.reader.suggestions == right.suggestions
        assert right.suggestions == screen.session.suggester.suggestions(right.article_id)
        assert right.reader.suggestions_at(found[0].start) == [found[0]]  # what a row draws
        assert screen.article_list.rows[right.article_id].suggested == before + len(found)
        # ... and the list counts of every other article follow too (a moment later).
        await pilot.pause(0.3)
        suggester = screen.session.suggester
        for article_id, row in screen.article_list.rows.items():
            assert row.suggested == suggester.count(article_id)


async def test_counts_of_rows_off_screen_fill_in_soon_after(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+b")  # the list hidden: no row is on screen
        assert screen.article_list.visible_ids() == []
        await tag_putin(pilot, screen)
        await pilot.pause(0.5)
        suggester = screen.session.suggester
        for article_id, row in screen.article_list.rows.items():
            assert row.suggested == suggester.count(article_id)
        assert not screen._count_later


async def test_edits_made_while_the_suggester_builds_are_not_lost(make, monkeypatch):
    """Until the suggester is in the app works without it; then it knows what was done."""
    gate = threading.Event()

    def slow_build(*args, **kwargs):
        gate.wait(20)
        return build_suggester(*args, **kwargs)

    monkeypatch.setattr("tui.screens.main.build_suggester", slow_build)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert not screen.suggestions_ready
        assert screen.panes[0].suggestions == []
        assert screen.article_list.rows[FIRST].suggested is None
        await pilot.press("s")
        await tag_putin(pilot, screen)
        await pilot.press("y")  # says "a moment"; nothing breaks
        gate.set()
        await ready(pilot)
        assert propagated(screen.panes[1])


# --- accepting and rejecting ------------------------------------------------------------


async def test_y_accepts_the_suggestion_under_the_cursor_with_its_source(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("s")
        await tag_putin(pilot, screen)
        right = screen.panes[1]
        target = propagated(right)[0]
        await pilot.press("tab")
        assert app.focused is right.reader
        right.reader.move_to(target.start + 2)
        await pilot.pause()
        assert screen.status.suggestion == "actor (propagated)"
        await pilot.press("y")
        assert (target.article_id, target.start, target.end, "actor", "Putin", "propagated") in (
            on_disk(store_path)
        )
        assert target not in right.suggestions
        assert any(s.start == target.start for s in right.reader.spans)
        assert "(propagated)" in screen.status.saved
        await pilot.press("u")  # undo takes the accepted span away and the suggestion back
        assert all(row[0] != target.article_id for row in on_disk(store_path))
        assert target in right.suggestions
        await pilot.press("ctrl+r")
        assert any(row[0] == target.article_id for row in on_disk(store_path))


async def test_y_with_none_under_the_cursor_accepts_the_next_one(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        pane = screen.panes[0]
        reader = pane.reader
        first = pane.suggestions[0]
        reader.move_to(first.end)  # past the first one: the second is next
        assert pane.suggestion_at(reader.cursor) is None
        second = pane.next_suggestion(reader.cursor)
        await pilot.press("y")
        saved = on_disk(store_path)
        assert saved == [(FIRST, second.start, second.end, second.label, second.text,
                          second.source)]  # fmt: skip
        assert reader.cursor == second.start


async def test_capital_y_accepts_all_in_one_undoable_change(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        pane = screen.panes[0]
        waiting = pane.suggestions
        await pilot.press("Y")
        saved = on_disk(store_path)
        assert sorted(saved) == sorted(
            (s.article_id, s.start, s.end, s.label, s.text, s.source) for s in waiting
        )
        assert {row[5] for row in saved} <= {"pattern", "gazetteer", "propagated"}
        assert pane.suggestions == []
        assert screen.article_list.rows[FIRST].suggested == 0
        assert f"accepted {len(waiting)} suggestions" in screen.status.saved
        await pilot.press("u")
        assert on_disk(store_path) == []
        assert pane.suggestions == waiting


async def test_r_rejects_for_good_and_undo_brings_it_back(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        pane = screen.panes[0]
        target = pane.suggestions[1]
        pane.reader.move_to(target.start)
        await pilot.press("r")
        assert rejections_on_disk(store_path, FIRST) == {target.key}
        assert on_disk(store_path) == []
        assert target not in pane.suggestions
        assert screen.article_list.rows[FIRST].suggested == len(pane.suggestions)
        await pilot.press("u")
        assert rejections_on_disk(store_path, FIRST) == set()
        assert target in pane.suggestions
        await pilot.press("ctrl+r")
        assert rejections_on_disk(store_path, FIRST) == {target.key}
        assert target not in pane.suggestions
        await pilot.press("q")
    app = make()  # a new run: the rejected suggestion stays away
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert target not in screen.panes[0].suggestions
        assert target not in screen.session.suggester.suggestions(FIRST)


async def test_r_with_no_suggestion_under_the_cursor_changes_nothing(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        pane = screen.panes[0]
        free = next(i for i in range(len(pane.article.text)) if pane.suggestion_at(i) is None)
        pane.reader.move_to(free)
        assert pane.suggestion_at(pane.reader.cursor) is None
        await pilot.press("r")
        assert rejections_on_disk(store_path, FIRST) == set()
        assert screen.session.undo_stack == []


# --- moving -----------------------------------------------------------------------------


async def test_braces_jump_between_suggestions(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        pane = screen.panes[0]
        reader = pane.reader
        starts = [s.start for s in pane.suggestions]
        assert len(starts) >= 3
        reader.move_to(starts[0])
        await pilot.press("right_curly_bracket")
        assert reader.cursor == starts[1]
        await pilot.press("right_curly_bracket")
        assert reader.cursor == starts[2]
        await pilot.press("left_curly_bracket")
        assert reader.cursor == starts[1]
        suggestion = pane.suggestions[1]
        assert screen.status.suggestion == f"{suggestion.label} ({suggestion.source})"
        assert "suggested" in str(screen.status.render())
        await pilot.press("G", "right_curly_bracket")  # none after the end: stays
        assert reader.cursor == len(reader.article.text)
        await pilot.press("left_curly_bracket")
        assert reader.cursor == starts[-1]


# --- span panel -------------------------------------------------------------------------


async def test_span_panel_lists_suggestions_with_their_source(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await tag_putin(pilot, screen)
        pane = screen.panes[0]
        await pilot.press("g", "p")
        panel = screen.span_panel
        assert [s.text for s in panel.spans] == ["Putin"]
        assert panel.suggestions == pane.suggestions
        assert panel.items[1] is None  # the suggestions' heading
        table = panel.table
        assert str(table.get_row_at(1)[1]) == "suggested"
        assert str(table.get_row_at(2)[2]) == panel.suggestions[0].source
        # the panel opens on the suggestion under the cursor; enter on a suggestion jumps
        assert pane.suggestion_at(0) == pane.suggestions[0] == panel.current
        await pilot.press("down")
        third = panel.current
        assert third == pane.suggestions[1]
        await pilot.press("enter")
        assert pane.reader.cursor == third.start
        assert app.focused is pane.reader
        # y in the panel accepts the suggestion on its row; the cursor stays in the section
        await pilot.press("p", "p")  # reopened on the suggestion under the cursor
        assert panel.display and panel.current == third
        await pilot.press("y")
        assert (FIRST, third.start, third.end, third.label, third.text, third.source) in (
            on_disk(store_path)
        )
        assert third not in panel.suggestions
        assert isinstance(panel.current, Suggestion)  # the one after it, in its place
        # delete on a suggestion's row rejects it
        fourth = panel.current
        await pilot.press("delete")
        assert fourth.key in rejections_on_disk(store_path, FIRST)
        assert fourth not in panel.suggestions


# --- read-only, help and palette --------------------------------------------------------


async def test_read_only_shows_suggestions_but_y_and_r_save_nothing(make, store_path):
    app = make(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert screen.panes[0].suggestions
        await pilot.press("y", "Y", "r")
    with Store.open(store_path, read_only=True) as store:
        assert store.all_spans() == [] and store.rejections(FIRST) == set()


async def test_help_footer_and_palette_show_the_suggestion_keys(make):
    from tui.screens.help import HelpScreen

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Accept", "Accept all", "Reject", "Next suggestion",
                "Previous suggestion"} <= titles  # fmt: skip
        active = set(app.screen.active_bindings)
        assert {"y", "Y", "r", "right_curly_bracket", "left_curly_bracket"} <= active
        shown = [key.description for key in app.screen.query("FooterKey")]
        assert "Accept" in shown and "Reject" in shown
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = {(group, key) for group, key, _ in app.screen.rows}
        assert {("Suggestions", k) for k in ("y", "Y", "r", "}", "{")} <= rows


async def test_suggestion_keys_follow_the_config(make, project, store_path):
    from annotations.config import load_config

    path = write_config(project, **{"  accept_suggestion: y ": "  accept_suggestion: a "})
    app = make(load_config(path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        first = screen.panes[0].suggestions[0]
        await pilot.press("y")
        assert on_disk(store_path) == []
        await pilot.press("a")
        assert [row[1] for row in on_disk(store_path)] == [first.start]


# --- the session on its own -------------------------------------------------------------


def test_session_replays_edits_made_during_the_build(config):
    session, _ = Session.open(config, config.store)
    try:
        article = session.articles[0]
        spans, rejections = session.suggester_snapshot()
        putin = article.text.index("Putin")
        session.tag(article, "actor", (putin, putin + 5), selected=True)
        build = build_suggester(session.articles, config, spans, rejections)
        dirty = session.attach_suggester(build.suggester)
        assert article.id in dirty and len(dirty) > 1
        others = [s for aid in dirty if aid != article.id for s in session.suggestions(aid)]
        assert any(s.text == "Putin" and s.source == "propagated" for s in others)
        edit = session.undo()
        assert edit is not None and edit.dirty == dirty
        assert not any(s.source == "propagated" for aid in dirty for s in session.suggestions(aid))
    finally:
        session.close()


async def test_a_word_found_in_many_places_lights_up_every_row_on_screen(tmp_path):
    """Tagging one "border" proposes the word at its 600 other places; every row on screen
    that holds one is drawn again (the reader takes only the changes on screen from the
    suggester's arrays), and no row keeps its old drawing in any cache."""
    from textual.geometry import Region

    from annotations.config import load_config
    from tui.app import make_app

    (tmp_path / "corpus").mkdir()
    line = "Talks at the border went on, and the border stayed shut.\n"
    (tmp_path / "corpus" / "a.txt").write_text("Border news\n" + line * 300, "utf-8")
    write_config(tmp_path, **{"  - seeds/\n": "  - corpus/\n"})
    app = make_app(load_config(tmp_path / "config.yaml"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        reader = screen.reader
        screen.focus_now(reader)
        crop = Region(0, 0, reader.size.width, reader.size.height)
        drawn = [list(strip) for strip in reader.render_lines(crop)]
        border = reader.article.text.index("border")
        reader.move_to(border)
        await pilot.press("1")
        await pilot.pause()
        after = [list(strip) for strip in reader.render_lines(crop)]
        reader._strips.clear()
        reader._styles_cache.clear()
        fresh = [list(strip) for strip in reader.render_lines(crop)]
        assert after == fresh
        assert sum(a != b for a, b in zip(drawn, after, strict=True)) >= 20  # rows that changed
        assert len(screen.session.suggestions(reader.article.id)) == 599

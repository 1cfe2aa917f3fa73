"""Pilot tests: press what a user presses, then check the store on disk and the widgets.

Each test runs the app `spantag` runs (`make_app`) on a tmp copy of seeds/, a tmp config and a
fresh TinyDB store, at 120x40. The store is reopened read-only to see what was saved.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.store import Store
from tui.screens.main import MainScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.reader import Reader
from tui.widgets.span_panel import SpanPanel

SIZE = (120, 40)


def on_disk(path: Path) -> list[tuple[str, int, int, str, str]]:
    """(article, start, end, label, text) of every span saved in the store file."""
    with Store.open(path, read_only=True) as store:
        return [(s.article_id, s.start, s.end, s.label, s.text) for s in store.all_spans()]


def labels_on_disk(path: Path) -> list[str]:
    return [label for _, _, _, label, _ in on_disk(path)]


def main(app) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def first_word(reader: Reader) -> tuple[int, int]:
    target = reader.token_index.word_at(0)
    assert target is not None
    return target


# --- start ------------------------------------------------------------------------------


async def test_starts_on_the_first_article_with_the_reader_focused(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        first = screen.session.articles[0]
        assert screen.article_list.highlighted_id == first.id
        assert screen.reader.article is first
        assert app.focused is screen.reader
        assert screen.status.article.endswith(first.id)
        assert screen.status.position == "Ln 1, Col 1  offset 0"
        assert not screen.panes[1].display


# --- tagging ----------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "label"), [("1", "actor"), ("2", "demand"), ("3", "venue"),
                                            ("4", "date")])
async def test_label_key_tags_the_word_under_the_cursor(make, store_path, key, label):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        start, end = first_word(screen.reader)
        await pilot.press(key)
        article = screen.reader.article
        assert on_disk(store_path) == [
            (article.id, start, end, label, article.text[start:end])
        ]
        assert screen.panes[0].legend.counts == {label: 1}
        assert screen.article_list.rows[article.id].counts[label] == 1
        assert screen.article_list.rows[article.id].state == "in progress"
        assert "saved" in screen.status.saved and f"+{label}" in screen.status.saved


async def test_same_label_again_removes_the_span(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        assert len(on_disk(store_path)) == 1
        await pilot.press("1")
        assert on_disk(store_path) == []
        assert main(app).article_list.rows[main(app).reader.article.id].state == "new"


async def test_another_label_relabels_and_undo_restores(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "2")
        assert labels_on_disk(store_path) == ["demand"]
        await pilot.press("u")
        assert labels_on_disk(store_path) == ["actor"]
        await pilot.press("ctrl+r")
        assert labels_on_disk(store_path) == ["demand"]


async def test_shift_selection_tags_whole_words(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reader = main(app).reader
        text = reader.article.text
        second = reader.token_index.next_word_start(0)
        await pilot.press("ctrl+shift+right", "ctrl+shift+right", "shift+right")
        selection = reader.selection
        assert selection is not None and selection[0] == 0
        assert not text[selection[1] - 1].isspace()
        assert selection[1] > second
        await pilot.press("3")
        assert on_disk(store_path) == [
            (reader.article.id, 0, selection[1], "venue", text[: selection[1]])
        ]
        assert reader.selection is None


async def test_v_then_moves_extend_and_escape_clears(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reader = main(app).reader
        await pilot.press("v")  # select mode shows at once, before any move
        assert main(app).status.mode == "SELECT"
        await pilot.press("w", "w")
        selection = reader.selection
        assert selection is not None and selection[0] == 0
        assert main(app).status.mode.startswith("SELECT")
        await pilot.press("escape")
        assert reader.selection is None and main(app).status.mode == ""
        start = reader.cursor
        await pilot.press("v", "w", "4")
        spans = on_disk(store_path)
        assert len(spans) == 1 and spans[0][3] == "date" and spans[0][1] == start
        assert reader.selection is None and not reader.select_mode


async def test_x_and_delete_remove_the_span_under_the_cursor(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "x")
        assert on_disk(store_path) == []
        await pilot.press("u")
        assert labels_on_disk(store_path) == ["actor"]
        await pilot.press("delete")
        assert on_disk(store_path) == []
        await pilot.press("x")  # nothing there: nothing happens, nothing breaks
        assert on_disk(store_path) == []


async def test_undo_redo_unlimited_across_adds_removals_relabels(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "w", "w", "2", "2", "w", "3", "4")
        history = labels_on_disk(store_path)
        assert sorted(history) == ["actor", "date"]
        steps = []
        for _ in range(6):
            await pilot.press("u")
            steps.append(sorted(labels_on_disk(store_path)))
        assert steps == [
            ["actor", "venue"],  # relabel date -> venue undone
            ["actor"],  # add venue undone
            ["actor", "demand"],  # removal of demand undone
            ["actor"],  # add demand undone
            [],  # add actor undone
            [],  # nothing left to undo
        ]
        for _ in range(5):
            await pilot.press("ctrl+r")
        assert sorted(labels_on_disk(store_path)) == ["actor", "date"]


async def test_undo_reopens_the_article_it_changed(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        screen = main(app)
        first = screen.reader.article.id
        await pilot.press("right_square_bracket")
        assert screen.reader.article.id != first
        await pilot.press("u")
        assert screen.reader.article.id == first
        assert on_disk(store_path) == []


async def test_n_jumps_to_the_next_span(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reader = main(app).reader
        text = reader.article.text
        putin = text.index("Putin")
        reader.move_to(putin)
        await pilot.press("1", "g")
        assert reader.cursor == 0
        await pilot.press("n")
        assert reader.cursor == putin
        assert main(app).status.labels == "actor"
        await pilot.press("n")  # no span after it: the cursor stays, and a note says so
        await pilot.pause()
        assert reader.cursor == putin
        assert any(n.message == "No span after the cursor." for n in app._notifications)


# --- moving -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["right", "w", "ctrl+right", "end", "down", "pagedown", "G"])
async def test_move_keys_move_the_cursor_and_the_status_follows(make, key):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press(key)
        await pilot.pause()
        offset = screen.reader.cursor
        assert offset > 0
        assert screen.status.position.endswith(f"offset {offset}")


@pytest.mark.parametrize("key", ["left", "b", "ctrl+left", "home", "up", "pageup", "g"])
async def test_back_keys_return_toward_the_start(make, key):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reader = main(app).reader
        await pilot.press("down", "down", "w", "w")
        before = reader.cursor
        await pilot.press(key)
        assert reader.cursor < before


async def test_click_places_the_cursor_then_a_label_key_tags_there(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reader = main(app).reader
        await pilot.click(reader, offset=(3, 1))
        assert reader.cursor > 0
        target = reader.target()
        await pilot.press("1")
        assert [(s, e) for _, s, e, _, _ in on_disk(store_path)] == [target]


async def test_clicking_a_row_of_the_list_opens_that_article(make):
    """Each row's cells carry its option index (how OptionList tells which row was clicked),
    including the cells after the text, and after a tag has redrawn the row."""
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("1")  # the first row is drawn again, with its new count
        options = screen.article_list.options
        third = screen.session.articles[2]
        await pilot.click(options, offset=(30, 5))  # the third row's second line, past its text
        await pilot.pause()
        assert screen.reader.article is third
        await pilot.click(options, offset=(2, 0))
        await pilot.pause()
        assert screen.reader.article is screen.session.articles[0]


async def test_drag_selects_then_a_label_key_tags_the_selection(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reader = main(app).reader
        await pilot.mouse_down(reader, offset=(0, 0))
        await pilot.hover(reader, offset=(12, 0))
        await pilot.mouse_up(reader, offset=(12, 0))
        selection = reader.selection
        assert selection is not None and selection[0] == 0 and selection[1] >= 12
        await pilot.press("3")
        assert [(s, e, label) for _, s, e, label, _ in on_disk(store_path)] == [
            (*selection, "venue")
        ]


# --- articles ---------------------------------------------------------------------------


async def test_d_toggles_done_in_the_store_and_the_list(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        screen = main(app)
        article_id = screen.reader.article.id
        with Store.open(store_path, read_only=True) as store:
            assert store.is_done(article_id)
        assert screen.article_list.rows[article_id].state == "done"
        await pilot.press("d")
        with Store.open(store_path, read_only=True) as store:
            assert not store.is_done(article_id)


async def test_enter_in_the_list_opens_the_article_and_focuses_the_reader(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("tab")
        assert app.focused is screen.article_list.options
        await pilot.press("down", "down", "enter")
        assert screen.reader.article.id == screen.session.articles[2].id
        assert app.focused is screen.reader


async def test_slash_filters_by_title_or_text(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        wanted = [a.id for a in screen.session.articles if "ushakov" in a.text.lower()]
        assert 0 < len(wanted) < 5
        await pilot.press("slash", *"Ushakov")
        assert screen.article_list.shown_ids == wanted
        await pilot.press("enter")  # opens the first match, and the reader has the focus
        assert screen.reader.article.id == wanted[0]
        assert app.focused is screen.reader
        assert screen.article_list.shown_ids == wanted  # the filter stays on the list
        await pilot.press("shift+tab", "escape")
        assert len(screen.article_list.shown_ids) == 5
        await pilot.press("slash", *"no such words", "enter")  # nothing to open: box stays
        assert app.focused is screen.article_list.filter_input
        assert screen.reader.article.id == wanted[0]


async def test_a_narrow_terminal_leaves_the_reader_room(make):
    """At 60 columns the list gives way (over SSH, in a split tmux), and the reader keeps
    most of the width."""
    app = make()
    async with app.run_test(size=(60, 30)) as pilot:
        await pilot.pause()
        screen = main(app)
        assert screen.article_list.size.width <= 21
        assert screen.reader.size.width >= 35


async def test_ctrl_b_hides_and_shows_the_list(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        article_list = app.screen.query_one(ArticleList)
        await pilot.press("ctrl+b")
        assert not article_list.display
        assert isinstance(app.focused, Reader)
        await pilot.press("ctrl+b")
        assert article_list.display
        assert isinstance(app.focused, Reader)  # reading goes on where it was
        main(app).focus_now(article_list.options)
        await pilot.press("ctrl+b")  # hiding the list that has the focus: the reader takes it
        assert not article_list.display and isinstance(app.focused, Reader)


# --- side by side -----------------------------------------------------------------------


async def test_split_tab_and_brackets(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        ids = [a.id for a in screen.session.articles]
        await pilot.press("s")
        left, right = screen.panes
        assert right.display
        assert (left.article_id, right.article_id) == (ids[0], ids[1])
        await pilot.press("right_square_bracket")  # steps the unfocused (right) pane
        assert (left.article_id, right.article_id) == (ids[0], ids[2])
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert right.article_id == ids[0] or right.article_id == ids[-1]
        await pilot.press("right_square_bracket")
        assert right.article_id == ids[1] or right.article_id == ids[0]
        await pilot.press("tab")
        assert app.focused is right.reader
        await pilot.press("2")
        await pilot.press("tab")
        assert app.focused is left.reader
        await pilot.press("1")
        saved = {(article_id, label) for article_id, _, _, label, _ in on_disk(store_path)}
        assert saved == {(left.article_id, "actor"), (right.article_id, "demand")}
        await pilot.press("s")
        assert not right.display


# --- panels and dialogs -----------------------------------------------------------------


async def test_span_panel_lists_jumps_and_removes(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        reader = screen.reader
        putin = reader.article.text.index("Putin")
        await pilot.press("1")
        reader.move_to(putin)
        await pilot.press("2", "g", "p")
        panel = app.screen.query_one(SpanPanel)
        assert panel.display
        assert [s.label for s in panel.spans] == ["actor", "demand"]
        await pilot.press("down", "enter")
        assert reader.cursor == putin
        assert app.focused is reader
        await pilot.press("p", "p")  # reopened on the span under the cursor
        assert panel.current is not None and panel.current.start == putin
        await pilot.press("delete")
        assert labels_on_disk(store_path) == ["actor"]
        assert [s.label for s in panel.spans] == ["actor"]
        await pilot.press("p")
        assert not panel.display


async def test_another_annotators_span_is_never_removed_by_a_key(make, store_path):
    """bob's span shows in the panel, but neither delete there nor x on it removes it; each
    says whose it is."""
    from annotations.spans import make_span

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        article = screen.reader.article
        start = article.text.index("Putin")
        bob = make_span(article.id, article.text, start, start + 5, "actor",
                        screen.session.labels, "bob")  # fmt: skip
        screen.session.store.add(bob)
        screen.refresh_article(article.id, panel=True)
        screen.reader.move_to(start)
        await pilot.press("x")
        await pilot.pause()
        assert on_disk(store_path) == [(article.id, start, start + 5, "actor", "Putin")]
        assert any("That span is bob's" in n.message for n in app._notifications)
        await pilot.press("p")
        panel = app.screen.query_one(SpanPanel)
        assert panel.current is not None and panel.current.annotator == "bob"
        await pilot.press("delete")
        await pilot.pause()
        assert on_disk(store_path) == [(article.id, start, start + 5, "actor", "Putin")]
        assert [s.annotator for s in panel.spans] == ["bob"]


async def test_my_stale_span_is_cleared_from_the_span_panel(make, store_path):
    """A stale span (its text gone from the article) is listed in the panel, where delete
    clears it: the one place in the app to do so."""
    from annotations.spans import Span

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        article = screen.reader.article
        stale = Span(article.id, 0, 5, "actor", "Gone.", "tester", stale=True)
        screen.session.store.add(stale)
        screen.refresh_article(article.id, panel=True)
        await pilot.press("p")
        panel = app.screen.query_one(SpanPanel)
        assert [s.stale for s in panel.spans] == [True]
        await pilot.press("delete")
        await pilot.pause()
        assert on_disk(store_path) == []


async def test_question_mark_shows_every_binding(make):
    from tui.screens.help import HelpScreen

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        descriptions = " ".join(row[2] for row in app.screen.rows)
        for words in ("Undo", "Redo", "Two articles side by side", "Export", "Next word",
                      "Filter", "Command palette"):
            assert words in descriptions
        keys = {row[1] for row in app.screen.rows}
        assert {"1", "2", "3", "4", "u", "^r", "?", "/", "[", "]"} <= {
            part for key in keys for part in key.split(", ")
        }
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_e_exports_with_the_config_defaults(make, project, store_path):
    import json

    from tui.screens.export import ExportScreen

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "e")
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    lines = (project / "export.jsonl").read_text().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["spans"][0]["label"] == "actor"


async def test_export_dialog_shows_paths_and_errors_as_they_are(make, project):
    """Square brackets in a file name or an error are text, not markup to swallow."""
    from textual.widgets import Input, Static

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "e")
        box = app.screen.query_one("#export-file", Input)
        box.value = str(project / "out[x].jsonl")
        await pilot.press("enter")
        await pilot.pause()
        assert (project / "out[x].jsonl").exists()
        assert any("out[x].jsonl" in n.message for n in app._notifications)
        await pilot.press("e")
        box = app.screen.query_one("#export-file", Input)
        box.value = str(project / "no[such]" / "out.jsonl")
        await pilot.press("enter")
        await pilot.pause()
        shown = str(app.screen.query_one("#export-message", Static).render())
        assert shown.startswith("Not exported: ") and "no[such]" in shown


async def test_export_dialog_of_an_app_opened_on_some_files(make, project):
    """`spantag FILE`: the dialog exports that article and does not call the others'
    spans lost."""
    from annotations.store import Store as Opened

    first, second = sorted((project / "seeds").glob("*.txt"))[:2]
    with Opened.open(project / "annotations.json") as store:
        text = second.read_text(encoding="utf-8")
        store.add(make_span_for(second.stem, text, text.index("Russia"), "actor"))
    app = make(paths=[str(first)])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "e", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert not any("not exported" in n.message for n in app._notifications)
    lines = (project / "export.jsonl").read_text().splitlines()
    assert len(lines) == 1


def make_span_for(article_id: str, text: str, start: int, label: str):
    from annotations.spans import make_span

    end = start + len("Russia")
    return make_span(article_id, text, start, end, label, ("actor", "demand", "venue", "date"),
                     "tester")  # fmt: skip


async def test_export_dialog_escape_cancels(make, project):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "escape")
        assert isinstance(app.screen, MainScreen)
    assert not (project / "export.jsonl").exists()


async def test_command_palette_runs_actions(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"Split")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert main(app).panes[1].display


async def test_every_app_action_is_in_the_command_palette(make):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Tag actor", "Tag date", "Undo", "Redo", "Remove", "Done", "Split",
                      "Spans", "Help", "Export", "Quit", "Reader: Next word", "Reader: Select"):
            assert title in titles
        assert titles.count("Quit") == 1  # ours, with its key; not Textual's as well


async def test_q_quits_and_releases_the_store(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "q")
        await pilot.pause()
    assert app.return_code == 0
    with Store.open(store_path) as store:  # the lock is free again
        assert len(store.all_spans()) == 1


async def test_filter_text_typed_fast_after_slash_lands_in_the_box(make):
    """Keys arriving in one burst (a fast typist, tmux send-keys) are not lost or run."""
    from textual import events

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        for character, key in [("/", "slash"), ("s", "s"), ("/", "slash"), ("1", "1")]:
            app.post_message(events.Key(key, character))
        await pilot.pause(0.3)
        assert screen.article_list.filter_input.value == "s/1"
        assert not screen.split
        assert screen.session.spans(screen.reader.article.id) == []



async def test_capital_s_shows_statistics(make):
    from tui.screens.stats import StatsScreen

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "S")
        assert isinstance(app.screen, StatsScreen)
        await pilot.pause(0.5)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


# --- keys typed faster than they are handled ----------------------------------------------


async def type_at_once(pilot, *keys: str) -> None:
    """Queue `keys` as a terminal delivers a burst (one read, several keys), not one by one
    as `pilot.press` does, then wait until they are all handled."""
    from textual import events

    characters = {"slash": "/", "question_mark": "?"}
    for key in keys:
        character = characters.get(key, key if len(key) == 1 else None)
        pilot.app._driver.send_message(events.Key(key, character))
    await pilot.pause()
    await pilot.pause()


async def test_a_burst_of_keys_is_handled_in_the_order_typed(make, store_path):
    """A tag right after tab lands in the pane tab moved to; `x` then `1` removes the span
    under the cursor and tags the word again. (Keys bound on the screen used to wait for their
    turn behind the reader's, so the `1` overtook them.)"""
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("s")
        second = screen.panes[1].article
        assert second is not None and second is not screen.panes[0].article
        await type_at_once(pilot, "tab", "1")
        assert screen.active == 1
        assert [article for article, *_ in on_disk(store_path)] == [second.id]
        await type_at_once(pilot, "x", "1")
        assert [(article, label) for article, _, _, label, _ in on_disk(store_path)] == [
            (second.id, "actor")
        ]
        await type_at_once(pilot, "x", "2", "u")
        assert on_disk(store_path) == []  # removed, tagged demand, that tag undone


async def test_keys_typed_into_the_filter_box_stay_text(make, store_path):
    """Letters bound on the screen (`q` quits, `x` removes, `s` splits) are text while the
    list's filter box has the focus, as the label keys are."""
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        await type_at_once(pilot, "slash", "q", "x", "s", "d", "e", "1", "u", "p", "question_mark")
        box = screen.article_list.filter_input
        assert box.value == "qxsde1up?"
        assert app.is_running and not screen.split and on_disk(store_path) == []
        await pilot.press("escape")
        assert box.value == "" and app.focused is not box


async def test_delete_and_x_in_the_span_panel_remove_the_span_picked_there(make, store_path):
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("1", "w", "w", "3")
        spans = on_disk(store_path)
        assert len(spans) == 2
        await pilot.press("p")  # the panel opens on the span at the cursor (the second)
        assert app.focused is screen.span_panel.table
        await pilot.press("up", "x")  # the first, not the one under the reader's cursor
        assert [label for *_, label, _ in on_disk(store_path)] == ["venue"]
        await pilot.press("delete")
        assert on_disk(store_path) == []

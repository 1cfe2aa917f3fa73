"""Keys from config.yaml: characters become Textual key names and remap bindings by id."""

from __future__ import annotations

import pytest

from annotations.config import DEFAULT_KEYS, load_config
from annotations.store import Store
from tests.conftest import write_config
from tui.app import ACTION_BINDING_IDS, keymap_for, textual_key
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.widgets.reader import Reader

SIZE = (120, 40)


@pytest.mark.parametrize(
    ("key", "name"),
    [("/", "slash"), ("?", "question_mark"), ("[", "left_square_bracket"),
     ("]", "right_square_bracket"), ("{", "left_curly_bracket"), (",", "comma"),
     ("G", "G"), ("1", "1"), ("ctrl+b", "ctrl+b"), ("pageup", "pageup"), ("\\", "backslash")],
)
def test_textual_key(key, name):
    assert textual_key(key) == name


def test_every_config_action_has_a_binding_id():
    assert set(ACTION_BINDING_IDS) == set(DEFAULT_KEYS)


def test_default_keys_need_no_keymap(config):
    assert keymap_for(config) == {}


def test_every_remappable_binding_exists():
    """Each id the keymap can name is a binding of the screen or the reader."""
    ids = {b.id for b in MainScreen.BINDINGS} | {b.id for b in Reader.BINDINGS}
    missing = {
        action for action, binding_id in ACTION_BINDING_IDS.items() if binding_id not in ids
    }
    # Suggestions and the stats screen are other features; they bind these ids themselves.
    assert missing <= {
        "accept_suggestion", "accept_all_suggestions", "reject_suggestion", "next_suggestion",
        "prev_suggestion",
    }


@pytest.fixture
def remapped(project):
    """The shipped config with five keys changed, characters included."""
    path = write_config(
        project,
        **{
            "  undo: u\n": "  undo: U\n",
            '  help: "?" ': "  help: h ",
            "  split: s ": '  split: "|" ',
            "  filter: / ": "  filter: '\\' ",
            "  bottom: G\n": "  bottom: E\n",
        },
    )
    return load_config(path)


def test_remapped_config_parses(remapped):
    assert remapped.keys["undo"] == "U"
    assert keymap_for(remapped) == {
        "main.undo": "U",
        "main.help": "h",
        "main.split": "vertical_line",
        "main.filter": "backslash",
        "reader.bottom": "E",
    }


async def test_remapped_keys_work_and_old_ones_do_not(make, remapped, store_path):
    app = make(remapped)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("1", "u")
        with Store.open(store_path, read_only=True) as store:
            assert len(store.all_spans()) == 1  # `u` is no longer undo
        await pilot.press("U")
        with Store.open(store_path, read_only=True) as store:
            assert store.all_spans() == []
        await pilot.press("E")
        assert screen.reader.cursor == len(screen.reader.article.text)
        await pilot.press("s")
        assert not screen.panes[1].display
        await pilot.press("vertical_line")
        assert screen.panes[1].display
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("h")
        assert isinstance(app.screen, HelpScreen)
        rows = {description: key for _, key, description in app.screen.rows}
        assert rows["Undo the last change"] == "U"
        assert rows["Filter the article list"] == "\\"
        await pilot.press("escape", "backslash")
        assert screen.article_list.filter_input.has_focus


async def test_swapped_keys(make, project, store_path):
    path = write_config(project, **{"  top: g\n": "  top: G\n", "  bottom: G\n": "  bottom: g\n"})
    app = make(load_config(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reader = app.screen.reader
        await pilot.press("g")
        assert reader.cursor == len(reader.article.text)
        await pilot.press("G")
        assert reader.cursor == 0


async def test_remapped_keys_in_the_filter_box_follow_the_key_not_the_action(
    make, project, store_path
):
    """While the list's filter box has the focus, a key it types or edits with is the box's,
    whatever it is bound to (redo on `R`, the list on `L`, remove on delete), and a key it has
    no use for still acts (undo moved from `u` to ctrl+z)."""
    path = write_config(
        project,
        **{
            "  undo: u\n": "  undo: ctrl+z\n",
            "  redo: ctrl+r\n": "  redo: R\n",
            "  toggle_list: ctrl+b ": "  toggle_list: L ",
        },
    )
    app = make(load_config(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("1", "ctrl+z")  # tag, then undo it: redo would bring it back
        with Store.open(store_path, read_only=True) as store:
            assert store.all_spans() == []
        await pilot.press("slash", "L", "R")
        box = screen.article_list.filter_input
        assert box.value == "LR"
        assert screen.article_list.display
        with Store.open(store_path, read_only=True) as store:
            assert store.all_spans() == []  # `R` was not redo
        await pilot.press("escape", "R")  # out of the box, `R` is redo
        with Store.open(store_path, read_only=True) as store:
            assert len(store.all_spans()) == 1
        await pilot.press("slash", "L", "R", "home", "delete")  # delete edits the box
        assert box.value == "R"
        with Store.open(store_path, read_only=True) as store:
            assert len(store.all_spans()) == 1  # not the span under the reader's cursor
        await pilot.press("ctrl+z")  # a key the box has no use for still acts
        assert box.has_focus
        with Store.open(store_path, read_only=True) as store:
            assert store.all_spans() == []


async def test_an_action_with_two_keys_in_the_filter_box(make, project, store_path):
    """`undo: u,ctrl+z`: in the filter box `u` is text and ctrl+z still undoes; `q` of
    `quit: q,ctrl+q` is text there too. (Textual's keymap, applied after it takes the box's
    keys out, used to put `u` and `q` back.)"""
    path = write_config(
        project, **{"  undo: u\n": '  undo: "u,ctrl+z"\n', "  quit: q\n": '  quit: "q,ctrl+q"\n'}
    )
    app = make(load_config(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("1", "slash", "a", "u", "q")
        box = screen.article_list.filter_input
        assert box.value == "auq"
        assert app.is_running
        with Store.open(store_path, read_only=True) as store:
            assert len(store.all_spans()) == 1
        await pilot.press("ctrl+z")
        assert box.has_focus
        with Store.open(store_path, read_only=True) as store:
            assert store.all_spans() == []
        await pilot.press("escape", "1", "u")  # out of the box, both keys act
        with Store.open(store_path, read_only=True) as store:
            assert store.all_spans() == []
        await pilot.press("q")
        assert not app.is_running


async def test_the_remove_key_remapped_also_removes_in_the_span_panel(make, project, store_path):
    path = write_config(project, **{"  remove_span: x ": "  remove_span: X "})
    app = make(load_config(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("1", "w", "w", "3", "p")
        assert app.focused is screen.span_panel.table
        await pilot.press("up", "x")  # no longer a remove key
        with Store.open(store_path, read_only=True) as store:
            assert len(store.all_spans()) == 2
        await pilot.press("X")  # the span picked in the panel (the first), not the reader's
        with Store.open(store_path, read_only=True) as store:
            assert [span.label for span in store.all_spans()] == ["venue"]

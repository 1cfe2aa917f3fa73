"""What the app shows when something is wrong: a message and a way out, never a traceback."""

from __future__ import annotations

from pathlib import Path

from textual.content import Content
from textual.widgets import Static

from annotations.config import load_config
from annotations.store import Store
from tui.app import StartupErrorApp, build_app
from tui.screens.error import ErrorScreen
from tui.screens.main import MainScreen

SIZE = (120, 40)


def recorded(app) -> list[str]:
    """Replace app.notify with a recorder (notifications are not drawn in run_test)."""
    messages: list[str] = []

    def notify(message, **options):
        messages.append(str(message))

    app.notify = notify
    return messages


def error_text(app) -> str:
    screen = app.screen
    assert isinstance(screen, ErrorScreen)
    return " ".join(str(s.render()) for s in screen.query(Static))


async def test_a_locked_store_opens_read_only_with_a_banner(make, store_path):
    with Store.open(store_path):  # another spantag holds the store
        app = make()
        messages = recorded(app)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, MainScreen)
            banner = screen.query_one("#banner", Static)
            assert banner.display
            assert "in use by another spantag" in str(banner.render())
            assert screen.status.mode == "READ-ONLY"
            await pilot.press("1", "d", "u")
            assert any("read-only" in m for m in messages)
    with Store.open(store_path, read_only=True) as store:
        assert store.all_spans() == []
        assert not store.is_done(screen.session.articles[0].id)


async def test_a_store_file_marked_read_only_opens_read_only_with_a_banner(make, store_path):
    """chmod 444 says "leave this as it is": the app reads it and says why nothing saves."""
    Store.open(store_path).close()
    store_path.chmod(0o444)
    before = store_path.read_bytes()
    try:
        app = make()
        messages = recorded(app)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            banner = app.screen.query_one("#banner", Static)
            assert banner.display and "the file is read-only" in str(banner.render())
            await pilot.press("1")
            assert any("read-only" in m for m in messages)
        assert store_path.read_bytes() == before
        assert not store_path.stat().st_mode & 0o222
    finally:
        store_path.chmod(0o644)


async def test_brackets_in_a_label_name_or_description_are_text(project, make):
    """A label's name and description are the user's words; "[/]" or "[/b]" in them used to
    end the app with a MarkupError when help (or the palette) drew them."""
    from tests.conftest import write_config

    write_config(
        project,
        **{
            "  - name: demand\n": "  - name: 'd[/]'\n",
            "What an actor asks for, proposes or insists on.": "Asks [/b] for [Putin]",
        },
    )
    config = load_config(project / "config.yaml")
    assert config.label_names[1] == "d[/]"
    app = make(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.press("question_mark")
        await pilot.pause()
        drawn = app.export_screenshot().replace("&#160;", " ")
        assert "Asks [/b] for [Putin]" in drawn
        commands = list(app.get_system_commands(app.screen))
        shown = {Content.from_markup(c.title).plain for c in commands}
        helps = {Content.from_markup(c.help).plain for c in commands}
        assert "Tag d[/]" in shown and any("Asks [/b] for [Putin]" in h for h in helps)
        await pilot.press("escape", "ctrl+p", *"Tag")
        await pilot.pause(0.3)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_read_only_option_shows_the_banner(make):
    app = make(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        banner = app.screen.query_one("#banner", Static)
        assert banner.display and "--read-only" in str(banner.render())


async def test_a_damaged_store_shows_an_error_screen_and_q_quits(make, store_path):
    store_path.write_text("{not json", encoding="utf-8")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = error_text(app)
        assert "annotations.json" in text and "not valid JSON" in text
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 1
    assert store_path.read_text() == "{not json"  # left untouched


async def test_an_unreadable_article_is_a_warning_not_a_stop(make, project):
    (project / "seeds" / "zz_broken.txt").write_bytes(b"caf\xe9 au lait\n")
    app = make()
    messages = recorded(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert len(app.screen.session.articles) == 5
    assert any("zz_broken.txt" in m and "UTF-8" in m for m in messages)


async def test_no_articles_shows_what_to_do(make, project):
    empty = project / "empty"
    empty.mkdir()
    app = make(paths=[str(empty)])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "No articles found" in error_text(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 1


async def test_a_bad_config_shows_the_line_to_fix(tmp_path: Path):
    bad = tmp_path / "config.yaml"
    bad.write_text("labels:\n  - name: actor\n    key: '1'\n    colour: notacolour\n")
    app = build_app(str(bad))
    assert isinstance(app, StartupErrorApp)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = error_text(app)
        assert "config.yaml, line 4" in text and "colour" in text
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 1


async def test_duplicate_article_ids_show_an_error_screen(make, project):
    (project / "other").mkdir()
    (project / "other" / "000_abcb8c07387bfbf5.txt").write_text("Same id, other text.\n")
    app = make(paths=[str(project / "seeds"), str(project / "other")])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "duplicate article id" in error_text(app)


def test_build_app_with_a_good_config_is_the_real_app(project: Path):
    from tui.app import SpantagApp

    app = build_app(str(project / "config.yaml"))
    assert isinstance(app, SpantagApp)
    assert app.config == load_config(project / "config.yaml")

"""The app's tagging rules (tui.session) on a real store: tag, toggle, relabel, undo, redo."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.config import Config
from annotations.store import Store, StoreLocked
from tui.session import DONE, IN_PROGRESS, NEW, Session, describe


@pytest.fixture
def session(config: Config):
    session, opened = Session.open(config, config.store)
    assert opened.locked is None
    yield session
    session.close()


def disk(path: Path) -> list[tuple[int, int, str, str]]:
    with Store.open(path, read_only=True) as store:
        return [(s.start, s.end, s.label, s.text) for s in store.all_spans()]


def first(session: Session):
    return session.articles[0]


def word(article, text: str) -> tuple[int, int]:
    start = article.text.index(text)
    return start, start + len(text)


def test_open_loads_the_seeds_and_records_them(session: Session, config: Config):
    assert len(session.articles) == 5
    assert [session.state(a.id) for a in session.articles] == [NEW] * 5
    with Store.open(config.store, read_only=True) as store:
        assert store.article_hash(first(session).id) == first(session).sha256


def test_tag_then_same_label_again_removes(session: Session, config: Config):
    article = first(session)
    putin = word(article, "Putin")
    edit = session.tag(article, "actor", putin, selected=False, cursor=putin[0])
    assert edit is not None and "+actor 'Putin'" in edit.what
    assert disk(config.store) == [(*putin, "actor", "Putin")]
    assert session.state(article.id) == IN_PROGRESS
    session.tag(article, "actor", putin, selected=False, cursor=putin[0] + 2)
    assert disk(config.store) == []


def test_other_label_on_a_span_relabels_it_in_one_change(session: Session, config: Config):
    article = first(session)
    name = word(article, "Sergei Ryabkov")
    session.tag(article, "actor", name, selected=True)
    inside = name[0] + len("Sergei ")
    edit = session.tag(article, "demand", word(article, "Ryabkov"), selected=False, cursor=inside)
    assert edit is not None and edit.what == "actor→demand 'Sergei Ryabkov'"
    assert disk(config.store) == [(*name, "demand", "Sergei Ryabkov")]
    session.undo()
    assert disk(config.store) == [(*name, "actor", "Sergei Ryabkov")]
    session.redo()
    assert disk(config.store) == [(*name, "demand", "Sergei Ryabkov")]


def test_selection_of_another_range_adds_an_overlapping_span(session: Session, config: Config):
    article = first(session)
    session.tag(article, "actor", word(article, "Sergei Ryabkov"), selected=True)
    session.tag(article, "venue", word(article, "Ryabkov"), selected=True)
    labels = sorted(label for _, _, label, _ in disk(config.store))
    assert labels == ["actor", "venue"]


def test_undo_and_redo_are_unlimited_and_saved(session: Session, config: Config):
    article = first(session)
    words = ["Russia", "Wednesday", "Putin", "NATO"]
    for text in words:
        session.tag(article, "actor", word(article, text), selected=True)
    assert len(disk(config.store)) == 4
    for left in (3, 2, 1, 0):
        assert session.undo() is not None
        assert len(disk(config.store)) == left
    assert session.undo() is None
    for count in (1, 2, 3, 4):
        assert session.redo() is not None
        assert len(disk(config.store)) == count
    assert session.redo() is None


def test_a_new_edit_clears_redo(session: Session):
    article = first(session)
    session.tag(article, "actor", word(article, "Russia"), selected=True)
    session.undo()
    session.tag(article, "date", word(article, "Wednesday"), selected=True)
    assert session.redo() is None


def test_remove_at_takes_the_innermost_span(session: Session, config: Config):
    article = first(session)
    session.tag(article, "actor", word(article, "Sergei Ryabkov"), selected=True)
    session.tag(article, "venue", word(article, "Ryabkov"), selected=True)
    session.remove_at(article.id, article.text.index("Ryabkov"))
    assert [label for _, _, label, _ in disk(config.store)] == ["actor"]
    assert session.remove_at(article.id, 0) is None


def test_toggle_done_is_stored(session: Session, config: Config):
    article_id = first(session).id
    assert session.toggle_done(article_id) is True
    assert session.state(article_id) == DONE
    with Store.open(config.store, read_only=True) as store:
        assert store.is_done(article_id)
    assert session.toggle_done(article_id) is False


def test_a_locked_store_opens_read_only(config: Config):
    with Store.open(config.store):
        session, opened = Session.open(config, config.store)
        try:
            assert isinstance(opened.locked, StoreLocked)
            assert session.read_only
        finally:
            session.close()


def test_describe_names_adds_removals_and_relabels(session: Session):
    article = first(session)
    edit = session.tag(article, "actor", word(article, "Putin"), selected=True)
    assert describe(edit.change) == "+actor 'Putin'"
    assert describe(edit.change.inverse()) == "-actor 'Putin'"


def test_an_undo_that_cannot_be_saved_stays_undoable(config: Config):
    from annotations.store import StoreError

    session, _ = Session.open(config, config.store)
    article = first(session)
    session.tag(article, "actor", word(article, "Russia"), selected=True)
    session.store.close()
    with pytest.raises(StoreError):
        session.undo()
    assert len(session.undo_stack) == 1 and session.redo_stack == []

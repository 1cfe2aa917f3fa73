"""Teams in the app: an annotator's assigned articles come first; keys never touch other
annotators' spans (imported or shared stores)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from annotations.assign import assign
from annotations.config import Config, load_config
from annotations.spans import make_span
from annotations.store import Store
from tests.conftest import write_config
from tui.cli import main
from tui.session import Session

SEED_IDS = sorted(p.stem for p in (Path(__file__).parent.parent / "seeds").glob("*.txt"))


def with_assignments(project: Path, annotator: str) -> Config:
    """A config whose assignments file gives `annotator` some of the seeds."""
    plan = assign(SEED_IDS, ["alice", "bob"], overlap=0.0)
    (project / "assignments.yaml").write_text(plan.to_yaml(), encoding="utf-8")
    write_config(
        project,
        **{"annotator: tester": "", "assignments: null": "assignments: assignments.yaml"},
    )
    config = load_config(project / "config.yaml")
    return dataclasses.replace(config, annotator=annotator)


def test_session_lists_my_articles_first_in_corpus_order(project: Path):
    config = with_assignments(project, "bob")
    mine = sorted(dict(assign(SEED_IDS, ["alice", "bob"]).by_annotator)["bob"])
    session, opened = Session.open(config, config.store)
    try:
        ids = [a.id for a in session.articles]
        assert ids[: len(mine)] == mine
        assert sorted(ids[len(mine) :]) == sorted(set(SEED_IDS) - set(mine))
        assert all(session.is_assigned(i) for i in mine)
        assert not any(session.is_assigned(i) for i in ids[len(mine) :])
        assert opened.warnings == []
    finally:
        session.close()


def test_someone_not_in_the_file_gets_the_corpus_order_and_a_warning(project: Path):
    config = with_assignments(project, "carol")
    session, opened = Session.open(config, config.store)
    try:
        assert [a.id for a in session.articles] == SEED_IDS
        assert any("no articles assigned to 'carol'" in w for w in opened.warnings)
    finally:
        session.close()


async def test_app_marks_articles_assigned_to_someone_else(project: Path, make):
    config = with_assignments(project, "alice")
    mine = set(dict(assign(SEED_IDS, ["alice", "bob"]).by_annotator)["alice"])
    app = make(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        options = app.screen.query_one("ArticleOptions")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(len(SEED_IDS))]
    for index, prompt in enumerate(prompts):
        assert prompt.startswith("not yours") == (index >= len(mine)), prompt


def test_cli_annotator_option_reaches_the_commands(project: Path, capsys, monkeypatch):
    monkeypatch.chdir(project)
    line = '{"id": "%s", "text": %s, "label": [[0, 6, "actor"]]}\n'
    article = (project / "seeds" / f"{SEED_IDS[0]}.txt").read_text(encoding="utf-8")
    (project / "in.jsonl").write_text(line % (SEED_IDS[0], json.dumps(article)), encoding="utf-8")
    assert main(["--annotator", "zoe", "import", "in.jsonl"]) == 0
    with Store.open(project / "annotations.json", read_only=True) as store:
        assert {s.annotator for s in store.all_spans()} == {"zoe"}


def test_keys_never_change_another_annotators_span(project: Path):
    config = load_config(project / "config.yaml")
    session, _ = Session.open(config, config.store)
    article = session.articles[0]
    start = article.text.index("Ryabkov")
    end = start + len("Ryabkov")
    bob = make_span(article.id, article.text, start, end, "actor", config.label_names, "bob")
    session.store.add(bob)
    # Pressing 2 on bob's span tags the word as the session annotator's own span ...
    session.tag(article, "demand", (start, end), selected=False, cursor=start)
    # ... and x there removes only that, never bob's.
    session.remove_at(article.id, start)
    session.remove_at(article.id, start)
    session.close()
    with Store.open(config.store, read_only=True) as store:
        assert [(s.label, s.annotator) for s in store.all_spans()] == [("actor", "bob")]

"""`spantag suggest`: JSONL of the suggestions without touching the store, or --accept.

Every test runs the real command (`tui.cli.main`) with --config and --store under tmp_path.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotations.articles import load_corpus
from annotations.formats import prodigy
from annotations.spans import make_span
from annotations.store import Store
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
HELDOUT = "003_83cc758b4cb3b23b"
LABELS = ("actor", "demand", "venue", "date")


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the seeds, the shipped config (annotator "tester"), an empty store path."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    text = (ROOT / "annotations" / "default_config.yaml").read_text("utf-8")
    (tmp_path / "config.yaml").write_text(
        text.replace("annotator: null", "annotator: tester"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(capsys, project: Path, *argv: str) -> tuple[int, str, str]:
    code = main(
        ["--config", str(project / "config.yaml"), "--store", str(project / "s.json"), *argv]
    )
    out, err = capsys.readouterr()
    return code, out, err


def seed_text(article_id: str) -> str:
    return (SEEDS / f"{article_id}.txt").read_text("utf-8")


def tag_in_store(project: Path, article_id: str, text: str, label: str) -> None:
    body = seed_text(article_id)
    start = body.index(text)
    with Store.open(project / "s.json") as store:
        store.add(make_span(article_id, body, start, start + len(text), label, LABELS, "tester"))


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def store_files(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(project.glob("s.json*"))}


def test_prints_prodigy_jsonl_and_leaves_the_store_alone(capsys, project):
    tag_in_store(project, "000_abcb8c07387bfbf5", "Ryabkov", "actor")
    before = store_files(project)
    code, out, err = cli(capsys, project, "suggest")
    assert code == 0, err
    assert store_files(project) == before
    tasks = lines(out)
    assert [task["meta"]["id"] for task in tasks] == [
        a.id for a in load_corpus([project / "seeds"]).articles
    ]
    for task in tasks:
        text = task["text"]
        assert text == seed_text(task["meta"]["id"])
        assert task["spans"]
        assert len(task["meta"]["span_sources"]) == len(task["spans"])
        assert set(task["meta"]["span_annotators"]) == {"tester"}
        for span in task["spans"]:
            token_start = task["tokens"][span["token_start"]]
            token_end = task["tokens"][span["token_end"]]
            assert (token_start["start"], token_end["end"]) == (span["start"], span["end"])
        assert task["_task_hash"] == prodigy.task_hash(
            text, [(s["start"], s["end"], s["label"]) for s in task["spans"]]
        )
    by_id = {task["meta"]["id"]: task for task in tasks}
    heldout = by_id[HELDOUT]
    ryabkov = [
        (span, source)
        for span, source in zip(heldout["spans"], heldout["meta"]["span_sources"], strict=True)
        if heldout["text"][span["start"] : span["end"]] == "Ryabkov"
    ]
    assert [(span["label"], source) for span, source in ryabkov] == [("actor", "propagated")]
    assert "suggestion(s) in 5 article(s)" in err


def test_doccano_format_ids_and_filters(capsys, project):
    tag_in_store(project, "000_abcb8c07387bfbf5", "Ryabkov", "actor")
    code, out, _ = cli(
        capsys, project, "suggest", HELDOUT, "--format", "doccano", "--source", "propagated"
    )
    assert code == 0
    (task,) = lines(out)
    assert task["id"] == HELDOUT
    assert [task["text"][s:e] for s, e, _ in task["label"]] == ["Ryabkov"]
    assert task["span_sources"] == ["propagated"]
    code, out, _ = cli(capsys, project, "suggest", HELDOUT, "-f", "doccano", "--label", "date")
    (task,) = lines(out)
    assert {label for _, _, label in task["label"]} == {"date"}
    assert [task["text"][s:e] for s, e, _ in task["label"]][:2] == ["09:01, 15-Dec-2021", "Tuesday"]


def test_rejections_in_the_store_are_respected(capsys, project):
    text = seed_text(HELDOUT)
    start = text.index("Tuesday")
    with Store.open(project / "s.json") as store:
        store.reject(HELDOUT, start, start + len("Tuesday"), "date")
    code, out, _ = cli(capsys, project, "suggest", HELDOUT, "-f", "doccano", "--label", "date")
    (task,) = lines(out)
    assert [start, start + 7, "date"] not in task["label"]
    assert not any(s < start + 7 and start < e for s, e, _ in task["label"])
    assert "later on Tuesday" in [text[s:e] for s, e, _ in task["label"]]


def test_accept_stores_the_suggestions_with_their_source(capsys, project):
    tag_in_store(project, "000_abcb8c07387bfbf5", "Ryabkov", "actor")
    code, out, err = cli(capsys, project, "suggest", "--accept", "--label", "actor")
    assert code == 0, err
    assert out.startswith("accepted ")
    with Store.open(project / "s.json", read_only=True) as store:
        spans = store.all_spans()
    sources = {span.source for span in spans}
    assert sources == {"manual", "propagated", "pattern"}
    assert all(span.label == "actor" and span.annotator == "tester" for span in spans)
    heldout = {(s.text, s.source) for s in spans if s.article_id == HELDOUT}
    assert ("Ryabkov", "propagated") in heldout
    assert ("Vladimir Putin", "pattern") in heldout
    # What is left for that label is new: texts just accepted, propagated to other articles
    # ("Vladimir Putin" after "President of Russia", which no pattern caught).
    code, out, _ = cli(capsys, project, "suggest", "--label", "actor")
    assert code == 0
    accepted = {span.text for span in spans}
    for task in lines(out):
        assert set(task["meta"]["span_sources"]) == {"propagated"}
        assert {task["text"][s["start"] : s["end"]] for s in task["spans"]} <= accepted
    code, out, _ = cli(capsys, project, "suggest", "--label", "date")
    assert lines(out)


def test_suggest_reads_a_store_in_use_but_accept_needs_it(capsys, project):
    tag_in_store(project, "000_abcb8c07387bfbf5", "Ryabkov", "actor")
    with Store.open(project / "s.json"):
        code, out, _ = cli(capsys, project, "suggest", HELDOUT)
        assert code == 0 and lines(out)
        code, out, err = cli(capsys, project, "suggest", "--accept")
        assert code == 1
        assert "in use" in err and "Traceback" not in err


def test_unknown_ids_and_labels_are_one_line_errors(capsys, project):
    code, _, err = cli(capsys, project, "suggest", "nope", HELDOUT)
    assert code == 1
    assert err.strip() == "spantag: unknown article id(s): nope (see `spantag list`)"
    code, _, err = cli(capsys, project, "suggest", "--label", "person")
    assert code == 1
    assert "unknown label 'person'" in err and len(err.strip().splitlines()) == 1


def test_gazetteers_from_the_config_and_a_missing_one_warns(capsys, project):
    (project / "leaders.txt").write_text("# leaders\nEmmanuel Macron\nSauli Niinisto\n")
    config = project / "config.yaml"
    config.write_text(
        config.read_text("utf-8").replace(
            "gazetteers: {}", "gazetteers:\n  actor: [leaders.txt, missing.txt]"
        ),
        encoding="utf-8",
    )
    code, out, err = cli(
        capsys, project, "suggest", HELDOUT, "-f", "doccano", "--source", "gazetteer"
    )
    assert code == 0
    (task,) = lines(out)
    assert [task["text"][s:e] for s, e, _ in task["label"]] == ["Sauli Niinisto", "Emmanuel Macron"]
    assert "missing.txt" in err and "warning:" in err


def test_corpus_option_replaces_the_configured_corpus(capsys, project, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("Talks on Monday in Geneva.\n", encoding="utf-8")
    code, out, _ = cli(capsys, project, "suggest", "--corpus", str(other), "-f", "doccano")
    assert code == 0
    (task,) = lines(out)
    assert task["id"] == "x" and task["label"] == [[9, 15, "date"]]

"""`spantag list` and `spantag init`, through the real command line entry point."""

from __future__ import annotations

import json

from annotations.articles import load_corpus
from annotations.config import default_config_text
from annotations.spans import make_span
from annotations.store import Store
from tui.cli import main


def test_list_shows_words_spans_per_label_and_done(project, config, capsys):
    articles = load_corpus([str(project / "seeds")]).articles
    first = articles[0]
    with Store.open(config.store) as store:
        start = first.text.index("Putin")
        store.add(make_span(first.id, first.text, start, start + 5, "actor", config.label_names,
                            "tester"))
        store.set_done(articles[1].id, True)
    code = main(["--config", str(project / "config.yaml"), "list", "--json"])
    assert code == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["id"] for row in rows] == [a.id for a in articles]
    assert rows[0]["spans"] == {"actor": 1, "demand": 0, "venue": 0, "date": 0}
    assert rows[0]["words"] == first.words
    assert [row["done"] for row in rows] == [False, True, False, False, False]


def test_list_table(project, capsys):
    assert main(["--config", str(project / "config.yaml"), "list"]) == 0
    out = capsys.readouterr().out
    assert "5 articles" in out and "000_abcb8c07387bfbf5" in out and "demand" in out


def test_list_of_given_paths(project, capsys):
    path = project / "seeds" / "003_83cc758b4cb3b23b.txt"
    assert main(["--config", str(project / "config.yaml"), "list", "--json", str(path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["id"] for row in rows] == ["003_83cc758b4cb3b23b"]


def test_init_writes_the_commented_default_and_refuses_to_overwrite(tmp_path, monkeypatch,
                                                                    capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    written = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    assert written == default_config_text()
    (tmp_path / "config.yaml").write_text("# mine\n" + written, encoding="utf-8")
    capsys.readouterr()
    assert main(["init"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "config.yaml").read_text(encoding="utf-8").startswith("# mine")


def test_init_to_a_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "project").mkdir()
    assert main(["init", "project"]) == 0
    assert (tmp_path / "project" / "config.yaml").exists()

"""`spantag export` and annotations.export, on real seed files and real stores under tmp_path."""

from __future__ import annotations

import io
import json
import re
import shutil
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from annotations.articles import Article, load_corpus
from annotations.export import (
    ExportError,
    export_corpus,
    export_spans,
    export_to_path,
    relative_source,
)
from annotations.formats import conll
from annotations.spans import Span, make_span
from annotations.store import Store
from tui.cli import main

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
LABELS = ("actor", "demand", "venue", "date")
CONFIG = """\
annotator: alice
corpus: [seeds/]
store: annotations.json
labels:
  - {name: actor, key: "1", colour: blue}
  - {name: demand, key: "2", colour: red}
  - {name: venue, key: "3", colour: green}
  - {name: date, key: "4", colour: magenta}
export:
  format: FORMAT
"""
needs_spacy = pytest.mark.skipif(find_spec("spacy") is None, reason="spaCy is not installed")


class Project:
    def __init__(self, root: Path, fmt: str = "prodigy") -> None:
        self.root = root
        shutil.copytree(SEEDS, root / "seeds")
        self.config = root / "config.yaml"
        self.config.write_text(CONFIG.replace("FORMAT", fmt), encoding="utf-8")
        self.store = root / "annotations.json"
        self.articles = list(load_corpus([root / "seeds"]).articles)

    def cli(self, *args: str) -> int:
        return main(["--config", str(self.config), "--store", str(self.store), *args])

    def annotate(self, marks, annotator: str = "alice", source: str = "manual") -> list[Span]:
        """`marks`: (article index, word, label); the first whole-word match is tagged."""
        spans = []
        with Store.open(self.store) as store:
            for index, word, label in marks:
                article = self.articles[index]
                match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", article.text)
                assert match, word
                made = make_span(article.id, article.text, match.start(), match.end(), label,
                                 LABELS, annotator, source)  # fmt: skip
                store.add(made)
                spans.append(made)
        return spans


MARKS = [
    (0, "Vladimir Putin", "actor"),
    (0, "Wednesday", "date"),
    (0, "Moscow", "venue"),
    (2, "Russia", "actor"),
    (2, "legal guarantees", "demand"),
]


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


def lines_of(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


# -- the command ---------------------------------------------------------------------------


def test_export_streams_annotated_articles_in_corpus_order(project, capsys):
    project.annotate(MARKS)
    assert project.cli("export") == 0
    out, err = capsys.readouterr()
    records = lines_of(out)
    assert [r["meta"]["id"] for r in records] == [project.articles[0].id, project.articles[2].id]
    assert err == ""
    first = records[0]
    assert first["meta"]["source"] == f"seeds/{project.articles[0].id}.txt"
    assert first["meta"]["span_sources"] == ["manual"] * 3
    assert first["meta"]["span_annotators"] == ["alice"] * 3
    for record in records:
        assert record["answer"] == "accept"
        for item in record["spans"]:
            tokens = record["tokens"]
            assert tokens[item["token_start"]]["start"] == item["start"]
            assert tokens[item["token_end"]]["end"] == item["end"]
    labels = [(r["text"][s["start"] : s["end"]], s["label"]) for r in records for s in r["spans"]]
    assert labels == [
        ("Wednesday", "date"),
        ("Vladimir Putin", "actor"),
        ("Moscow", "venue"),
        ("Russia", "actor"),
        ("legal guarantees", "demand"),
    ]


def test_export_all_writes_every_article(project, capsys):
    project.annotate(MARKS[:1])
    assert project.cli("export", "--all", "-f", "doccano") == 0
    records = lines_of(capsys.readouterr().out)
    assert [r["id"] for r in records] == [a.id for a in project.articles]
    assert [len(r["label"]) for r in records] == [1, 0, 0, 0, 0]


def test_export_format_defaults_to_the_config(tmp_path, capsys):
    project = Project(tmp_path, fmt="doccano")
    project.annotate(MARKS)
    assert project.cli("export") == 0
    record = lines_of(capsys.readouterr().out)[0]
    assert set(record) == {"id", "text", "label", "meta", "span_sources", "span_annotators"}
    assert record["label"][0][2] in LABELS


def test_export_to_a_file_is_atomic_and_equals_stdout(project, capsys):
    project.annotate(MARKS)
    assert project.cli("export") == 0
    stdout_export = capsys.readouterr().out
    target = project.root / "out.jsonl"
    assert project.cli("export", "-o", str(target)) == 0
    out, _ = capsys.readouterr()
    assert out == f"wrote 2 article(s), 5 span(s) as prodigy to {target}\n"
    assert target.read_text(encoding="utf-8") == stdout_export
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith(".")) == []


def test_span_text_mismatch_exits_1_naming_the_article_and_keeps_the_old_file(project, capsys):
    project.annotate(MARKS)
    target = project.root / "out.jsonl"
    target.write_text("earlier export\n", encoding="utf-8")
    changed = project.root / "seeds" / f"{project.articles[2].id}.txt"
    changed.write_text("Completely different text now.\n", encoding="utf-8")
    assert project.cli("export", "-o", str(target)) == 1
    out, err = capsys.readouterr()
    assert out == ""
    # The re-anchoring warnings name each lost span, then one error line stops the export.
    *warnings, error = err.splitlines()
    changed_id = project.articles[2].id
    assert all(line.startswith(f"warning: {changed_id}: text changed") for line in warnings)
    assert error.startswith(f"spantag: {project.articles[2].id}: span [")
    assert "claims 'Russia'" in error
    assert target.read_text(encoding="utf-8") == "earlier export\n"
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".out")] == []
    # Nothing is written to stdout either: every span is checked before the first line.
    assert project.cli("export") == 1
    assert capsys.readouterr().out == ""


def test_conll_export_reports_dropped_overlaps_on_stderr(project, capsys):
    project.annotate(MARKS)
    project.annotate([(0, "Putin", "demand")], annotator="bob")  # inside "Vladimir Putin"
    assert project.cli("export", "-f", "conll") == 0
    out, err = capsys.readouterr()
    assert err == (
        "spantag: 1 overlapping span(s) dropped: a CoNLL token has one tag, "
        "the longer span was kept\n"
    )
    pairs = [pair for sentence in conll.parse(out) for pair in sentence]
    assert ("Vladimir", "B-actor") in pairs and ("Putin", "I-actor") in pairs
    assert all("\t" not in token and not token.isspace() for token, _ in pairs)
    assert out.endswith("\n\n")


def test_docbin_needs_an_output_file(project, capsys):
    project.annotate(MARKS)
    assert project.cli("export", "-f", "docbin") == 1
    assert "give it one with -o" in capsys.readouterr().err


def test_docbin_without_spacy_is_a_clear_error(project, capsys, monkeypatch):
    project.annotate(MARKS)
    monkeypatch.setitem(sys.modules, "spacy", None)  # as if spaCy were not installed
    assert project.cli("export", "-f", "docbin", "-o", str(project.root / "x.spacy")) == 1
    assert "pip install 'spantag[spacy]'" in capsys.readouterr().err
    assert not (project.root / "x.spacy").exists()


@needs_spacy
def test_docbin_export_is_read_by_spacy(project, capsys):
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    project.annotate(MARKS)
    project.annotate([(0, "Putin", "demand")], annotator="bob")
    target = project.root / "train.spacy"
    assert project.cli("export", "-f", "docbin", "-o", str(target)) == 0
    out, err = capsys.readouterr()
    assert "1 overlapping span(s) left out of doc.ents" in err
    docs = list(DocBin().from_disk(target).get_docs(Vocab()))
    assert [doc.text for doc in docs] == [project.articles[0].text, project.articles[2].text]
    assert len(docs[0].spans["sc"]) == 4 and len(docs[0].ents) == 3
    assert {span.text for span in docs[0].spans["sc"]} == {
        "Vladimir Putin", "Putin", "Wednesday", "Moscow",
    }  # fmt: skip


def test_store_only_articles_are_exported_after_the_corpus(project, capsys):
    project.annotate(MARKS[:1])
    extra = Article("zz-imported", "Sergei Ryabkov met Karen Donfried.", "x.jsonl:1", {"k": 1})
    with Store.open(project.store) as store:
        store.add_article(extra)
        store.add(make_span(extra.id, extra.text, 0, 14, "actor", LABELS, "bob"))
    assert project.cli("export") == 0
    records = lines_of(capsys.readouterr().out)
    assert [r["meta"]["id"] for r in records] == [project.articles[0].id, "zz-imported"]
    assert records[1]["meta"] == {"id": "zz-imported", "source": "store", "k": 1,
                                  "span_sources": ["manual"], "span_annotators": ["bob"]}


def test_export_reads_a_store_another_spantag_holds_open(project, capsys):
    project.annotate(MARKS)
    with Store.open(project.store):  # the app, say, has it open for writing
        assert project.cli("export", "-f", "doccano") == 0
    assert len(lines_of(capsys.readouterr().out)) == 2


def test_misaligned_imported_span_fails_tokenised_formats_but_not_doccano(project, capsys):
    article = project.articles[0]
    start = article.text.index("Putin")
    with Store.open(project.store) as store:
        store.add(make_span(article.id, article.text, start, start + 3, "actor", LABELS, "bob",
                            "import"))  # fmt: skip
    project.annotate([(1, "NATO", "actor")])  # an article written before the bad one
    for fmt in ("prodigy", "conll"):
        assert project.cli("export", "-f", fmt) == 1
        out, err = capsys.readouterr()
        assert err.startswith(f"spantag: {article.id}: span [{start}, {start + 3}) actor 'Put'")
        assert "token boundary" in err
        assert out == ""  # not the lines before it, as if they were the export
    assert project.cli("export", "-f", "doccano") == 0
    assert lines_of(capsys.readouterr().out)[0]["label"] == [[start, start + 3, "actor"]]


def test_the_same_span_by_two_annotators_is_written_once(project, capsys):
    """spaCy refuses `doc.ents` with a span twice (E1010); training would count it twice."""
    project.annotate([(0, "Putin", "actor"), (0, "Wednesday", "date")], annotator="alice")
    project.annotate([(0, "Putin", "actor"), (0, "Putin", "demand")], annotator="bob")
    for fmt in ("prodigy", "doccano"):
        assert project.cli("export", "-f", fmt) == 0
        out, err = capsys.readouterr()
        record = lines_of(out)[0]
        spans = record["spans"] if fmt == "prodigy" else record["label"]
        labels = [s["label"] if fmt == "prodigy" else s[2] for s in spans]
        assert sorted(labels) == ["actor", "date", "demand"]
        meta = record["meta"] if fmt == "prodigy" else record
        assert meta["span_annotators"].count("alice") == 2  # the first in store order
        assert "1 span(s) marked the same by more than one annotator were written once" in err


def test_exporting_some_files_leaves_the_rest_unreported(project, capsys):
    project.annotate(MARKS)
    imported = project.root / "imported.jsonl"
    imported.write_text(
        json.dumps({"id": "dave", "text": "Dave stayed in.", "label": [[0, 4, "actor"]]}) + "\n",
        encoding="utf-8",
    )
    assert project.cli("import", str(imported)) == 0  # an article kept only in the store
    capsys.readouterr()
    chosen = project.root / "seeds" / f"{project.articles[0].id}.txt"
    assert project.cli("export", "-f", "doccano", str(chosen)) == 0
    out, err = capsys.readouterr()
    assert [line["id"] for line in lines_of(out)] == [project.articles[0].id]  # not "dave"
    assert "not exported" not in err


def test_a_store_that_is_not_there_is_an_error_unless_all(project, capsys):
    missing = project.root / "typo.json"
    code = main(["--config", str(project.config), "--store", str(missing), "export"])
    assert code == 1
    out, err = capsys.readouterr()
    assert out == "" and f"{missing}: no store there, so no spans to export" in err
    assert not missing.exists()
    code = main(["--config", str(project.config), "--store", str(missing), "export", "--all"])
    assert code == 0
    assert len(lines_of(capsys.readouterr().out)) == len(project.articles)


def test_labels_missing_from_the_config_are_exported_and_warned_about(project, capsys):
    article = project.articles[1]
    with Store.open(project.store) as store:
        store.add(Span(article.id, 0, 6, "ORG", article.text[:6], "bob"))
    assert project.cli("export", "-f", "doccano") == 0
    out, err = capsys.readouterr()
    assert lines_of(out)[0]["label"] == [[0, 6, "ORG"]]
    assert "labels not in config.yaml were exported as they are: ORG (1)" in err


def test_spans_of_articles_without_text_are_reported(project, capsys):
    project.annotate(MARKS)
    (project.root / "seeds" / f"{project.articles[2].id}.txt").unlink()
    # The other articles are written, but the export is not clean: exit 1.
    assert project.cli("export") == 1
    out, err = capsys.readouterr()
    assert len(lines_of(out)) == 1
    assert "spans of 1 article(s) not exported" in err and project.articles[2].id in err


def test_unknown_format_is_a_usage_error(project, capsys):
    with pytest.raises(SystemExit) as caught:
        project.cli("export", "-f", "brat")
    assert caught.value.code == 2


# -- the functions -------------------------------------------------------------------------


def test_export_corpus_report_counts(project):
    project.annotate(MARKS)
    project.annotate([(0, "Putin", "demand")], annotator="bob")
    with Store.open(project.store, read_only=True) as store:
        out = io.StringIO()
        report = export_corpus(project.articles, store, "conll", out)
        assert (report.articles, report.spans, report.dropped) == (2, 5, 1)
        assert report.labels == {"actor": 2, "date": 1, "venue": 1, "demand": 1}
        report = export_corpus(project.articles, store, "prodigy", io.StringIO(), True)
        assert (report.articles, report.spans, report.dropped) == (5, 6, 0)


def test_export_spans_rejects_unknown_formats_and_checks_before_writing():
    article = Article("a", "Putin met Biden.", "a.txt")
    good = Span("a", 0, 5, "actor", "Putin", "alice")
    bad = Span("b", 0, 5, "actor", "Putin", "alice", stale=True)
    with pytest.raises(ExportError, match="unknown export format"):
        export_spans([article], {"a": [good]}, "brat", io.StringIO())
    out = io.StringIO()
    with pytest.raises(ExportError, match=r"^b: .*marked stale"):
        export_spans([article, Article("b", "Biden met Putin.", "b.txt")],
                     {"a": [good], "b": [bad]}, "doccano", out)  # fmt: skip
    assert out.getvalue() == ""


def test_export_to_path_in_a_missing_folder_is_an_export_error(project, tmp_path):
    with Store.open(project.store, read_only=True) as store:
        with pytest.raises(ExportError, match="does not exist"):
            export_to_path(project.articles, store, "prodigy", tmp_path / "no" / "x.jsonl")


def test_relative_source():
    base = Path("/proj").resolve()
    assert relative_source(str(base / "seeds" / "a.txt"), base) == "seeds/a.txt"
    assert relative_source(str(base / "c.jsonl") + ":12", base) == "c.jsonl:12"
    assert relative_source("/elsewhere/a.txt", base) == "/elsewhere/a.txt"
    assert relative_source("store", base) == "store"
    assert relative_source(str(base / "a.txt"), None) == str(base / "a.txt")


def test_stdout_export_is_utf8_whatever_the_locale(project, monkeypatch):
    article = project.articles[1]  # has "it’s": not Latin-1
    with Store.open(project.store) as store:
        store.add(make_span(article.id, article.text, 0, 6, "actor", LABELS, "alice"))
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="latin-1"))
    assert project.cli("export", "-f", "conll") == 0
    sys.stdout.flush()
    text = raw.getvalue().decode("utf-8")
    assert text.startswith("Russia\tB-actor\n") and "’s\tO\n" in text


def test_an_articles_source_is_the_same_however_its_path_was_typed(project, capsys, monkeypatch):
    project.annotate(MARKS[:1])
    assert project.cli("export") == 0
    from_config = lines_of(capsys.readouterr().out)[0]["meta"]["source"]
    monkeypatch.chdir(project.root / "seeds")
    name = f"{project.articles[0].id}.txt"
    for typed in (name, f"../seeds/{name}", str(project.root / "seeds" / name)):
        assert project.cli("export", typed) == 0
        assert lines_of(capsys.readouterr().out)[0]["meta"]["source"] == from_config
    assert from_config == f"seeds/{name}"

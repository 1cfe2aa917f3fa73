"""Regressions of the export fixes (review findings D1, D2, D6, E1): `spantag` run through
`tui.cli.main` on a copy of seeds/ and real stores under tmp_path.

- D1: `export -o` never writes over the store or a file beside it (journal, .bak): exit 1 with
  one line, and the store still opens with its spans; `export_to_path` raises ExportError;
- D2: a merged store (`spantag merge`) whose article file changed later is re-anchored when it
  is exported: spans move to where their text is, or are marked stale and reported; never
  exported over other text. `spantag merge` records the articles' hashes in the merged
  store, and compares A's and B's spans where they are in today's texts;
- D6: a store holding a span of the wrong types: exit 1 with one line, no traceback;
- E1: spans whose article text is nowhere make `export -o` exit 1 too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotations.articles import Article, load_corpus
from annotations.config import Config
from annotations.export import ExportError, export_to_path
from annotations.merge import merge, write_merged
from annotations.spans import Span, make_span
from annotations.store import Store, backup_path, journal_path
from tui.cli import main

#: (article index, phrase, label); article 0 is the Ryabkov/Donfried article.
ALICE = [(0, "Ryabkov", "actor"), (0, "Karen Donfried", "actor"), (2, "Monday", "date")]
BOB = [(0, "Ryabkov", "actor"), (2, "Monday", "date")]


def corpus(config: Config) -> list[Article]:
    return list(load_corpus([str(p) for p in config.corpus]).articles)


def annotate(config: Config, path: Path, who: str, marks, record_hash: bool = True) -> None:
    """Spans on the articles as they are now (their hashes recorded, as the app does)."""
    articles = corpus(config)
    with Store.open(path) as store:
        if record_hash:
            store.sync_articles(articles)
        for index, phrase, label in marks:
            article = articles[index]
            start = article.text.index(phrase)
            end = start + len(phrase)
            labels = config.label_names
            store.add(make_span(article.id, article.text, start, end, label, labels, who))


def cli(project: Path, *argv: str, store: Path | None = None) -> int:
    head = ["--config", str(project / "config.yaml")]
    if store is not None:
        head += ["--store", str(store)]
    return main([*head, *argv])


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def article_file(config: Config, index: int) -> Path:
    return config.base_dir / corpus(config)[index].source


def edit_article(config: Config, index: int, old: str = "", new: str = "") -> str:
    """Put a line in front of the article's text (every offset moves), and replace `old`."""
    path = article_file(config, index)
    text = "UPDATED: corrected version of this story.\n" + path.read_text(encoding="utf-8")
    if old:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


# -- D1: never over the store --------------------------------------------------------------


@pytest.fixture
def annotated(config: Config) -> Path:
    """The project's store (annotations.json) with alice's spans; opened twice (a .bak)."""
    annotate(config, config.store, "alice", ALICE)
    Store.open(config.store).close()
    assert backup_path(config.store).exists() and journal_path(config.store).exists()
    return config.store


@pytest.mark.parametrize("which", ["store", "journal", "bak"])
@pytest.mark.parametrize("fmt", ["prodigy", "conll"])
def test_export_over_the_store_or_its_files_exits_1(
    project: Path, annotated: Path, capsys, which: str, fmt: str
) -> None:
    target = {"store": annotated, "journal": journal_path(annotated), "bak": backup_path(annotated)}
    with Store.open(annotated, read_only=True) as store:
        spans = store.all_spans()
    before = files(project)
    code = cli(project, "export", "-f", fmt, "-o", str(target[which]), store=annotated)
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("spantag: ") and "Traceback" not in err
    assert str(target[which]) in err and "that is the store" in err
    assert files(project) == before
    with Store.open(annotated) as store:
        assert store.all_spans() == spans


def test_the_store_under_another_name_is_still_the_store(
    project: Path, annotated: Path, capsys, monkeypatch
) -> None:
    """A relative path, the config's default store, and a symlink to the store."""
    monkeypatch.chdir(project)
    (project / "link.json").symlink_to(annotated)
    before = files(project)
    for target in ("annotations.json", "./seeds/../annotations.json", "link.json"):
        assert cli(project, "export", "-o", target) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "that is the store" in err, target
    assert files(project) == before
    # Anywhere else is fine.
    assert cli(project, "export", "-o", "out.jsonl") == 0
    assert len(records((project / "out.jsonl").read_text(encoding="utf-8"))) == 2


@pytest.mark.parametrize("which", ["store", "journal", "bak"])
def test_export_to_path_refuses_the_store(config: Config, annotated: Path, which: str) -> None:
    target = {"store": annotated, "journal": journal_path(annotated), "bak": backup_path(annotated)}
    before = files(annotated.parent)
    with Store.open(annotated, read_only=True) as store:
        with pytest.raises(ExportError, match="that is the store") as caught:
            export_to_path(corpus(config), store, "prodigy", target[which])
        assert "\n" not in str(caught.value)
        spans = store.all_spans()
    assert files(annotated.parent) == before
    with Store.open(annotated, read_only=True) as store:
        assert store.all_spans() == spans and len(spans) == 3


# -- D2: merged stores and changed articles ------------------------------------------------


@pytest.fixture
def sides(config: Config, project: Path) -> tuple[Path, Path]:
    a, b = project / "A.json", project / "B.json"
    annotate(config, a, "alice", ALICE)
    annotate(config, b, "bob", BOB)
    return a, b


def run_merge(project: Path, a: Path, b: Path, out: Path, capsys) -> tuple[str, str]:
    assert cli(project, "merge", str(a), str(b), "-o", str(out)) == 0
    return capsys.readouterr()


def test_merge_records_the_articles_hashes(config, project, sides, capsys) -> None:
    merged = project / "M.json"
    run_merge(project, *sides, merged, capsys)
    with Store.open(merged, read_only=True) as store:
        for article in corpus(config):
            assert store.article_hash(article.id) == article.sha256
        assert len(store.all_spans()) == 3  # Ryabkov and Monday agreed, Donfried by union


def test_exporting_a_merged_store_after_its_article_changed_re_anchors(
    config, project, sides, capsys
) -> None:
    merged = project / "M.json"
    run_merge(project, *sides, merged, capsys)
    text = edit_article(config, 0)
    before = files(project)
    out = project / "out.jsonl"
    assert cli(project, "export", "-o", str(out), store=merged) == 0
    stdout, err = capsys.readouterr()
    first_id = corpus(config)[0].id
    assert err == f"warning: {first_id}: text changed; 2 span(s) re-anchored\n"
    assert stdout.startswith("wrote 2 article(s), 3 span(s)")
    record = records(out.read_text(encoding="utf-8"))[0]
    assert record["text"] == text
    assert sorted(text[s["start"] : s["end"]] for s in record["spans"]) == [
        "Karen Donfried",
        "Ryabkov",
    ]
    assert {s["start"] for s in record["spans"]} == {
        text.index("Ryabkov"),
        text.index("Karen Donfried"),
    }
    after = files(project)
    after.pop("out.jsonl")
    assert after == before  # the export opened M read-only: nothing saved


def test_a_merged_store_span_whose_text_is_gone_is_stale_and_stops_the_export(
    config, project, sides, capsys
) -> None:
    merged = project / "M.json"
    run_merge(project, *sides, merged, capsys)
    edit_article(config, 0, "Karen Donfried", "a US envoy")
    out = project / "out.jsonl"
    assert cli(project, "export", "-o", str(out), store=merged) == 1
    stdout, err = capsys.readouterr()
    first_id = corpus(config)[0].id
    assert stdout == ""
    *warnings, error = err.splitlines()
    assert f"warning: {first_id}: text changed; 1 span(s) re-anchored" in warnings
    assert any("'Karen Donfried'" in w and "marked stale" in w for w in warnings)
    assert error.startswith(f"spantag: {first_id}: span [") and "marked stale" in error
    assert not out.exists()


def test_a_merged_store_without_hash_records_is_re_anchored(config, project, capsys) -> None:
    """A merged store written before merges recorded hashes (spans only, no article record)."""
    merged = project / "M.json"
    articles = corpus(config)
    spans_a, spans_b = [], []
    for marks, who, out in ((ALICE, "alice", spans_a), (BOB, "bob", spans_b)):
        for index, phrase, label in marks:
            start = articles[index].text.index(phrase)
            out.append(Span(articles[index].id, start, start + len(phrase), label, phrase, who))
    with Store.open(merged) as store:
        write_merged(store, merge(spans_a, spans_b, "union", "merge:union"))
        assert store.article_hash(articles[0].id) is None
    text = edit_article(config, 0)
    assert cli(project, "export", store=merged) == 0
    stdout, err = capsys.readouterr()
    assert "text changed; 2 span(s) re-anchored" in err
    (record, _monday) = records(stdout)
    assert {text[s["start"] : s["end"]] for s in record["spans"]} == {"Ryabkov", "Karen Donfried"}


def test_merge_compares_spans_where_they_are_in_the_current_text(config, project, capsys) -> None:
    """A annotated the article before it changed (A not opened since), B after: their
    Ryabkov spans are the same span, not a disagreement at two offsets."""
    a, b, merged = project / "A.json", project / "B.json", project / "M.json"
    annotate(config, a, "alice", [(0, "Ryabkov", "actor")])
    text = edit_article(config, 0)
    annotate(config, b, "bob", [(0, "Ryabkov", "actor")])
    a_before = a.read_bytes()
    assert cli(project, "merge", str(a), str(b), "-o", str(merged)) == 0
    stdout, err = capsys.readouterr()
    first_id = corpus(config)[0].id
    assert err == f"warning: A.json: {first_id}: text changed; 1 span(s) re-anchored\n"
    assert "1 agreed, 0 conflict(s)" in stdout
    assert a.read_bytes() == a_before  # A was only read
    with Store.open(merged, read_only=True) as store:
        (span,) = store.all_spans()
        assert (span.start, span.annotator) == (text.index("Ryabkov"), "alice+bob")
        assert store.article_hash(first_id) == corpus(config)[0].sha256
    assert cli(project, "export", store=merged) == 0
    assert capsys.readouterr().err == ""


# -- D6: wrong types in the store ----------------------------------------------------------


@pytest.mark.parametrize(("name", "value"), [("start", "12"), ("label", 7)])
@pytest.mark.parametrize("command", [["export"], ["export", "-o", "out.jsonl"], ["list"]])
def test_a_span_of_the_wrong_types_is_one_line(
    config, project, capsys, monkeypatch, name, value, command
) -> None:
    store = project / "s.json"
    annotate(config, store, "alice", ALICE)
    data = json.loads(store.read_text(encoding="utf-8"))
    next(iter(data["spans"].values()))[name] = value
    store.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.chdir(project)
    assert main(["--config", "config.yaml", "--store", "s.json", *command]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("spantag: ")
    assert str(store) in err and "not a spantag store" in err
    assert not (project / "out.jsonl").exists()


# -- E1: spans without text ----------------------------------------------------------------


def test_export_to_a_file_exits_1_when_spans_have_no_text(config, project, capsys) -> None:
    annotate(config, config.store, "alice", ALICE)
    gone = corpus(config)[2].id
    article_file(config, 2).unlink()
    out = project / "out.jsonl"
    assert cli(project, "export", "-o", str(out)) == 1
    stdout, err = capsys.readouterr()
    assert err.count("\n") == 1
    assert "spans of 1 article(s) not exported" in err and gone in err
    assert stdout.startswith(f"wrote 1 article(s), 2 span(s) as prodigy to {out}")
    (record,) = records(out.read_text(encoding="utf-8"))
    assert {s["label"] for s in record["spans"]} == {"actor"}

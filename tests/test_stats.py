"""Corpus statistics on real store files, and `spantag stats`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from annotations.articles import load_corpus
from annotations.config import default_config_text
from annotations.spans import Span
from annotations.stats import corpus_stats
from annotations.store import Store
from tui.cli import main

LABELS = ("actor", "demand", "venue", "date")
TEXTS = {
    "001": "Putin met Biden in Geneva on Monday.",
    "002": "Lavrov spoke in Moscow.",
    "003": "Nothing happened.",
    "004": "Scholz visited Paris on Friday.",
}


def span(article: str, phrase: str, label: str, who: str, source: str = "manual") -> Span:
    start = TEXTS[article].index(phrase)
    return Span(article, start, start + len(phrase), label, phrase, who, source)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text(default_config_text(), "utf-8")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for article_id, text in TEXTS.items():
        (seeds / f"{article_id}.txt").write_text(text, "utf-8")
    with Store.open(tmp_path / "annotations.json") as store:
        store.apply(
            add=[
                # 001: alice and bob both; bob's Biden is a pattern suggestion he accepted.
                span("001", "Putin", "actor", "alice"),
                span("001", "Biden", "actor", "alice"),
                span("001", "Geneva", "venue", "alice"),
                span("001", "Putin", "actor", "bob"),
                span("001", "Biden", "actor", "bob", source="pattern"),
                span("001", "Monday", "date", "bob", source="gazetteer"),
                # 002: alice only, and marked done.
                span("002", "Lavrov", "actor", "alice"),
                # 004: bob only, not done: in progress.
                span("004", "Paris", "venue", "bob"),
            ]
        )
        store.set_done("002", True)
        store.set_done("003", True)  # done with no spans: nothing to tag
        store.reject("001", 19, 25, "actor")
        store.reject("004", 0, 6, "venue")
        # A span in an article that is not in the corpus.
        store.add(Span("zzz", 0, 9, "venue", "Elsewhere", "alice"))
    return tmp_path


def test_corpus_stats_counts(project: Path) -> None:
    corpus = load_corpus([project / "seeds"])
    with Store.open(project / "annotations.json", read_only=True) as store:
        stats = corpus_stats(corpus, store, LABELS)
    assert stats.articles == 4
    # done: 002, 003; in progress: 001, 004 (spans, not done); new: none.
    assert (stats.new, stats.in_progress, stats.done) == (0, 2, 2)
    assert stats.spans == 8
    assert stats.per_label == {"actor": 5, "demand": 0, "venue": 2, "date": 1}
    assert stats.per_annotator == {"alice": 4, "bob": 4}
    assert stats.per_annotator_label["bob"] == {"actor": 2, "demand": 0, "venue": 1, "date": 1}
    assert stats.sources == {"gazetteer": 1, "manual": 6, "pattern": 1}
    assert (stats.accepted, stats.rejected) == (2, 2)
    assert stats.other_spans == 1
    # alice and bob overlap on 001 only: alice has Putin, Biden, Geneva; bob Putin, Biden,
    # Monday/date. bob against alice: 2 matches, P = 2/3, R = 2/3.
    (pair,) = stats.agreement
    assert (pair.a, pair.b) == ("alice", "bob")
    assert pair.agreement.articles == ("001",)
    assert pair.agreement.overall.exact.precision == pytest.approx(2 / 3)
    assert pair.agreement.overall.exact.recall == pytest.approx(2 / 3)
    # Words: Putin met Biden in Geneva on Monday . (8). alice: B-actor O B-actor O B-venue
    # O O O; bob: B-actor O B-actor O O O B-date O. Alike 6/8; p_e = (2*2 + 5*5) / 64
    # = 29/64 (B-actor 2 and 2, O 5 and 5); kappa = (48/64 - 29/64) / (35/64) = 19/35.
    assert pair.agreement.kappa == pytest.approx(19 / 35)


def test_new_articles_and_no_agreement_without_overlap(tmp_path: Path) -> None:
    corpus = load_corpus([])
    with Store.open(tmp_path / "s.json") as store:
        stats = corpus_stats(corpus, store, LABELS)
        assert stats.articles == 0 and stats.agreement == ()
    (tmp_path / "a.txt").write_text("One article.", "utf-8")
    (tmp_path / "b.txt").write_text("Two article.", "utf-8")
    corpus = load_corpus([tmp_path / "a.txt", tmp_path / "b.txt"])
    with Store.open(tmp_path / "s.json") as store:
        store.add(Span("a", 0, 3, "actor", "One", "alice"))
        store.add(Span("b", 0, 3, "actor", "Two", "bob"))
        stats = corpus_stats(corpus, store)
    assert (stats.new, stats.in_progress, stats.done) == (0, 2, 0)
    assert stats.per_label == {"actor": 2}
    assert stats.agreement == ()  # alice and bob never annotated one article


def test_cli_stats_table(project: Path, capsys) -> None:
    assert main(["--config", str(project / "config.yaml"), "stats"]) == 0
    out = capsys.readouterr().out
    for expected in ("Articles", "Spans per label (8)", "Spans per annotator", "alice", "bob",
                     "2 accepted", "2 rejected", "bob against alice", "kappa"):  # fmt: skip
        assert expected in out
    assert "█" in out  # the bars


def test_cli_stats_json(project: Path, capsys) -> None:
    assert main(["--config", str(project / "config.yaml"), "stats", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["articles"] == {"total": 4, "new": 0, "in_progress": 2, "done": 2}
    assert got["labels"] == {"actor": 5, "demand": 0, "venue": 2, "date": 1}
    assert got["annotators"]["alice"]["spans"] == 4
    assert got["suggestions"] == {"accepted": 2, "rejected": 2}
    (pair,) = got["agreement"]
    assert (pair["a"], pair["b"], pair["articles"]) == ("alice", "bob", 1)
    assert pair["kappa"] == pytest.approx(19 / 35)


def test_cli_stats_works_while_the_store_is_open(project: Path, capsys) -> None:
    with Store.open(project / "annotations.json") as store:  # the app, say
        store.add(span("004", "Scholz", "actor", "carol"))
        assert main(["--config", str(project / "config.yaml"), "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["annotators"]["carol"]["spans"] == 1


def test_agreement_leaves_reviewed_spans_out(tmp_path: Path) -> None:
    """A merged store holds alice's, bob's and joined spans: not annotators to compare."""
    (tmp_path / "001.txt").write_text(TEXTS["001"], "utf-8")
    corpus = load_corpus([tmp_path / "001.txt"])
    with Store.open(tmp_path / "merged.json") as store:
        store.apply(
            add=[
                replace(span("001", "Putin", "actor", "alice+bob"), reviewer="carol"),
                replace(span("001", "Biden", "actor", "alice"), reviewer="carol"),
                replace(span("001", "Geneva", "venue", "bob"), reviewer="carol"),
            ]
        )
        stats = corpus_stats(corpus, store, LABELS)
    assert stats.per_annotator == {"alice": 1, "alice+bob": 1, "bob": 1}
    assert stats.agreement == ()

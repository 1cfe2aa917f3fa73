"""Merge: agreed spans, disagreements and their kinds, policies, and the merged store on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.config import default_config_text
from annotations.merge import (
    agreed,
    apply_choice,
    choice_in,
    compare_article,
    disagreements,
    merge,
    resolve,
    write_merged,
)
from annotations.spans import Span
from annotations.store import Store
from tui.cli import main

TEXT = "Putin met Biden in Geneva on Monday and demanded a ceasefire now."


def span(phrase: str, label: str, who: str, article: str = "001") -> Span:
    start = TEXT.index(phrase)
    return Span(article, start, start + len(phrase), label, phrase, who, created="t0", updated="t0")


# Agreed: Putin/actor, Geneva/venue. Disagreements: "Biden" vs "met Biden" (offsets),
# Monday date vs actor (label), "a ceasefire now" only alice's (only-a), 002 only bob's.
ALICE = [
    span("Putin", "actor", "alice"),
    span("Biden", "actor", "alice"),
    span("Geneva", "venue", "alice"),
    span("Monday", "date", "alice"),
    span("a ceasefire now", "demand", "alice"),
]
BOB = [
    span("Putin", "actor", "bob"),
    span("met Biden", "actor", "bob"),
    span("Geneva", "venue", "bob"),
    span("Monday", "actor", "bob"),
    span("Putin", "actor", "bob", article="002"),
]


def test_compare_splits_agreed_and_disagreements() -> None:
    result = compare_article("001", ALICE, BOB, reviewer="carol")
    assert [(s.text, s.label, s.annotator, s.reviewer) for s in result.agreed] == [
        ("Putin", "actor", "alice+bob", "carol"),
        ("Geneva", "venue", "alice+bob", "carol"),
    ]
    kinds = [(d.kind, d.start, d.end) for d in result.disagreements]
    biden, monday, demand = TEXT.index("met"), TEXT.index("Monday"), TEXT.index("a cease")
    assert kinds == [
        ("offsets", biden, biden + len("met Biden")),
        ("label", monday, monday + len("Monday")),
        ("only-a", demand, demand + len("a ceasefire now")),
    ]
    offsets = result.disagreements[0]
    assert [s.text for s in offsets.a] == ["Biden"] and [s.text for s in offsets.b] == ["met Biden"]
    line = offsets.describe("alice", "bob")
    assert "offsets" in line and "alice: actor 'Biden'" in line and "bob: actor 'met Biden'" in line


def test_disagreements_over_articles_and_chains() -> None:
    found = disagreements(ALICE, BOB)
    assert [(d.article_id, d.kind) for d in found] == [
        ("001", "offsets"),
        ("001", "label"),
        ("001", "only-a"),
        ("002", "only-b"),
    ]
    # A chain of overlaps is one cluster: [0,9) overlaps [4,15) overlaps [10,20).
    text = "x" * 30
    a = [Span("9", 0, 9, "actor", text[0:9], "a"), Span("9", 10, 20, "actor", text[10:20], "a")]
    b = [Span("9", 4, 15, "venue", text[4:15], "b")]
    (one,) = disagreements(a, b)
    assert (one.start, one.end, one.kind) == (0, 20, "label+offsets")
    assert [(s.start, s.annotator) for s in agreed(a, a)] == [(0, "a"), (10, "a")]


def test_agreed_span_keeps_one_name_when_both_sides_share_it() -> None:
    (span_,) = agreed([span("Putin", "actor", "alice")], [span("Putin", "actor", "alice")], "r")
    assert span_.annotator == "alice" and span_.reviewer == "r"


def test_resolve_keeps_makers_and_sets_reviewer() -> None:
    offsets = disagreements(ALICE, BOB)[0]
    assert [(s.annotator, s.reviewer) for s in resolve(offsets, "a", "carol")] == [
        ("alice", "carol")
    ]
    assert [s.text for s in resolve(offsets, "b", "carol")] == ["met Biden"]
    assert len(resolve(offsets, "both", "carol")) == 2
    assert resolve(offsets, "neither", "carol") == []
    with pytest.raises(ValueError, match="unknown choice"):
        resolve(offsets, "mine", "carol")  # type: ignore[arg-type]


def _texts(result) -> set[tuple[str, str, str]]:
    return {(s.article_id, s.text, s.label) for s in result.spans}


def test_policies() -> None:
    union = merge(ALICE, BOB, "union", "merge:union")
    # Agreed 2 (Putin, Geneva) + Biden, met Biden, Monday/date, Monday/actor, demand, 002 Putin.
    assert union.agreed == 2
    assert len(union.resolved) == 4
    assert len(union.spans) == 8
    assert {choice for _, choice in union.resolved} == {"both"}
    assert all(s.reviewer == "merge:union" for s in union.spans)
    intersection = merge(ALICE, BOB, "intersection", "r")
    assert _texts(intersection) == {("001", "Putin", "actor"), ("001", "Geneva", "venue")}
    prefer_a = merge(ALICE, BOB, "prefer-a", "r")
    assert _texts(prefer_a) == {
        ("001", "Putin", "actor"),
        ("001", "Geneva", "venue"),
        ("001", "Biden", "actor"),  # A's offsets win
        ("001", "Monday", "date"),  # A's label wins
        ("001", "a ceasefire now", "demand"),  # only A
        ("002", "Putin", "actor"),  # only B, where A marked nothing: kept
    }
    with pytest.raises(ValueError, match="unknown merge policy"):
        merge(ALICE, BOB, "coin-flip", "r")


def test_write_merged_store_on_disk(tmp_path: Path) -> None:
    result = merge(ALICE, BOB, "union", "merge:union")
    with Store.open(tmp_path / "merged.json") as store:
        result = write_merged(store, result)
    assert result.dropped == 0
    with Store.open(tmp_path / "merged.json", read_only=True) as store:
        spans = store.all_spans()
    assert len(spans) == 8
    assert {s.annotator for s in spans} == {"alice", "bob", "alice+bob"}
    assert {s.reviewer for s in spans} == {"merge:union"}
    # The agreed spans keep their original times; sources are kept too.
    assert all(s.created == "t0" and s.source == "manual" for s in spans)


def test_union_with_one_annotator_name_on_both_sides_drops_and_counts(tmp_path: Path) -> None:
    a = [span("Biden", "actor", "me")]
    b = [span("met Biden", "actor", "me")]
    with Store.open(tmp_path / "m.json") as store:
        result = write_merged(store, merge(a, b, "union", "r"))
        assert result.dropped == 1
        assert len(store.all_spans()) == 1


def test_apply_choice_and_choice_in_a_real_store(tmp_path: Path) -> None:
    offsets, label = disagreements(ALICE, BOB)[:2]
    with Store.open(tmp_path / "review.json") as store:
        assert choice_in(store.spans("001"), offsets) is None
        apply_choice(store, offsets, "a", "carol")
        assert choice_in(store.spans("001"), offsets) == "a"
        apply_choice(store, offsets, "b", "carol", previous="a")
        assert choice_in(store.spans("001"), offsets) == "b"
        assert [s.text for s in store.spans("001")] == ["met Biden"]
        apply_choice(store, label, "both", "carol")
        assert choice_in(store.spans("001"), label) == "both"
        change = apply_choice(store, label, "neither", "carol", previous="both")
        assert len(change.removed) == 2
        assert choice_in(store.spans("001"), label) is None
    with Store.open(tmp_path / "review.json", read_only=True) as store:
        (kept,) = store.all_spans()
        assert (kept.text, kept.annotator, kept.reviewer) == ("met Biden", "bob", "carol")


# -- the command -------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text(default_config_text(), "utf-8")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "001.txt").write_text(TEXT, "utf-8")
    return tmp_path


def _fill(path: Path, spans: list[Span], done: tuple[str, ...] = ()) -> None:
    with Store.open(path) as store:
        store.apply(add=spans)
        for article_id in done:
            store.set_done(article_id, True)


def test_cli_merge_two_stores(project: Path, capsys) -> None:
    _fill(project / "a.json", ALICE, done=("001",))
    _fill(project / "b.json", BOB, done=("001",))
    out = project / "merged.json"
    argv = ["--config", str(project / "config.yaml"), "merge", str(project / "a.json"),
            str(project / "b.json"), "-o", str(out), "--policy", "prefer-a"]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 5  # four conflicts and the summary
    assert printed[0].startswith("001 [") and printed[0].endswith("-> a")
    assert printed[3].startswith("002 [") and printed[3].endswith("-> b")
    assert "2 agreed, 4 conflict(s) resolved by prefer-a" in printed[-1]
    with Store.open(out, read_only=True) as merged:
        assert len(merged.all_spans()) == 6
        assert {s.reviewer for s in merged.all_spans()} == {"merge:prefer-a"}
        assert merged.is_done("001") and not merged.is_done("002")
        assert merged.get_meta("merged")["policy"] == "prefer-a"
    # The output must be new.
    assert main(argv) == 1
    assert "already exists" in capsys.readouterr().err


def test_cli_merge_annotators_of_one_store(project: Path, capsys) -> None:
    _fill(project / "both.json", ALICE + BOB)
    out = project / "merged.json"
    argv = ["--config", str(project / "config.yaml"), "--store", str(project / "both.json"),
            "merge", "--annotators", "alice,bob", "-o", str(out), "--policy", "intersection",
            "--reviewer", "dana"]  # fmt: skip
    assert main(argv) == 0
    assert "2 agreed" in capsys.readouterr().out
    with Store.open(out, read_only=True) as merged:
        assert {(s.text, s.annotator, s.reviewer) for s in merged.all_spans()} == {
            ("Putin", "alice+bob", "dana"),
            ("Geneva", "alice+bob", "dana"),
        }

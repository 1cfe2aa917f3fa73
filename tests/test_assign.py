"""Assignment: balanced, deterministic, every article covered, a fraction shared by two."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from annotations.assign import (
    AssignmentError,
    Assignments,
    assign,
    assigned_to,
    load_assignments,
    overlap_count,
)
from annotations.config import default_config_text
from annotations.store import Store
from tui.cli import main

IDS = [f"{n:03d}" for n in range(30)]


def _check_invariants(result: Assignments, ids: list[str], overlap: float) -> None:
    given_count = Counter(i for ids_ in result.by_annotator.values() for i in ids_)
    assert set(given_count) == set(ids)  # every article to someone
    shared = {i for i, n in given_count.items() if n == 2}
    assert shared == set(result.overlap)
    assert all(n in (1, 2) for n in given_count.values())
    assert len(result.overlap) == overlap_count(len(ids), overlap)
    loads = [len(v) for v in result.by_annotator.values()]
    assert max(loads) - min(loads) <= 1  # balanced
    for annotator_ids in result.by_annotator.values():
        assert len(set(annotator_ids)) == len(annotator_ids)
        assert list(annotator_ids) == [i for i in ids if i in set(annotator_ids)]  # corpus order


def test_three_annotators_with_overlap() -> None:
    result = assign(IDS, ["carol", "alice", "bob"], 0.2)
    _check_invariants(result, IDS, 0.2)
    assert result.annotators == ("alice", "bob", "carol")
    # 30 articles, 6 shared: 36 assignments, 12 each; each pair of the 3 shares 2 articles.
    assert [len(v) for v in result.by_annotator.values()] == [12, 12, 12]
    assert Counter(result.pairs.values()) == {
        ("alice", "bob"): 2,
        ("alice", "carol"): 2,
        ("bob", "carol"): 2,
    }


def test_deterministic_and_independent_of_name_and_file_order() -> None:
    first = assign(IDS, ["alice", "bob", "carol"], 0.2)
    assert assign(IDS, ["alice", "bob", "carol"], 0.2) == first
    assert assign(IDS, ["bob", "carol", "alice"], 0.2) == first
    # The split follows a hash of each id, not the order of the files.
    shuffled = assign(list(reversed(IDS)), ["alice", "bob", "carol"], 0.2)
    assert {k: set(v) for k, v in shuffled.by_annotator.items()} == {
        k: set(v) for k, v in first.by_annotator.items()
    }
    assert set(shuffled.overlap) == set(first.overlap)
    # ... and the overlap is not simply the first files.
    assert set(first.overlap) != set(IDS[:6])


def test_overlap_rounding_and_edges() -> None:
    assert overlap_count(10, 0.25) == 3  # 2.5 rounds up
    assert overlap_count(10, 0.0) == 0
    assert overlap_count(10, 1.0) == 10
    everything = assign(IDS[:4], ["a", "b"], 1.0)
    assert everything.by_annotator == {"a": tuple(IDS[:4]), "b": tuple(IDS[:4])}
    alone = assign(IDS[:5], ["solo"])
    assert alone.by_annotator == {"solo": tuple(IDS[:5])} and alone.overlap == ()
    # More annotators than articles: some get nothing, nobody gets two more than another.
    sparse = assign(IDS[:2], ["a", "b", "c", "d"])
    assert sorted(len(v) for v in sparse.by_annotator.values()) == [0, 0, 1, 1]


@pytest.mark.parametrize(
    ("names", "overlap", "message"),
    [
        (["alice", "alice"], 0.0, "named twice"),
        (["alice", ""], 0.0, "annotator names"),
        (["alice", "overlap"], 0.0, "cannot be an annotator"),
        (["alice", "bob"], 1.5, "between 0 and 1"),
        (["alice"], 0.2, "at least two"),
    ],
)
def test_bad_inputs(names, overlap, message) -> None:
    with pytest.raises(AssignmentError, match=message):
        assign(IDS, names, overlap)


@given(
    st.integers(0, 60),
    st.integers(2, 6),
    st.floats(0, 1, allow_nan=False),
)
def test_invariants_hold_for_any_size(n: int, m: int, overlap: float) -> None:
    ids = [f"a{i}" for i in range(n)]
    result = assign(ids, [f"p{i}" for i in range(m)], overlap)
    _check_invariants(result, ids, overlap)


def test_yaml_round_trip_and_assigned_to(tmp_path: Path) -> None:
    result = assign(IDS, ["alice", "bob", "carol"], 0.2)
    path = tmp_path / "assignments.yaml"
    path.write_text(result.to_yaml(), "utf-8")
    data = yaml.safe_load(path.read_text("utf-8"))
    assert list(data) == ["alice", "bob", "carol", "overlap"]
    assert all(isinstance(i, str) for i in data["alice"])  # "001" stays a string
    loaded = load_assignments(path)
    assert loaded == result
    assert loaded.pairs == result.pairs
    assert assigned_to(loaded, "bob") == set(result.by_annotator["bob"])
    assert assigned_to(data, "bob") == set(result.by_annotator["bob"])  # the plain mapping
    assert assigned_to(loaded, "dave") == set()
    (tmp_path / "bad.yaml").write_text("- just\n- a list\n", "utf-8")
    with pytest.raises(AssignmentError, match="bad.yaml"):
        load_assignments(tmp_path / "bad.yaml")
    (tmp_path / "broken.yaml").write_text("alice: [001\n", "utf-8")
    with pytest.raises(AssignmentError, match="not valid YAML") as caught:
        load_assignments(tmp_path / "broken.yaml")
    assert "\n" not in str(caught.value)  # one line (PyYAML's own message has several)
    assert ", line 2: not valid YAML" in str(caught.value)
    (tmp_path / "latin.yaml").write_bytes(b"alice: [caf\xe9]\n")
    with pytest.raises(AssignmentError, match=r"latin.yaml: not UTF-8 \(byte offset 11\)"):
        load_assignments(tmp_path / "latin.yaml")


# -- the command -------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text(default_config_text(), "utf-8")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for article_id in IDS[:10]:
        (seeds / f"{article_id}.txt").write_text(f"Article {article_id} text.", "utf-8")
    return tmp_path


def test_cli_stdout_yaml(project: Path, capsys) -> None:
    config = str(project / "config.yaml")
    assert main(["--config", config, "assign", "--annotators", "alice,bob,carol"]) == 0
    data = yaml.safe_load(capsys.readouterr().out)
    # Default overlap 0.2 of 10 articles: 2 shared; 12 assignments, 4 each.
    assert len(data["overlap"]) == 2
    assert [len(data[name]) for name in ("alice", "bob", "carol")] == [4, 4, 4]
    assert Assignments.from_dict(data) == assign(IDS[:10], ["alice", "bob", "carol"], 0.2)


def test_cli_output_file_and_stored_articles(project: Path, capsys) -> None:
    from annotations.articles import article_from_text

    with Store.open(project / "annotations.json") as store:
        store.add_article(article_from_text("An imported article.", id="imported"))
    out = project / "assignments.yaml"
    config = str(project / "config.yaml")
    argv = ["--config", config, "assign", "--annotators", "a,b", "--overlap", "0", "-o", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "a: 6 articles" in printed and "b: 5 articles" in printed
    loaded = load_assignments(out)
    assert loaded.overlap == ()
    assert "imported" in assigned_to(loaded, "a") | assigned_to(loaded, "b")


def test_cli_errors(project: Path, capsys) -> None:
    config = str(project / "config.yaml")
    assert main(["--config", config, "assign", "--annotators", "a,a"]) == 1
    assert "named twice" in capsys.readouterr().err
    assert main(["--config", config, "assign", "--annotators", "a", "--overlap", "0.5"]) == 1
    assert "at least two" in capsys.readouterr().err
    # One annotator without --overlap: everything to them, no error.
    assert main(["--config", config, "assign", "--annotators", "solo"]) == 0
    assert len(yaml.safe_load(capsys.readouterr().out)["solo"]) == 10
    assert main(["--config", config, "assign", "--annotators", "a,b", str(project / "no")]) == 1
    assert "no articles" in capsys.readouterr().err


def test_mine_first_keeps_corpus_order_within_each_group():
    from types import SimpleNamespace

    from annotations.assign import mine_first

    articles = [SimpleNamespace(id=name) for name in ("a", "b", "c", "d", "e")]
    ordered = mine_first(articles, {"d", "b"})
    assert [a.id for a in ordered] == ["b", "d", "a", "c", "e"]
    assert mine_first(articles, set()) == articles

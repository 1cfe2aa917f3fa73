"""Agreement: span P/R/F1 (exact and partial) and kappa, checked by hand and against seqeval."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.agree import (
    Side,
    _max_matching,
    agreement,
    bio_tags,
    cohen_kappa,
    partial_matches,
    span_scores,
    store_side,
    word_offsets,
)
from annotations.config import default_config_text
from annotations.spans import Span
from annotations.store import Store
from tui.cli import main

TEXT = "Putin met Biden in Geneva on Monday and demanded a ceasefire now."
LABELS = ("actor", "demand", "venue", "date")


def span(phrase: str, label: str, who: str = "a", text: str = TEXT, article: str = "001") -> Span:
    start = text.index(phrase)
    return Span(article, start, start + len(phrase), label, phrase, who)


# A: Putin/actor, Biden/actor, Geneva/venue, Monday/date, "a ceasefire now"/demand (5 spans).
A_SPANS = [
    span("Putin", "actor"),
    span("Biden", "actor"),
    span("Geneva", "venue"),
    span("Monday", "date"),
    span("a ceasefire now", "demand"),
]
# B: Putin/actor (exact), "met Biden"/actor (overlaps Biden), Geneva/venue (exact),
# Monday/actor (wrong label; B has no date), "ceasefire"/demand (inside A's demand).
B_SPANS = [
    span("Putin", "actor", "b"),
    span("met Biden", "actor", "b"),
    span("Geneva", "venue", "b"),
    span("Monday", "actor", "b"),
    span("ceasefire", "demand", "b"),
]


def test_scores_worked_by_hand() -> None:
    result = agreement(Side("a", tuple(A_SPANS)), Side("b", tuple(B_SPANS)), {"001": TEXT}, LABELS)
    got = result.to_json()
    assert got["articles"] == 1
    assert list(got["labels"]) == list(LABELS)
    # actor, exact: 1 match (Putin) of B's 3 and A's 2: P = 1/3, R = 1/2,
    # F1 = 2 * 1/3 * 1/2 / (1/3 + 1/2) = (1/3) / (5/6) = 2/5.
    actor = got["labels"]["actor"]
    assert actor["exact"] == pytest.approx(
        {"precision": 1 / 3, "recall": 1 / 2, "f1": 0.4, "support": 2}
    )
    # actor, partial: Putin-Putin and Biden-"met Biden"; B's Monday/actor overlaps no A actor.
    # P = 2/3, R = 2/2, F1 = 2 * 2/3 * 1 / (2/3 + 1) = (4/3) / (5/3) = 0.8.
    assert actor["partial"] == pytest.approx(
        {"precision": 2 / 3, "recall": 1.0, "f1": 0.8, "support": 2}
    )
    # venue: Geneva both: 1/1 everywhere.
    assert got["labels"]["venue"]["exact"] == pytest.approx(
        {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    )
    # date: B has none: P = 0/0 -> 0, R = 0/1 = 0, F1 0.
    assert got["labels"]["date"]["partial"] == pytest.approx(
        {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    )
    # demand: "ceasefire" is not "a ceasefire now" (exact 0/1) but overlaps it (partial 1/1).
    assert got["labels"]["demand"]["exact"]["f1"] == 0.0
    assert got["labels"]["demand"]["partial"]["f1"] == 1.0
    # overall exact: matches 1 + 1 + 0 + 0 = 2 of 5 (B) and 5 (A): P = R = F1 = 0.4.
    assert got["overall"]["exact"] == pytest.approx(
        {"precision": 0.4, "recall": 0.4, "f1": 0.4, "support": 5}
    )
    # overall partial: 2 + 1 + 0 + 1 = 4 of 5 and 5: 0.8.
    assert got["overall"]["partial"] == pytest.approx(
        {"precision": 0.8, "recall": 0.8, "f1": 0.8, "support": 5}
    )
    # kappa over the 13 words Putin met Biden in Geneva on Monday and demanded a ceasefire now .
    #   A: B-actor O B-actor O B-venue O B-date O O B-demand I-demand I-demand O
    #   B: B-actor B-actor I-actor O B-venue O B-actor O O O B-demand O O
    # alike: Putin in Geneva on and demanded . -> p_o = 7/13 = 91/169.
    # A's tags: B-actor 2, O 6, B-venue 1, B-date 1, B-demand 1, I-demand 2;
    # B's tags: B-actor 3, I-actor 1, O 7, B-venue 1, B-demand 1.
    # p_e = (2*3 + 6*7 + 1*1 + 1*1) / 13^2 = 50/169;
    # kappa = (91 - 50) / (169 - 50) = 41/119.
    assert result.words == 13
    assert got["kappa"] == pytest.approx(41 / 119)


def test_partial_matches_one_to_one() -> None:
    text = "Sergei Ryabkov spoke."
    a = [span("Sergei", "actor", text=text), span("Ryabkov", "actor", text=text)]
    b = [span("Sergei Ryabkov", "actor", "b", text=text)]
    per_label, overall = span_scores(a, b, ["actor"])
    # One B span covers both A spans, but matches only one: P = 1/1, R = 1/2, F1 = 2/3.
    assert per_label["actor"].partial.precision == 1.0
    assert per_label["actor"].partial.recall == 0.5
    assert per_label["actor"].partial.f1 == pytest.approx(2 / 3)
    assert per_label["actor"].exact.f1 == 0.0
    # Other labels never match across: same offsets, different label is no partial match.
    assert partial_matches(a, [span("Sergei Ryabkov", "venue", "b", text=text)]) == 0


def test_matching_uses_augmenting_paths() -> None:
    # A first takes B[0,2); the second A span can only use that one, so the first must move
    # to B[8,12): 2 matches, which a greedy first-fit would miss.
    assert _max_matching([(0, 10), (1, 3)], [(0, 2), (8, 12)]) == 2
    assert _max_matching([], [(0, 1)]) == 0


def _brute_force(left: list[tuple[int, int]], right: list[tuple[int, int]]) -> int:
    if len(left) > len(right):
        left, right = right, left
    best = 0
    for perm in itertools.permutations(range(len(right)), min(len(left), len(right))):
        best = max(
            best,
            sum(
                1
                for i, j in zip(range(len(left)), perm, strict=False)
                if left[i][0] < right[j][1] and right[j][0] < left[i][1]
            ),
        )
    return best


_interval = st.tuples(st.integers(0, 20), st.integers(1, 6)).map(lambda t: (t[0], t[0] + t[1]))


@given(st.lists(_interval, max_size=5, unique=True), st.lists(_interval, max_size=5, unique=True))
def test_matching_is_maximum(left, right) -> None:
    assert _max_matching(left, right) == _brute_force(left, right)


def test_bio_tags_longer_wins_and_partial_words() -> None:
    text = "Foreign Minister Lavrov said"
    words = word_offsets(text)
    spans = [
        span("Foreign Minister Lavrov", "actor", text=text),
        span("Lavrov", "venue", text=text),  # overlaps a longer span: dropped from tags
        Span("001", 24, 27, "date", "sai", "a"),  # part of a word tags the whole word
    ]
    assert bio_tags(words, spans) == ["B-actor", "I-actor", "I-actor", "B-date"]


def test_kappa_edge_cases() -> None:
    assert cohen_kappa([], []) is None
    assert cohen_kappa(["O", "O"], ["O", "O"]) == 1.0
    # p_o = 0, p_e = (1*1 + 1*1) / 4 = 1/2: kappa = (0 - 1/2) / (1 - 1/2) = -1.
    assert cohen_kappa(["O", "B-actor"], ["B-actor", "O"]) == -1.0


def test_articles_without_text_are_left_out_of_kappa_only() -> None:
    a = Side("a", (span("Putin", "actor"), span("Putin", "actor", article="002")))
    b = Side("b", (span("Putin", "actor", "b"), span("Putin", "actor", "b", article="002")))
    result = agreement(a, b, {"001": TEXT})
    assert result.articles == ("001", "002")
    assert result.no_text == ("002",)
    assert result.overall.exact.f1 == 1.0
    assert result.kappa == 1.0
    assert agreement(a, b, {}).kappa is None


def test_only_articles_both_annotated_count() -> None:
    a = Side("a", (span("Putin", "actor"), span("Putin", "actor", article="002")))
    b = Side("b", (span("Putin", "actor", "b"),), annotated=frozenset({"003"}))
    result = agreement(a, b, {"001": TEXT})
    assert result.articles == ("001",)
    assert result.overall.exact.support == 1  # 002's span is not counted
    done_b = Side("b", (span("Putin", "actor", "b"),), annotated=frozenset({"002"}))
    # B marked 002 done without spans: A's 002 span is a miss.
    assert agreement(a, done_b, {}).overall.exact.recall == 0.5


# -- seqeval and scikit-learn cross-checks -----------------------------------------------------


def _random_spans(words, article: str, text: str, who: str, rng: random.Random) -> list[Span]:
    """Word-aligned, non-overlapping spans (so BIO chunks are exactly the spans)."""
    spans, index = [], 0
    while index < len(words):
        if rng.random() < 0.3:
            length = rng.randint(1, 3)
            last = min(index + length, len(words)) - 1
            start, end = words[index][0], words[last][1]
            label = rng.choice(LABELS)
            spans.append(Span(article, start, end, label, text[start:end], who))
            index = last + 2  # leave a gap so B-/I- never run two spans together
        else:
            index += 1
    return spans


def _seed_texts() -> dict[str, str]:
    folder = Path(__file__).resolve().parent.parent / "seeds"
    return {path.stem: path.read_text("utf-8") for path in sorted(folder.glob("*.txt"))}


def _random_pair(seed: int):
    rng = random.Random(seed)
    texts = _seed_texts()
    spans_a, spans_b, y_a, y_b = [], [], [], []
    for article, text in texts.items():
        words = word_offsets(text)
        a = _random_spans(words, article, text, "a", rng)
        # B keeps most of A's spans, moves some, relabels some, and adds its own.
        b = [s for s in a if rng.random() < 0.6]
        b += [s for s in _random_spans(words, article, text, "b", rng) if rng.random() < 0.3]
        b = [s for s in b if not any(s is not t and s.overlaps(t) for t in b)]
        spans_a += a
        spans_b += b
        y_a.append(bio_tags(words, a))
        y_b.append(bio_tags(words, b))
    return texts, spans_a, spans_b, y_a, y_b


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exact_scores_match_seqeval(seed: int) -> None:
    metrics = pytest.importorskip("seqeval.metrics")
    texts, spans_a, spans_b, y_a, y_b = _random_pair(seed)
    per_label, overall = span_scores(spans_a, spans_b)
    report = metrics.classification_report(y_a, y_b, output_dict=True, zero_division=0)
    for label, scores in per_label.items():
        assert scores.exact.precision == pytest.approx(report[label]["precision"])
        assert scores.exact.recall == pytest.approx(report[label]["recall"])
        assert scores.exact.f1 == pytest.approx(report[label]["f1-score"])
        assert scores.exact.support == report[label]["support"]
    assert overall.exact.precision == pytest.approx(report["micro avg"]["precision"])
    assert overall.exact.recall == pytest.approx(report["micro avg"]["recall"])
    assert overall.exact.f1 == pytest.approx(report["micro avg"]["f1-score"])


@pytest.mark.parametrize("seed", [1, 2])
def test_kappa_matches_scikit_learn(seed: int) -> None:
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    texts, spans_a, spans_b, y_a, y_b = _random_pair(seed)
    flat_a = [tag for tags in y_a for tag in tags]
    flat_b = [tag for tags in y_b for tag in tags]
    result = agreement(Side("a", tuple(spans_a)), Side("b", tuple(spans_b)), texts)
    assert result.words == len(flat_a)
    assert result.kappa == pytest.approx(sklearn_metrics.cohen_kappa_score(flat_a, flat_b))


# -- stores and the command --------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text(default_config_text(), "utf-8")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "001.txt").write_text(TEXT, "utf-8")
    return tmp_path


def _fill(path: Path, spans: list[Span]) -> None:
    with Store.open(path) as store:
        store.apply(add=spans)


def test_store_side_reads_one_annotator_or_all(project: Path) -> None:
    path = project / "both.json"
    _fill(path, A_SPANS + B_SPANS)
    with Store.open(path, read_only=True) as store:
        assert len(store_side(store, "a").spans) == 5
        assert len(store_side(store, "b").spans) == 5
        assert len(store_side(store).spans) == 10
    with Store.open(path) as store:
        store.set_done("009", True)
    with Store.open(path, read_only=True) as store:
        assert store_side(store, article_ids=["009"]).articles == {"001", "009"}
        assert store_side(store, "a", article_ids=["009"]).articles == {"001"}


def test_cli_json_two_stores(project: Path, capsys) -> None:
    _fill(project / "a.json", A_SPANS)
    _fill(project / "b.json", B_SPANS)
    code = main(
        ["--config", str(project / "config.yaml"), "agree",
         str(project / "a.json"), str(project / "b.json"), "--json"]
    )  # fmt: skip
    assert code == 0
    got = json.loads(capsys.readouterr().out)
    assert set(got) == {"articles", "labels", "overall", "kappa"}
    assert set(got["labels"]) == set(LABELS)
    assert set(got["labels"]["actor"]) == {"exact", "partial"}
    assert set(got["overall"]["exact"]) == {"precision", "recall", "f1", "support"}
    assert got["articles"] == 1
    assert got["overall"]["partial"]["f1"] == pytest.approx(0.8)
    assert got["kappa"] == pytest.approx(41 / 119)


def test_cli_annotators_in_one_store_and_table(project: Path, capsys) -> None:
    _fill(project / "both.json", A_SPANS + B_SPANS)
    config = str(project / "config.yaml")
    store = str(project / "both.json")
    assert main(["--config", config, "--store", store, "agree", "--annotators", "a,b"]) == 0
    out = capsys.readouterr().out
    assert "b against a" in out and "actor" in out and "overall" in out
    assert "0.345" in out  # kappa 41/119
    # One store with exactly two annotators: they are the two sides without --annotators.
    assert main(["--config", config, "agree", store, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kappa"] == pytest.approx(41 / 119)


def test_cli_one_annotator_from_each_of_two_stores(project: Path, capsys) -> None:
    _fill(project / "x.json", A_SPANS + [span("Putin", "actor", "b")])
    _fill(project / "y.json", B_SPANS + [span("Biden", "actor", "a")])
    config = str(project / "config.yaml")
    x, y = str(project / "x.json"), str(project / "y.json")
    assert main(["--config", config, "agree", x, y, "--annotators", "a,b", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kappa"] == pytest.approx(41 / 119)
    assert main(["--config", config, "agree", x, y, "--annotators", "a,zed"]) == 1
    assert "no spans by 'zed'" in capsys.readouterr().err


def test_cli_user_errors(project: Path, capsys) -> None:
    config = str(project / "config.yaml")
    _fill(project / "a.json", A_SPANS)
    _fill(project / "other.json", [span("Putin", "actor", "b", article="999")])
    assert main(["--config", config, "agree", str(project / "a.json")]) == 1
    assert "annotator" in capsys.readouterr().err
    assert main(["--config", config, "agree", str(project / "nope.json"), "x.json"]) == 1
    assert "no such store" in capsys.readouterr().err
    a, other = str(project / "a.json"), str(project / "other.json")
    assert main(["--config", config, "agree", a, other]) == 1
    assert "no article annotated by both" in capsys.readouterr().err
    assert main(["--config", config, "agree", a, other, "--annotators", "a"]) == 1

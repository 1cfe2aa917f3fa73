"""Export, import into an empty store, export again: byte-identical; and every format read back.

The hypothesis tests draw texts full of what breaks offset code (CRLF, emoji with modifiers and
ZWJ, combining marks, CJK, tabs, U+2028) and random spans, and put them through every format.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import tempfile
from importlib.util import find_spec
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.articles import Article, load_corpus
from annotations.formats import conll, docbin, doccano, parse_task, prodigy
from annotations.spans import SOURCES, Span, make_span, non_overlapping
from annotations.store import Store
from annotations.tokenizer import sentences, tokenize
from tui.cli import main

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
LABELS = ("actor", "demand", "venue", "date")
CONFIG = """\
annotator: alice
corpus: [CORPUS]
store: annotations.json
labels:
  - {name: actor, key: "1", colour: blue}
  - {name: demand, key: "2", colour: red}
  - {name: venue, key: "3", colour: green}
  - {name: date, key: "4", colour: magenta}
"""
needs_spacy = pytest.mark.skipif(find_spec("spacy") is None, reason="spaCy is not installed")


def make_project(root: Path, corpus: str = "seeds/") -> tuple[Path, Path]:
    if not (root / "seeds").exists():
        shutil.copytree(SEEDS, root / "seeds")
    config = root / "config.yaml"
    config.write_text(CONFIG.replace("CORPUS", corpus), encoding="utf-8")
    return config, root / "annotations.json"


def run(config: Path, store: Path, *args: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(["--config", str(config), "--store", str(store), *args])


def annotate_seeds(root: Path, store_path: Path) -> None:
    """Spans of every label, two annotators, several sources, overlaps across labels."""
    articles = load_corpus([root / "seeds"]).articles
    marks = [
        (0, "Vladimir Putin", "actor", "alice", "manual"),
        (0, "Putin", "demand", "bob", "propagated"),
        (0, "Wednesday", "date", "alice", "pattern"),
        (1, "NATO", "actor", "bob", "gazetteer"),
        (3, "Russia", "actor", "alice", "import"),
        (3, "talks", "demand", "alice", "manual"),
    ]
    with Store.open(store_path) as store:
        for index, word, label, annotator, source in marks:
            article = articles[index]
            match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", article.text)
            store.add(make_span(article.id, article.text, match.start(), match.end(), label,
                                LABELS, annotator, source))  # fmt: skip


@pytest.mark.parametrize("fmt", ["prodigy", "doccano"])
@pytest.mark.parametrize("everything", [False, True])
def test_export_import_export_is_byte_identical(tmp_path, fmt, everything):
    config, store = make_project(tmp_path)
    annotate_seeds(tmp_path, store)
    extra = ["--all"] if everything else []
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert run(config, store, "export", "-f", fmt, "-o", str(first), *extra) == 0
    empty = tmp_path / "empty.json"
    assert run(config, empty, "import", str(first)) == 0
    assert run(config, empty, "export", "-f", fmt, "-o", str(second), *extra) == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes().count(b"\n") == (5 if everything else 3)


def test_one_format_imported_exports_the_same_as_the_other(tmp_path):
    config, store = make_project(tmp_path)
    annotate_seeds(tmp_path, store)
    for fmt in ("prodigy", "doccano"):
        assert run(config, store, "export", "-f", fmt, "-o", str(tmp_path / f"{fmt}.jsonl")) == 0
    empty = tmp_path / "from-prodigy.json"
    assert run(config, empty, "import", str(tmp_path / "prodigy.jsonl")) == 0
    again = tmp_path / "again.jsonl"
    assert run(config, empty, "export", "-f", "doccano", "-o", str(again)) == 0
    assert again.read_bytes() == (tmp_path / "doccano.jsonl").read_bytes()


def test_round_trip_of_articles_that_live_only_in_the_store(tmp_path):
    config, store = make_project(tmp_path)
    annotate_seeds(tmp_path, store)
    first = tmp_path / "first.jsonl"
    assert run(config, store, "export", "-o", str(first)) == 0
    (tmp_path / "none").mkdir()
    bare, _ = make_project(tmp_path, corpus="none/")  # no article files at all
    for name in ("a", "b"):
        assert run(bare, tmp_path / f"{name}.json", "import", str(first)) == 0
        out = tmp_path / f"{name}.jsonl"
        assert run(bare, tmp_path / f"{name}.json", "export", "-o", str(out)) == 0
        assert out.read_bytes() == first.read_bytes()


def test_articles_only_in_the_store_keep_the_order_they_came_in(tmp_path):
    """Ids out of sorted order: an export of a store with no article files lists the articles
    as the import read them, not sorted by id, so the round trip is still exact."""
    (tmp_path / "corpus").mkdir()
    lines = [
        {"id": "z1", "text": "Putin met Biden in Geneva.", "meta": {}},
        {"id": "a1", "text": "NATO talks ended on Friday.", "meta": {}},
    ]
    (tmp_path / "corpus" / "c.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8"
    )
    config, store = make_project(tmp_path, corpus="corpus/")
    marks = tmp_path / "marks.jsonl"
    marks.write_text(
        json.dumps({"id": "z1", "text": lines[0]["text"], "label": [[0, 5, "actor"]]}) + "\n"
        + json.dumps({"id": "a1", "text": lines[1]["text"], "label": [[0, 4, "actor"]]}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    assert run(config, store, "import", str(marks)) == 0
    first = tmp_path / "first.jsonl"
    assert run(config, store, "export", "-f", "doccano", "-o", str(first)) == 0
    assert [json.loads(line)["id"] for line in first.read_text().splitlines()] == ["z1", "a1"]
    (tmp_path / "none").mkdir()
    bare, _ = make_project(tmp_path, corpus="none/")
    assert run(bare, tmp_path / "bare.json", "import", str(first)) == 0
    second = tmp_path / "second.jsonl"
    assert run(bare, tmp_path / "bare.json", "export", "-f", "doccano", "-o", str(second)) == 0
    assert second.read_bytes() == first.read_bytes()


@needs_spacy
@pytest.mark.parametrize("fmt", ["prodigy", "doccano"])
def test_spacy_reads_the_seed_exports(tmp_path, fmt):
    import spacy

    config, store = make_project(tmp_path)
    annotate_seeds(tmp_path, store)
    out = tmp_path / "out.jsonl"
    assert run(config, store, "export", "-f", fmt, "--all", "-o", str(out)) == 0
    nlp = spacy.blank("en")
    count = 0
    for line in out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        doc = nlp.make_doc(record["text"])
        if fmt == "prodigy":
            spans = [(s["start"], s["end"], s["label"]) for s in record["spans"]]
            assert [t["text"] for t in record["tokens"]] == [t.text for t in doc]
            assert [t["ws"] for t in record["tokens"]] == [bool(t.whitespace_) for t in doc]
            for item in record["spans"]:
                made = doc[item["token_start"] : item["token_end"] + 1]
                assert made.text == record["text"][item["start"] : item["end"]]
        else:
            spans = [tuple(item) for item in record["label"]]
        for start, end, label in spans:
            made = doc.char_span(start, end, label=label)
            assert made is not None and made.text == record["text"][start:end]
            count += 1
    assert count == 6


# -- hypothesis ----------------------------------------------------------------------------

FRAGMENTS = [
    "Putin", "met", "Biden", "in", "Geneva", ".", ",", "'s", "don't", "U.S.", "Mr.", "NATO's",
    " ", " ", " ", "  ", "\r\n", "\n", "\n\n", "\t", "\u2028", "\x85", "\u00a0",
    "😀", "👍🏽", "👨\u200d👩\u200d👧", "🇺🇦", "e\u0301", "Ame\u0301lie", "Ørsted",
    "北京", "会谈。", "Путин", "«", "»", "(", ")", '"', "2021", "$5m", "—", "-", "well-known",
]  # fmt: skip

texts = (
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(min_size=1, max_size=4)),
        min_size=1,
        max_size=30,
    )
    .map("".join)
    # Texts the corpus loads as articles: NUL marks a binary file, which it skips by design.
    .filter(lambda text: text.strip() and not text.startswith("\ufeff") and "\x00" not in text)
)
labels = st.sampled_from(LABELS)
who = st.tuples(st.sampled_from(SOURCES), st.sampled_from(["alice", "bob", "Zoë"]))
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def word_spans(data, text: str, max_size: int = 8) -> list[Span]:
    """Random spans over whole words (token boundaries), any overlaps."""
    words = [token for token in tokenize(text) if not token.text.isspace()]
    if not words:
        return []
    pairs = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(words) - 1), st.integers(0, 3), labels, who),
            max_size=max_size,
        )
    )
    spans = []
    for first, extra, label, (source, annotator) in pairs:
        last = min(first + extra, len(words) - 1)
        start, end = words[first].start, words[last].end
        spans.append(Span("x", start, end, label, text[start:end], annotator, source))
    return sorted(set(spans), key=lambda s: (*s.sort_key, s.annotator))


def char_spans(data, text: str) -> list[Span]:
    """Random spans on any code points, as doccano allows."""
    pairs = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(text) - 1), st.integers(1, 6), labels, who), max_size=8
        )
    )
    spans = {
        Span("x", start, min(start + size, len(text)), label,
             text[start : min(start + size, len(text))], annotator, source)
        for start, size, label, (source, annotator) in pairs
    }  # fmt: skip
    return sorted(spans, key=lambda s: (*s.sort_key, s.annotator))


def as_tuples(spans) -> list[tuple]:
    return [(s.start, s.end, s.label, s.source, s.annotator) for s in spans]


@SETTINGS
@given(text=texts, data=st.data())
def test_prodigy_line_round_trips(text, data):
    article = Article("x", text, "a.txt", {"outlet": "Ω"})
    spans = word_spans(data, text)
    tokens = tokenize(text)
    line = prodigy.encode(article, spans, tokens)
    assert line.isascii() and "\n" not in line
    record = json.loads(line)
    assert [(t["start"], t["end"]) for t in record["tokens"]] == [(t.start, t.end) for t in tokens]
    assert "".join(t["text"] + " " * t["ws"] for t in record["tokens"]) == text
    for item in record["spans"]:
        assert record["tokens"][item["token_start"]]["start"] == item["start"]
        assert record["tokens"][item["token_end"]]["end"] == item["end"]
    task = parse_task(record, "h:1")
    assert (task.text, task.id, task.meta) == (text, "x", {"source": "a.txt", "outlet": "Ω"})
    assert as_tuples(task.spans) == as_tuples(spans)


@SETTINGS
@given(text=texts, data=st.data())
def test_doccano_line_round_trips(text, data):
    spans = char_spans(data, text)
    line = doccano.encode(Article("x", text, "a.txt"), spans)
    task = parse_task(json.loads(line), "h:1")
    assert (task.text, task.id) == (text, "x")
    assert as_tuples(task.spans) == as_tuples(spans)
    for parsed, span in zip(task.spans, spans, strict=True):
        assert text[parsed.start : parsed.end] == span.text


@SETTINGS
@given(text=texts, data=st.data())
def test_conll_tags_the_kept_spans_and_nothing_else(text, data):
    spans = word_spans(data, text)
    tokens = tokenize(text)
    block, dropped = conll.encode("x", spans, tokens, sentences(text, tokens))
    words = [token for token in tokens if not token.text.isspace()]
    read = [pair for sentence in conll.parse(block) for pair in sentence]
    assert [token for token, _ in read] == [word.text for word in words]
    kept, _ = non_overlapping(spans)
    kept = [s for s in kept if s not in dropped]
    expected = []
    for span in kept:
        inside = [i for i, w in enumerate(words) if span.start <= w.start and w.end <= span.end]
        expected.append((inside[0], inside[-1], span.label))
    assert conll.bio_spans([tag for _, tag in read]) == expected
    assert len(kept) + len(dropped) == len(spans)
    # No blank line inside a span: a reader would take its two halves for two entities.
    sentence_of = [n for n, sentence in enumerate(conll.parse(block)) for _ in sentence]
    for first, last, _ in expected:
        assert sentence_of[first] == sentence_of[last]
    for line in block.split("\n"):
        assert line == "" or line.count("\t") == 1


@needs_spacy
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, data=st.data())
def test_docbin_round_trips(text, data):
    spans = word_spans(data, text)
    vocab = docbin.new_vocab()
    doc, dropped = docbin.build_doc(vocab, Article("x", text, "a.txt"), spans, tokenize(text))
    back = docbin.from_bytes(docbin.to_bytes([doc]), vocab)[0]
    assert back.text == text
    assert [(s.start_char, s.end_char, s.label_) for s in back.spans["sc"]] == [
        (s.start, s.end, s.label) for s in spans
    ]
    ents = [(e.start_char, e.end_char, e.label_) for e in back.ents]
    kept, _ = non_overlapping(spans)
    assert ents == [(s.start, s.end, s.label) for s in kept]
    assert len(ents) + len(dropped) == len(spans)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(texts, min_size=1, max_size=3), data=st.data())
def test_store_round_trip_is_byte_identical_for_random_texts(texts, data):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "corpus").mkdir()
        for index, text in enumerate(texts):
            (root / "corpus" / f"{index}.txt").write_bytes(text.encode("utf-8"))
        config = root / "config.yaml"
        config.write_text(CONFIG.replace("CORPUS", "corpus/"), encoding="utf-8")
        store = root / "first.json"
        with Store.open(store) as opened:
            for index, text in enumerate(texts):
                spans = [
                    Span(str(index), s.start, s.end, s.label, s.text, s.annotator, s.source)
                    for s in word_spans(data, text)
                ]
                opened.apply(add=spans)
        for fmt in ("prodigy", "doccano"):
            first, second = root / f"{fmt}1.jsonl", root / f"{fmt}2.jsonl"
            assert run(config, store, "export", "--all", "-f", fmt, "-o", str(first)) == 0
            empty = root / f"{fmt}-empty.json"
            assert run(config, empty, "import", str(first)) == 0
            assert run(config, empty, "export", "--all", "-f", fmt, "-o", str(second)) == 0
            assert first.read_bytes() == second.read_bytes()

"""The pure format functions: one article, its spans and tokens in; a line (or Doc) out; back."""

from __future__ import annotations

import json
from importlib.util import find_spec

import pytest

from annotations.articles import Article
from annotations.formats import (
    FormatError,
    TokenBounds,
    conll,
    docbin,
    doccano,
    parse_task,
    prodigy,
)
from annotations.spans import Span
from annotations.tokenizer import Token, sentences, tokenize

TEXT = "Putin met Biden in Geneva."


def span(text: str, start: int, end: int, label: str, **kw) -> Span:
    kw.setdefault("annotator", "alice")
    return Span("001", start, end, label, text[start:end], **kw)


def article(text: str = TEXT, **kw) -> Article:
    kw.setdefault("source", "seeds/001.txt")
    return Article(id="001", text=text, **kw)


@pytest.fixture
def example():
    spans = [
        span(TEXT, 0, 5, "actor"),
        span(TEXT, 19, 25, "venue", source="pattern", annotator="bob"),
    ]
    return article(), spans, tokenize(TEXT)


# -- hashes -------------------------------------------------------------------------------


def test_hashes_are_stable_signed_32_bit_integers():
    # Fixed values: the hashes must not change between runs, machines or Python versions.
    assert prodigy.input_hash(TEXT) == 965263658
    assert prodigy.task_hash(TEXT, [(0, 5, "actor"), (19, 25, "venue")]) == -966131369
    for text in ("", "a", "😀" * 50, TEXT):
        assert -(2**31) <= prodigy.input_hash(text) < 2**31


def test_task_hash_depends_on_spans_and_labels_input_hash_on_text_only():
    base = prodigy.task_hash(TEXT, [(0, 5, "actor")])
    assert prodigy.task_hash(TEXT, [(0, 5, "venue")]) != base
    assert prodigy.task_hash(TEXT, [(0, 5, "actor"), (10, 15, "actor")]) != base
    assert prodigy.task_hash(TEXT + " ", [(0, 5, "actor")]) != base
    assert prodigy.input_hash(TEXT) != prodigy.input_hash(TEXT + " ")


# -- prodigy ------------------------------------------------------------------------------


def test_prodigy_record_has_ner_manual_shape(example):
    art, spans, tokens = example
    record = prodigy.record(art, spans, tokens)
    assert list(record) == [
        "text", "meta", "tokens", "spans", "_input_hash", "_task_hash", "answer",
    ]  # fmt: skip
    assert record["text"] == TEXT
    assert record["answer"] == "accept"
    assert record["tokens"][0] == {"text": "Putin", "start": 0, "end": 5, "id": 0, "ws": True}
    assert record["tokens"][4] == {"text": "Geneva", "start": 19, "end": 25, "id": 4, "ws": False}
    assert record["spans"] == [
        {"start": 0, "end": 5, "label": "actor", "token_start": 0, "token_end": 0},
        {"start": 19, "end": 25, "label": "venue", "token_start": 4, "token_end": 4},
    ]
    assert record["meta"] == {
        "id": "001",
        "source": "seeds/001.txt",
        "span_sources": ["manual", "pattern"],
        "span_annotators": ["alice", "bob"],
    }
    assert record["_input_hash"] == 965263658
    assert record["_task_hash"] == -966131369


def test_prodigy_token_indices_agree_with_offsets_for_multi_token_spans():
    text = "Deputy Foreign Minister Sergei Ryabkov said."
    spans = [span(text, 24, 38, "actor"), span(text, 0, 38, "actor", annotator="bob")]
    record = prodigy.record(article(text), spans, tokenize(text))
    for item in record["spans"]:
        tokens = record["tokens"]
        assert tokens[item["token_start"]]["start"] == item["start"]
        assert tokens[item["token_end"]]["end"] == item["end"]
    assert [(s["token_start"], s["token_end"]) for s in record["spans"]] == [(3, 4), (0, 4)]


def test_prodigy_encode_equals_dumps_of_record_and_is_one_ascii_line(example):
    texts = [TEXT, "Путин  и\r\nБайден 😀 в\tЖеневе.\n", "北京会谈 e\u0301 \u2028 \"quoted\""]
    for text in texts:
        art = article(text, meta={"outlet": "TASS", "source": "wire"})
        tokens = tokenize(text)
        words = [t for t in tokens if not t.text.isspace()]
        spans = [span(text, words[0].start, words[-1].end, "actor")]
        line = prodigy.encode(art, spans, tokens, source="x.txt")
        assert line == prodigy.dumps(prodigy.record(art, spans, tokens, source="x.txt"))
        assert line.isascii() and "\n" not in line
        assert json.loads(line)["text"] == text


def test_prodigy_meta_keeps_article_meta_but_not_over_id_or_span_lists():
    art = Article("001", TEXT, "seeds/001.jsonl:3", {"id": "other", "source": "BBC", "n": 1,
                                                     "span_sources": ["x"]})
    meta = prodigy.record(art, [], tokenize(TEXT))["meta"]
    assert meta == {"id": "001", "source": "BBC", "n": 1, "span_sources": [],
                    "span_annotators": []}  # fmt: skip


def test_prodigy_span_off_token_boundaries_is_an_error_naming_the_article():
    text = "Putin's talks"  # tokens: Putin 's talks
    bad = span(text, 0, 3, "actor")
    with pytest.raises(FormatError, match=r"^001: span \[0, 3\) actor 'Put' does not end"):
        prodigy.encode(article(text), [bad], tokenize(text))
    bad = span(text, 1, 5, "actor")
    with pytest.raises(FormatError, match="does not start on a token boundary"):
        prodigy.record(article(text), [bad], tokenize(text))


def test_token_bounds_accepts_whitespace_tokens_and_rejects_reversed_ranges():
    text = "a  b"
    tokens = tokenize(text)  # a, " ", b
    bounds = TokenBounds(tokens, "x")
    assert bounds.token_range(0, 4) == (0, 2)
    assert bounds.token_range(2, 3) == (1, 1)
    with pytest.raises(FormatError):
        bounds.token_range(3, 1)
    with pytest.raises(FormatError):
        bounds.token_range(0, 99)


def test_prodigy_parse_reads_its_own_record_back(example):
    art, spans, tokens = example
    task = prodigy.parse(json.loads(prodigy.encode(art, spans, tokens)), "f:1")
    assert task.format == "prodigy"
    assert task.text == TEXT and task.id == "001"
    assert task.meta == {"source": "seeds/001.txt"}
    assert [(s.start, s.end, s.label, s.source, s.annotator) for s in task.spans] == [
        (0, 5, "actor", "manual", "alice"),
        (19, 25, "venue", "pattern", "bob"),
    ]


def test_prodigy_parse_reads_plain_prodigy_output():
    line = {
        "text": TEXT,
        "_input_hash": 1,
        "spans": [{"start": 0, "end": 5, "label": "ACTOR", "text": "Putin"}],
        "answer": "reject",
        "_annotator_id": "ds-alice",
    }
    task = parse_task(line, "f:1")
    assert task.id is None and task.meta == {} and task.answer == "reject"
    # Prodigy's multi-user session id is who made the spans (no span_annotators here).
    assert task.spans[0].source is None and task.spans[0].annotator == "ds-alice"
    assert task.spans[0].label == "ACTOR"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ([1, 2], "expected a JSON object"),
        ({"spans": []}, "'text' is missing"),
        ({"text": "  \n", "spans": []}, "empty 'text'"),
        ({"text": TEXT, "spans": {"start": 0}}, "'spans' must be a list"),
        ({"text": TEXT, "spans": ["x"]}, "span 1: expected an object"),
        ({"text": TEXT, "spans": [{"start": "0", "end": 5, "label": "a"}]}, "must be integers"),
        ({"text": TEXT, "spans": [{"start": True, "end": 5, "label": "a"}]}, "must be integers"),
        ({"text": TEXT, "spans": [{"start": 5, "end": 5, "label": "a"}]}, "empty span"),
        ({"text": TEXT, "spans": [{"start": 0, "end": 99, "label": "a"}]}, "outside the text"),
        ({"text": TEXT, "spans": [{"start": -1, "end": 3, "label": "a"}]}, "outside the text"),
        ({"text": TEXT, "spans": [{"start": 0, "end": 5}]}, "label must be a non-empty"),
        ({"text": TEXT, "spans": [{"start": 0, "end": 5, "label": "a", "text": "Biden"}]},
         "claims 'Biden'"),
        ({"text": TEXT, "meta": "x", "spans": []}, "'meta' is not an object"),
        ({"text": TEXT, "meta": {"id": [1]}, "spans": []}, "'id' must be a string"),
        ({"text": TEXT, "answer": 1, "spans": []}, "'answer' must be a string"),
        ({"text": TEXT, "meta": {"span_sources": ["manual"]}, "spans": []},
         "'span_sources' must be a list with one entry per span"),
        ({"text": TEXT, "meta": {"span_annotators": [3]},
          "spans": [{"start": 0, "end": 5, "label": "a"}]}, "non-empty strings"),
        ({"text": TEXT, "tokens": [{"start": 0, "end": 5}],
          "spans": [{"start": 0, "end": 5, "label": "a", "token_start": 3, "token_end": 0}]},
         "token_start 3 is not a token index"),
        ({"text": TEXT, "tokens": [{"start": 0, "end": 3}],
          "spans": [{"start": 0, "end": 5, "label": "a", "token_start": 0, "token_end": 0}]},
         "token_end 0 disagrees with the span's end 5"),
        ({"text": TEXT}, "neither prodigy"),
        ({"text": TEXT, "label": [[0, 5, "a"]], "_task_hash": 3, "spans": 7}, "must be a list"),
    ],
)  # fmt: skip
def test_bad_lines_raise_one_line_format_errors_naming_where(line, message):
    with pytest.raises(FormatError, match=message) as caught:
        parse_task(line, "in.jsonl:7")
    assert str(caught.value).startswith("in.jsonl:7")
    assert "\n" not in str(caught.value)


# -- doccano ------------------------------------------------------------------------------


def test_doccano_record_shape(example):
    art, spans, _ = example
    record = doccano.record(Article("001", TEXT, "/abs/seeds/001.txt", {"lang": "en"}), spans,
                            source="seeds/001.txt")  # fmt: skip
    assert record == {
        "id": "001",
        "text": TEXT,
        "label": [[0, 5, "actor"], [19, 25, "venue"]],
        "meta": {"source": "seeds/001.txt", "lang": "en"},
        "span_sources": ["manual", "pattern"],
        "span_annotators": ["alice", "bob"],
    }
    line = doccano.encode(art, spans)
    assert json.loads(line)["label"] == record["label"] and line.isascii()


def test_doccano_parse_reads_its_own_line_back(example):
    art, spans, _ = example
    task = parse_task(json.loads(doccano.encode(art, spans)), "f:1")
    assert task.format == "doccano" and task.id == "001" and task.meta == {"source": art.source}
    assert [(s.start, s.end, s.label, s.source, s.annotator) for s in task.spans] == [
        (0, 5, "actor", "manual", "alice"),
        (19, 25, "venue", "pattern", "bob"),
    ]


def test_doccano_parse_reads_native_exports_with_integer_ids_and_flat_meta():
    line = {"id": 12, "text": TEXT, "label": [[10, 15, "actor"]], "Comments": [], "site": "x"}
    task = parse_task(line, "f:1")
    assert task.id == "12" and task.meta == {"site": "x"}
    assert task.spans[0].start == 10 and task.spans[0].source is None


def test_doccano_parse_reads_relation_project_entities_and_notes_relations():
    line = {
        "id": 3,
        "text": TEXT,
        "entities": [
            {"id": 1, "label": "actor", "start_offset": 0, "end_offset": 5},
            {"id": 2, "label": "actor", "start_offset": 10, "end_offset": 15},
        ],
        "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "meets"}],
    }
    task = parse_task(line, "f:4")
    assert [(s.start, s.end, s.label) for s in task.spans] == [(0, 5, "actor"), (10, 15, "actor")]
    assert task.notes == ("f:4: 1 relation(s) not imported (spantag has no relations)",)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"text": TEXT, "label": "actor"}, "'label' must be a list"),
        ({"text": TEXT, "label": ["positive"]}, "text-classification label"),
        ({"text": TEXT, "label": [[0, 5]]}, r"expected \[start, end, label\]"),
        ({"text": TEXT, "label": [[0, 50, "a"]]}, "outside the text"),
        ({"text": TEXT, "label": [[0, 5, ""]]}, "label must be a non-empty"),
        ({"text": TEXT, "labels": [[0, 5.5, "a"]]}, "must be integers"),
        ({"text": TEXT, "entities": {"a": 1}}, "'entities' must be a list"),
        ({"text": TEXT, "entities": [[0, 5, "a"]]}, "expected an object"),
        ({"text": TEXT, "entities": [{"label": "a", "start_offset": 0}]}, "must be integers"),
        ({"text": TEXT, "label": [[0, 5, "a"]], "span_sources": ["manual", "manual"]},
         "one entry per span"),
        ({"text": 5, "label": []}, "'text' is missing or not a string"),
    ],
)  # fmt: skip
def test_bad_doccano_lines_raise_format_errors(line, message):
    with pytest.raises(FormatError, match=message):
        parse_task(line, "d.jsonl:2")


# -- conll --------------------------------------------------------------------------------


def test_conll_matches_the_documented_example(example):
    art, spans, tokens = example
    block, dropped = conll.encode(art.id, spans, tokens, sentences(TEXT, tokens))
    assert block == "Putin\tB-actor\nmet\tO\nBiden\tO\nin\tO\nGeneva\tB-venue\n.\tO\n\n"
    assert dropped == []


def test_conll_bio_blank_lines_between_sentences_and_no_whitespace_tokens():
    text = "Sergei Ryabkov spoke.\n\nPresident Vladimir  Putin agreed."
    tokens = tokenize(text)
    spans = [span(text, 0, 14, "actor"), span(text, 33, 48, "actor")]
    block, dropped = conll.encode("001", spans, tokens, sentences(text, tokens))
    assert dropped == []
    assert block.split("\n\n") == [
        "Sergei\tB-actor\nRyabkov\tI-actor\nspoke\tO\n.\tO",
        "President\tO\nVladimir\tB-actor\nPutin\tI-actor\nagreed\tO\n.\tO",
        "",
    ]
    assert conll.parse(block)[1][1:3] == [("Vladimir", "B-actor"), ("Putin", "I-actor")]


def test_conll_writes_no_sentence_break_inside_a_span():
    """After a blank line seqeval starts afresh: a span over the break would read as two."""
    text = "They met at the Kremlin. Talks ended. Then they left."
    tokens = tokenize(text)
    spans = [span(text, 16, 36, "venue")]  # "Kremlin. Talks ended"
    block, _ = conll.encode("001", spans, tokens, sentences(text, tokens))
    read = conll.parse(block)
    assert [len(sentence) for sentence in read] == [9, 4]  # the first two sentences as one
    tags = [tag for sentence in read for _, tag in sentence]
    assert conll.bio_spans(tags) == [(4, 7, "venue")]


def test_conll_overlaps_keep_the_longer_and_report_the_rest():
    text = "Deputy Foreign Minister Sergei Ryabkov said Wednesday."
    spans = [
        span(text, 24, 38, "actor"),  # Sergei Ryabkov
        span(text, 0, 38, "actor", annotator="bob"),  # the longer one wins
        span(text, 31, 38, "demand"),  # inside both: dropped
        span(text, 44, 53, "date"),
    ]
    tokens = tokenize(text)
    block, dropped = conll.encode("001", spans, tokens, sentences(text, tokens))
    assert sorted((s.start, s.end) for s in dropped) == [(24, 38), (31, 38)]
    tags = [tag for sentence in conll.parse(block) for _, tag in sentence]
    assert tags == ["B-actor", "I-actor", "I-actor", "I-actor", "I-actor", "O", "B-date", "O"]


def test_conll_drops_a_span_of_only_whitespace_and_errors_on_misaligned_spans():
    text = "Putin  met Biden."
    tokens = tokenize(text)
    ws = span(text, 6, 7, "actor")  # the whitespace token " "
    block, dropped = conll.encode("001", [ws], tokens, sentences(text, tokens))
    assert dropped == [ws] and "B-" not in block
    with pytest.raises(FormatError, match="^001: span"):
        conll.encode("001", [span(text, 1, 5, "actor")], tokens, sentences(text, tokens))


def test_bio_spans_reads_chunks_as_seqeval_does():
    tags = ["B-a", "I-a", "O", "I-a", "I-a", "B-a", "B-b", "I-a"]
    assert conll.bio_spans(tags) == [(0, 1, "a"), (3, 4, "a"), (5, 5, "a"), (6, 6, "b"),
                                     (7, 7, "a")]  # fmt: skip


# -- docbin -------------------------------------------------------------------------------

needs_spacy = pytest.mark.skipif(find_spec("spacy") is None, reason="spaCy is not installed")


@needs_spacy
def test_docbin_doc_has_every_span_in_sc_and_non_overlapping_ents():
    text = "Deputy Foreign Minister Sergei Ryabkov said\r\nWednesday 😀."
    spans = [
        span(text, 0, 38, "actor"),
        span(text, 24, 38, "actor", annotator="bob", source="propagated"),
        span(text, 45, 54, "date"),
    ]
    vocab = docbin.new_vocab()
    doc, dropped = docbin.build_doc(vocab, article(text), spans, tokenize(text), source="s.txt")
    assert doc.text == text
    assert [(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]] == [
        (0, 38, "actor"), (24, 38, "actor"), (45, 54, "date"),
    ]  # fmt: skip
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [
        (0, 38, "actor"), (45, 54, "date"),
    ]  # fmt: skip
    assert [(s.start, s.end) for s in dropped] == [(24, 38)]
    back = docbin.from_bytes(docbin.to_bytes([doc]))[0]
    assert back.text == text
    assert [(s.start_char, s.end_char, s.label_) for s in back.spans["sc"]] == [
        (s.start, s.end, s.label) for s in spans
    ]
    assert back.user_data["meta"]["id"] == "001"
    assert list(back.user_data["meta"]["span_sources"]) == ["manual", "propagated", "manual"]


@needs_spacy
def test_docbin_misaligned_span_is_an_error_not_a_dropped_span():
    text = "Putin's talks"
    with pytest.raises(FormatError, match="^001: span .*char_span gives None"):
        docbin.build_doc(docbin.new_vocab(), article(text), [span(text, 0, 3, "actor")],
                         tokenize(text))  # fmt: skip


@needs_spacy
def test_docbin_tokens_that_do_not_rebuild_the_text_are_an_error():
    text = "Putin met"
    broken = [Token("Putin", 0, 5, False), Token("met", 6, 9, False)]  # the space is lost
    with pytest.raises(FormatError, match="do not rebuild the text"):
        docbin.build_doc(docbin.new_vocab(), article(text), [], broken)

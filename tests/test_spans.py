"""Spans: what make_span refuses, the text invariant, and the overlap rules."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.spans import (
    SOURCES,
    Span,
    SpanError,
    check_span_text,
    conflicts,
    make_span,
    non_overlapping,
)

LABELS = ("actor", "demand", "venue", "date")
TEXT = "MOSCOW: Russia said Wednesday it had delivered its proposals.\r\nSergei Ryabkov 😀 spoke."

PIECES = [
    "a",
    "Ryabkov",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    ",",
    "'s",
    "“",
    "”",
    "e\u0301",
    "a\u0308\u0323",
    "日本語",
    "北约",
    "😀",
    "👍🏽",
    "👨‍👩‍👧",
    "🇷🇺",
    "\u200d",
    "\u00a0",
]
texts = st.lists(
    st.one_of(st.sampled_from(PIECES), st.characters(exclude_categories=("Cs",))),
    min_size=1,
    max_size=50,
).map("".join)


def span(start: int, end: int, label: str = "actor", annotator: str = "ann", text: str = TEXT):
    return make_span("art", text, start, end, label, LABELS, annotator)


# --------------------------------------------------------------------------- make_span


def test_make_span():
    s = make_span("art", TEXT, 8, 14, "actor", LABELS, "alice")
    assert (s.article_id, s.start, s.end, s.label, s.text) == ("art", 8, 14, "actor", "Russia")
    assert s.annotator == "alice"
    assert s.source == "manual"
    assert s.created == s.updated
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s.created)
    assert s.stale is False and s.reviewer == ""


def test_make_span_whole_text_and_last_character():
    assert span(0, len(TEXT)).text == TEXT
    assert span(len(TEXT) - 1, len(TEXT)).text == "."


def test_make_span_offsets_are_code_points():
    emoji = TEXT.index("😀")
    assert span(emoji, emoji + 1).text == "😀"
    crlf = TEXT.index("\r\n")
    assert span(crlf, crlf + 2).text == "\r\n"


@pytest.mark.parametrize("source", SOURCES)
def test_make_span_sources(source):
    assert make_span("a", TEXT, 0, 3, "date", LABELS, "x", source).source == source


def test_make_span_accepts_labels_from_a_generator():
    s = make_span("a", TEXT, 0, 3, "venue", (name for name in LABELS), "x")
    assert s.label == "venue"


@pytest.mark.parametrize(("start", "end"), [(5, 5), (0, 0), (len(TEXT), len(TEXT)), (9, 4)])
def test_make_span_refuses_empty_spans(start, end):
    with pytest.raises(SpanError) as info:
        span(start, end)
    message = str(info.value)
    assert message.startswith("art: ") and "empty span" in message
    assert f"[{start}, {end})" in message


@pytest.mark.parametrize(
    ("start", "end"), [(-1, 3), (0, len(TEXT) + 1), (len(TEXT), len(TEXT) + 5), (-10, -2)]
)
def test_make_span_refuses_spans_outside_the_text(start, end):
    with pytest.raises(SpanError) as info:
        span(start, end)
    message = str(info.value)
    assert message.startswith("art: ") and "outside the text" in message
    assert f"0..{len(TEXT)}" in message


def test_make_span_on_empty_text():
    with pytest.raises(SpanError, match="outside the text"):
        make_span("a", "", 0, 1, "actor", LABELS, "x")


def test_make_span_refuses_unknown_labels():
    with pytest.raises(SpanError) as info:
        span(0, 6, label="ACTOR")
    message = str(info.value)
    assert message.startswith("art: ") and "unknown label 'ACTOR'" in message
    for label in LABELS:
        assert label in message


def test_make_span_with_no_labels():
    with pytest.raises(SpanError, match="unknown label"):
        make_span("a", TEXT, 0, 3, "actor", (), "x")


def test_make_span_refuses_unknown_source():
    with pytest.raises(SpanError, match="unknown span source 'robot'"):
        make_span("a", TEXT, 0, 3, "actor", LABELS, "x", "robot")


@pytest.mark.parametrize(("start", "end"), [(True, 3), (0, True), (0.0, 3), ("0", 3), (0, None)])
def test_make_span_refuses_non_integer_offsets(start, end):
    with pytest.raises(SpanError, match="integers"):
        span(start, end)


def test_span_error_is_a_value_error_and_one_line():
    with pytest.raises(ValueError) as info:
        span(3, 3)
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------- check_span_text


def test_check_span_text_passes_on_the_same_text():
    s = span(8, 14)
    check_span_text(s, TEXT)


def test_check_span_text_refuses_a_shifted_text():
    s = span(8, 14)
    with pytest.raises(SpanError) as info:
        check_span_text(s, "XX" + TEXT)
    message = str(info.value)
    assert message.startswith("art: ") and "[8, 14)" in message and "actor" in message
    assert "'Russia'" in message and repr(("XX" + TEXT)[8:14]) in message


def test_check_span_text_refuses_a_span_past_a_shortened_text():
    with pytest.raises(SpanError):
        check_span_text(span(8, 14), TEXT[:10])


def test_check_span_text_spots_a_crlf_normalised_text():
    start = TEXT.index("Sergei")
    s = span(start, start + 6)
    with pytest.raises(SpanError):
        check_span_text(s, TEXT.replace("\r\n", "\n"))


# --------------------------------------------------------------------------- Span itself


def test_span_is_frozen_and_hashable():
    s = span(0, 6)
    with pytest.raises(AttributeError):
        s.start = 1  # type: ignore[misc]
    assert len({s, s}) == 1


def test_span_key_ignores_times_and_source():
    a = make_span("art", TEXT, 0, 6, "actor", LABELS, "x", "manual")
    b = make_span("art", TEXT, 0, 6, "actor", LABELS, "x", "pattern")
    assert a.key == b.key == ("art", 0, 6, "actor", "x")


def test_span_sort_key_longer_first_at_one_start():
    spans = [span(8, 14, "venue"), span(0, 6), span(8, 19, "date"), span(8, 14, "actor")]
    ordered = sorted(spans, key=lambda s: s.sort_key)
    assert [(s.start, s.end, s.label) for s in ordered] == [
        (0, 6, "actor"),
        (8, 19, "date"),
        (8, 14, "actor"),
        (8, 14, "venue"),
    ]


def test_overlaps():
    s = span(5, 10)
    assert s.overlaps((9, 12)) and s.overlaps((0, 6)) and s.overlaps((6, 7))
    assert not s.overlaps((10, 12)) and not s.overlaps((0, 5))  # touching is not overlapping
    assert s.overlaps(span(0, 20))


def test_to_dict_from_dict_round_trip():
    s = make_span("art", TEXT, 0, 6, "actor", LABELS, "x", "gazetteer")
    data = s.to_dict()
    assert data["text"] == "MOSCOW" and data["source"] == "gazetteer"
    assert Span.from_dict(data) == s
    assert Span.from_dict({**data, "unknown_field": 1}) == s


def test_moved_keeps_created_and_updates_updated():
    s = span(0, 6)
    moved = s.moved(2, 8)
    assert (moved.start, moved.end, moved.created) == (2, 8, s.created)
    assert moved.updated >= s.updated


# --------------------------------------------------------------------------- overlap rules


def test_conflicts_same_label_same_annotator_overlapping():
    new = span(8, 19, "actor", "ann")
    existing = [
        span(8, 14, "actor", "ann"),  # replaced
        span(10, 30, "actor", "ann"),  # replaced
        span(8, 14, "venue", "ann"),  # other label: kept
        span(8, 14, "actor", "bob"),  # other annotator: kept
        span(19, 25, "actor", "ann"),  # touching: kept
    ]
    assert conflicts(new, existing) == existing[:2]


def test_non_overlapping_keeps_the_longer():
    short = span(8, 14, "actor")
    long = span(8, 29, "date")
    other = span(0, 6, "venue")
    kept, dropped = non_overlapping([short, other, long])
    assert kept == [other, long]
    assert dropped == [short]


def test_non_overlapping_keeps_the_longer_whatever_the_order():
    a = span(5, 20, "actor")
    b = span(0, 8, "date")
    c = span(18, 25, "venue")
    for order in ([a, b, c], [c, b, a], [b, a, c]):
        kept, dropped = non_overlapping(order)
        assert kept == [a]
        assert sorted(dropped, key=lambda s: s.start) == [b, c]


def test_non_overlapping_tie_keeps_the_earlier():
    first = span(0, 6, "venue")
    second = span(3, 9, "actor")
    kept, dropped = non_overlapping([second, first])
    assert kept == [first] and dropped == [second]


def test_non_overlapping_same_range_two_labels_keeps_one():
    a = span(0, 6, "actor")
    b = span(0, 6, "date")
    kept, dropped = non_overlapping([b, a])
    assert kept == [a] and dropped == [b]


def test_non_overlapping_touching_spans_are_all_kept():
    spans = [span(10, 12), span(0, 5), span(5, 10)]
    kept, dropped = non_overlapping(spans)
    assert [(s.start, s.end) for s in kept] == [(0, 5), (5, 10), (10, 12)]
    assert dropped == []


def test_non_overlapping_empty():
    assert non_overlapping([]) == ([], [])


# --------------------------------------------------------------------------- hypothesis


@settings(max_examples=400)
@given(data=st.data(), text=texts)
def test_make_span_text_is_the_slice(data, text):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    label = data.draw(st.sampled_from(LABELS))
    s = make_span("a", text, start, end, label, LABELS, "x")
    assert s.text == text[start:end]
    assert len(s.text) == end - start
    check_span_text(s, text)
    assert Span.from_dict(s.to_dict()) == s


@settings(max_examples=200)
@given(data=st.data(), text=texts)
def test_make_span_refuses_every_bad_range(data, text):
    start = data.draw(st.integers(-5, len(text) + 5))
    end = data.draw(st.integers(-5, len(text) + 5))
    if 0 <= start < end <= len(text):
        assert make_span("a", text, start, end, "date", LABELS, "x").text == text[start:end]
    else:
        with pytest.raises(SpanError):
            make_span("a", text, start, end, "date", LABELS, "x")


@settings(max_examples=200)
@given(data=st.data())
def test_non_overlapping_properties(data):
    text = "x" * 40
    ranges = data.draw(st.lists(st.tuples(st.integers(0, 39), st.integers(1, 10)), max_size=12))
    spans = [
        make_span("a", text, s, min(s + n, 40), LABELS[i % 4], LABELS, "x")
        for i, (s, n) in enumerate(ranges)
    ]
    kept, dropped = non_overlapping(spans)
    assert sorted(kept + dropped, key=lambda s: (s.start, s.end, s.label)) == sorted(
        spans, key=lambda s: (s.start, s.end, s.label)
    )
    for i, a in enumerate(kept):  # no two kept spans overlap
        for b in kept[i + 1 :]:
            assert not a.overlaps(b)
    for d in dropped:  # every dropped span lost to a kept one at least as long
        assert any(d.overlaps(k) and k.end - k.start >= d.end - d.start for k in kept)
    assert kept == sorted(kept, key=lambda s: s.sort_key)

"""Suggestions kept resolved change by change (annotations/resolve.py).

The one property that matters: after any sequence of changes, the article's suggestions are
what resolving everything afresh gives, and `take_changed` names every stretch of text whose
suggestions differ from before (the reader repaints only those).
"""

from __future__ import annotations

from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotations import resolve
from annotations.resolve import Candidate, Resolved
from annotations.spans import Span

LABELS = ("actor", "demand", "venue", "date")
TEXT = "abcdefghij" * 6  # 60 offsets: candidates are arbitrary ranges of it


def candidate(start: int, length: int, source: int, rank: int) -> Candidate:
    return (-length, source, rank, start, start + length, LABELS[rank])


def span(start: int, length: int, rank: int, who: str = "ann", stale: bool = False) -> Span:
    end = start + length
    return Span("a", start, end, LABELS[rank], TEXT[start:end], who, stale=stale)


def shown(resolved: Resolved) -> list[tuple]:
    return [(s.start, s.end, s.label, s.source, s.text) for s in resolved.items]


ranges = st.tuples(st.integers(0, 50), st.integers(1, 9))
candidates = st.builds(
    lambda r, source, rank: candidate(r[0], r[1], source, rank),
    ranges,
    st.integers(0, 2),
    st.integers(0, 3),
)
# What a person does meanwhile: tag a range (maybe a stale span), untag, reject, unreject.
span_edits = [
    st.tuples(st.just("span"), ranges, st.integers(0, 3), st.booleans()),
    st.tuples(st.just("unspan"), st.integers(0, 1000)),
    st.tuples(st.just("reject"), st.integers(0, 1000)),
]
unreject = st.tuples(st.just("unreject"), st.integers(0, 1000))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.lists(candidates, min_size=1, max_size=6)),
        st.tuples(st.just("remove"), st.integers(0, 1000)),
        *span_edits,
        unreject,
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(candidates, max_size=30), operations)
def test_changes_give_what_resolving_afresh_gives_and_say_where(start, ops):
    check_against_afresh(start, ops)


# A text's occurrences come as one batch of candidates that do not overlap one another.
texts = st.builds(
    lambda at, length, source, rank: [candidate(a, length, source, rank) for a in sorted(at)],
    st.sets(st.sampled_from(range(0, 55, 5)), min_size=1, max_size=11),
    st.integers(1, 5),
    st.integers(0, 2),
    st.integers(0, 3),
)
text_operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), texts),
        st.tuples(st.just("remove_text"), st.integers(0, 1000)),
        *span_edits,
    ),
    max_size=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(candidates, max_size=30), text_operations)
def test_whole_texts_coming_and_going_give_the_same(start, ops):
    """The same property with candidates coming and going a text at a time (all the
    occurrences of a tagged text, as the suggester hands them over)."""
    check_against_afresh(start, ops)


# The same texts in any order, some long enough to overlap their neighbours (5 apart); few
# lengths and labels, so that a rejection or a span often sits where a text is added later.
BATCH_LENGTHS = st.sampled_from([1, 2, 5, 7])
BATCH_RANKS = st.integers(0, 1)
shuffled_texts = st.builds(
    lambda at, length, source, rank: [candidate(a, length, source, rank) for a in at],
    st.lists(st.sampled_from(range(0, 55, 5)), min_size=1, max_size=11, unique=True),
    BATCH_LENGTHS,
    st.integers(0, 2),
    BATCH_RANKS,
)
batch_operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), shuffled_texts),
        st.tuples(st.just("remove_text"), st.integers(0, 1000)),
        st.tuples(st.just("remove"), st.integers(0, 1000)),
        st.tuples(st.just("span_on"), st.integers(0, 1000), st.integers(0, 3)),
        st.tuples(st.just("readd")),
        st.tuples(
            st.just("reject_at"),
            st.sampled_from(range(0, 55, 5)),
            BATCH_LENGTHS,
            BATCH_RANKS,
        ),
        *span_edits,
        unreject,
    ),
    max_size=20,
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(candidates, max_size=30), batch_operations)
# A text added where a place of it was rejected before, and where a span of another label sits.
@example([], [("reject_at", 5, 2, 0), ("add", [candidate(0, 2, 0, 0), candidate(5, 2, 0, 0)])])
@example(
    [],
    [
        ("add", [candidate(5, 2, 0, 0), candidate(0, 2, 0, 0)]),
        ("span_on", 0, 1),
        ("remove_text", 0),
        ("readd",),
    ],
)
# Two texts with a place in common (the second's goes to `_cands`), either taken away first.
@example(
    [],
    [
        ("add", [candidate(0, 2, 0, 0), candidate(5, 2, 0, 0)]),
        ("add", [candidate(5, 5, 1, 1), candidate(10, 5, 1, 1)]),
        ("remove_text", 1),
        ("remove_text", 0),
    ],
)
@example(
    [],
    [
        ("add", [candidate(0, 2, 0, 0), candidate(5, 2, 0, 0)]),
        ("add", [candidate(5, 1, 1, 1), candidate(10, 1, 1, 1)]),
        ("remove_text", 0),
        ("readd",),
        ("remove_text", 0),
    ],
)
# A shown place of a text taken away on its own (as when the text comes back as one batch
# too large for the arrays), then the rest of the text, then the text again.
@example(
    [],
    [
        ("add", [candidate(0, 2, 0, 0), candidate(5, 2, 0, 0), candidate(10, 2, 0, 0)]),
        ("remove", 1),
        ("remove_text", 0),
        ("readd",),
    ],
)
def test_texts_taken_as_arrays_give_the_same(start, ops):
    """The array path (`_add_batch`/`_remove_batch`, which a text found in many places takes)
    follows the same rules as the loop: here it takes every text of one or more places."""
    with mock.patch.object(resolve, "BATCH_FROM", 1):
        check_against_afresh(start, ops)


def test_a_text_found_in_many_places_is_taken_as_arrays():
    """Past BATCH_FROM places the array path runs (so the test above is about what runs)."""
    text = "ab " * 200
    places = [(-2, 0, 0, at, at + 2, "actor") for at in range(0, len(text) - 1, 3)]
    assert len(places) >= resolve.BATCH_FROM
    live = Resolved("a", text, LABELS, [], [], set())
    with mock.patch.object(Resolved, "_add_batch", wraps=live._add_batch) as batch:
        live.add_candidates(places)
    assert batch.called
    assert len(live) == len(places)
    assert live._array("used", live._used).sum() == 2 * len(places)
    live.remove_candidates(places)
    assert len(live) == 0 and live.take_changed()


def test_changes_of_many_places_are_picked_by_window():
    """`take_changed` keeps a text's places as arrays; `within` gives those touching a window
    (what the reader repaints) and iterating gives them all."""
    text = "ab " * 200
    places = [(-2, 0, 0, at, at + 2, "actor") for at in range(0, len(text) - 1, 3)]
    live = Resolved("a", text, LABELS, [], [], set())
    live.take_changed()
    live.add_candidates(places)
    changed = live.take_changed()
    assert len(changed) == len(places) and changed.runs
    assert sorted(changed) == [(at, at + 2) for at in range(0, len(text) - 1, 3)]
    assert changed.within(10, 20) == [(9, 11), (12, 14), (15, 17), (18, 20)]
    assert changed.within(598, 700) == [(597, 599)]
    assert changed.within(11, 12) == [(9, 11), (12, 14)]  # touching at either end counts


def test_a_text_whose_places_went_one_by_one_comes_back_as_arrays():
    """A text added as arrays, then taken away a place at a time (the loop path, as when a
    longer candidate makes the arrays too big), comes back as arrays again, and right."""
    text = "ab " * 200
    places = [(-2, 0, 0, at, at + 2, "actor") for at in range(0, len(text) - 1, 3)]
    live = Resolved("a", text, LABELS, [], [], set())
    live.add_candidates(places)
    for place in places:
        live.remove_candidates([place])
    assert len(live) == 0 and live._used.count(1) == 0
    live.add_candidates(places)
    assert live._group_kept == len(places) == len(live)
    fresh = Resolved("a", text, LABELS, places, [], set())
    assert shown(live) == shown(fresh)


def check_against_afresh(start: list[Candidate], ops: list[tuple]) -> None:
    pool: list[Candidate] = list(start)
    batches: list[list[Candidate]] = []
    gone_batches: list[list[Candidate]] = []
    spans: list[Span] = []
    rejected: set[tuple[int, int, str]] = set()
    live = Resolved("a", TEXT, LABELS, pool, spans, rejected)
    for op in ops:
        before = {(s.start, s.end, s.label, s.source) for s in live.items}
        live.take_changed()
        kind = op[0]
        if kind == "add":
            pool.extend(op[1])
            batches.append(op[1])
            live.add_candidates(op[1])
        elif kind == "remove" and pool:
            gone = pool.pop(op[1] % len(pool))
            live.remove_candidates([gone])
            for batch in batches:  # one place of a text: the text goes without it later
                if gone in batch:
                    batches[batches.index(batch)] = [c for c in batch if c is not gone]
                    break
        elif kind == "remove_text" and batches:
            batch = batches.pop(op[1] % len(batches))
            for c in batch:
                pool.remove(c)
            live.remove_candidates(batch)
            gone_batches.append(batch)
        elif kind == "readd" and gone_batches:  # a text tagged again after its untag
            batch = gone_batches.pop()
            pool.extend(batch)
            batches.append(batch)
            live.add_candidates(batch)
        elif kind == "span":
            (at, length), rank, stale = op[1], op[2], op[3]
            new = span(at, length, rank, stale=stale)
            spans.append(new)
            live.span_changed(new, 1)
        elif kind == "span_on" and pool:  # a span exactly where a candidate is
            c = pool[op[1] % len(pool)]
            new = span(c[3], c[4] - c[3], op[2])
            spans.append(new)
            live.span_changed(new, 1)
        elif kind == "unspan" and spans:
            gone = spans.pop(op[1] % len(spans))
            live.span_changed(gone, -1)
        elif kind == "reject" and pool:
            c = pool[op[1] % len(pool)]
            rejected.add((c[3], c[4], c[5]))
            live.rejection_changed(c[3], c[4])
        elif kind == "reject_at":  # rejected before it is ever proposed (by another session)
            at, length, rank = op[1:]
            rejected.add((at, at + length, LABELS[rank]))
            live.rejection_changed(at, at + length)
        elif kind == "unreject" and rejected:
            key = sorted(rejected)[op[1] % len(rejected)]
            rejected.discard(key)
            live.rejection_changed(key[0], key[1])
        live.settle()
        fresh = Resolved("a", TEXT, LABELS, pool, spans, set(rejected))
        assert shown(live) == shown(fresh)
        assert len(live) == len(fresh)
        after = {(s.start, s.end, s.label, s.source) for s in live.items}
        changed = live.take_changed()
        assert changed is not None
        for s, e, *_ in before ^ after:
            assert any(a <= s and e <= b for a, b in changed), (s, e, changed)


def test_lookups_for_drawing_and_jumping():
    cands = [candidate(0, 3, 0, 0), candidate(10, 5, 1, 2), candidate(12, 2, 0, 1)]
    live = Resolved("a", TEXT, LABELS, cands, [], set())
    assert [(s.start, s.end, s.label) for s in live.items] == [(0, 3, "actor"), (10, 15, "venue")]
    assert live.at(11).label == "venue" and live.at(15) is None and live.at(3) is None
    assert [s.start for s in live.overlapping(2, 11)] == [0, 10]
    assert [s.start for s in live.overlapping(12, 13)] == [10]
    assert live.overlapping(3, 10) == []
    assert (live.next_start(0), live.next_start(10), live.prev_start(10)) == (10, None, 0)
    assert live.prev_start(0) is None
    # The same objects while their suggestion stays; the list is shared until a change.
    assert live.at(0) is live.items[0] and live.items is live.items


def test_a_span_holds_back_what_it_covers_and_lets_it_go_again():
    cands = [candidate(0, 5, 0, 0), candidate(2, 2, 0, 1)]
    live = Resolved("a", TEXT, LABELS, cands, [], set())
    assert [s.start for s in live.items] == [0]
    tagged = span(0, 5, 0)  # exactly on the longer one: it goes, the shorter one shows
    live.span_changed(tagged, 1)
    live.settle()
    assert [(s.start, s.label) for s in live.items] == [(2, "demand")]
    live.span_changed(tagged, -1)
    live.settle()
    assert [s.start for s in live.items] == [0]


def test_too_many_changes_untaken_say_everything():
    live = Resolved("a", "x" * 20_000, LABELS, [], [], set())
    live.add_candidates(candidate(i * 3, 2, 0, 0) for i in range(5_000))
    assert live.take_changed() is None
    assert len(live) == 5_000
    assert list(live.take_changed()) == []

"""One article's suggestions, kept resolved while its candidates, spans and rejections change.

`annotations.suggest` finds the candidates (propagated texts, gazetteer names, patterns); this
module applies the rules that turn them into suggestions (see `annotations.suggest`): a
candidate is kept unless it sits exactly on a span, overlaps a span of its label, was rejected,
or overlaps a kept candidate that wins (longer, then source order, then label order, then
earlier: plain tuple order of `Candidate`).

Those rules are a greedy pass over the candidates in that order, and what the pass keeps in one
stretch of text depends only on the candidates that overlap, one after another, into that
stretch (a "block"). So after a change the pass is run again over the blocks the change touches,
not over the article: tagging a word in a 100,000-word article re-resolves a few candidates
around it, whatever the article's length. The cases that cover almost every change cost a few
byte-array lookups and no block at all:

- a new candidate that overlaps no kept suggestion is kept if the spans and rejections let it;
- a new candidate that overlaps a kept suggestion which wins changes nothing;
- a candidate that goes away and was not kept changes nothing; one that was kept and overlaps
  no other candidate just goes.

Everything is held in byte arrays as long as the text (one byte per offset: is a suggestion
here, does one start here, does a candidate start here, how many spans of a label cover it)
and dicts of tuples of ints, which the garbage collector need not walk; `Suggestion` objects
are made only for what is asked for (the rows on screen) and kept until their suggestion
changes. `Resolved` is also what the reader draws from (`overlapping`, `next_start`,
`prev_start`), so the app never copies an article's suggestions into a list per key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from annotations.spans import Span, now_iso

#: Suggestion sources, in the order they win a tie between two suggestions of equal length.
SUGGESTION_SOURCES = ("propagated", "gazetteer", "pattern")

#: (start - end, source rank, label rank, start, end, label): tuple order is the order in
#: which overlapping candidates win.
Candidate = tuple[int, int, int, int, int, str]

_INCREMENT = bytes(min(i + 1, 255) for i in range(256))
_DECREMENT = bytes(max(i - 1, 0) for i in range(256))
#: Runs of 1s and 0s to mark a suggestion's offsets with, by length (no allocation per mark).
_SMALL = 256
_ONES = [b"\x01" * n for n in range(_SMALL)]
_ZEROS = [bytes(n) for n in range(_SMALL)]
#: Past this many changed stretches not yet taken (`take_changed`), say "everything" instead.
_CHANGED_CAP = 4096


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A proposed span: `text == article.text[start:end]`, on word boundaries."""

    article_id: str
    start: int
    end: int
    label: str
    text: str
    source: str
    """propagated, gazetteer or pattern: also the source of the span accepting it makes."""

    @property
    def key(self) -> tuple[int, int, str]:
        """What a rejection remembers: `Store.reject(suggestion.article_id, *suggestion.key)`."""
        return (self.start, self.end, self.label)

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.start, -self.end, self.label)

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end

    def to_span(self, annotator: str) -> Span:
        """The span that accepting this suggestion stores, marked with its source."""
        stamp = now_iso()
        return Span(
            self.article_id,
            self.start,
            self.end,
            self.label,
            self.text,
            annotator,
            self.source,
            stamp,
            stamp,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "text": self.text,
            "source": self.source,
        }


class Resolved:
    """The suggestions of one article, updated in place (see the module docstring).

    Change it with `add_candidates`, `remove_candidates`, `span_changed` and
    `rejection_changed`, then call `settle()` once; `take_changed()` says which stretches of
    text now show something else. `rejected` is the caller's own set for the article (it is
    read, not copied): change it, then call `rejection_changed`.
    """

    __slots__ = (
        "article_id",
        "text",
        "labels",
        "rejected",
        "_cands",
        "_cand_starts",
        "_max_len",
        "_exact",
        "_taken",
        "_used",
        "_kept_starts",
        "_kept",
        "_objects",
        "_dirty",
        "_changed",
        "_list",
    )

    def __init__(
        self,
        article_id: str,
        text: str,
        labels: tuple[str, ...],
        candidates: Iterable[Candidate],
        spans: Iterable[Span],
        rejected: set[tuple[int, int, str]],
    ) -> None:
        self.article_id = article_id
        self.text = text
        self.labels = labels
        self.rejected = rejected
        size = len(text) + 1
        self._cands: dict[int, tuple[Candidate, ...]] = {}
        """Every candidate, by start (several may start at one offset)."""
        self._cand_starts = bytearray(size)
        self._max_len = 0
        """The longest candidate ever added: how far back one may start and still reach."""
        self._exact: dict[tuple[int, int], int] = {}
        """(start, end) of the spans -> how many spans sit there."""
        self._taken: dict[str, bytearray] = {}
        """Label -> how many spans of it cover each offset."""
        self._used = bytearray(size)
        """1 where a kept suggestion covers the offset."""
        self._kept_starts = bytearray(size)
        self._kept: dict[int, Candidate] = {}
        self._objects: dict[int, tuple[Candidate, Suggestion]] = {}
        self._dirty: list[tuple[int, int]] = []
        self._changed: list[tuple[int, int]] | None = []
        self._list: list[Suggestion] | None = None
        ordered = sorted(candidates)
        cands = self._cands
        for candidate in ordered:
            start = candidate[3]
            found = cands.get(start)
            cands[start] = (candidate,) if found is None else (*found, candidate)
        for start in cands:
            self._cand_starts[start] = 1
        self._max_len = -ordered[0][0] if ordered else 0
        for span in spans:
            self._mark_span(span, 1)
        self._greedy(ordered)
        self._changed = []

    # -- asking --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def items(self) -> list[Suggestion]:
        """Every suggestion, in text order (built once per change, then shared)."""
        if self._list is None:
            self._list = [self._object(start) for start in sorted(self._kept)]
        return self._list

    def at(self, offset: int) -> Suggestion | None:
        """The suggestion covering `offset` (suggestions never overlap: at most one)."""
        if not 0 <= offset < len(self._used) or not self._used[offset]:
            return None
        low = max(0, offset - self._max_len + 1)
        start = self._kept_starts.rfind(1, low, offset + 1)
        return self._object(start) if start != -1 else None

    def overlapping(self, start: int, end: int) -> list[Suggestion]:
        """The suggestions with `s.start < end` and `s.end > start`, in text order."""
        found: list[Suggestion] = []
        first = self.at(start)
        if first is not None and first.start < start:
            found.append(first)
        starts = self._kept_starts
        position = starts.find(1, max(start, 0), max(end, 0))
        while position != -1:
            found.append(self._object(position))
            position = starts.find(1, position + 1, end)
        return found

    def next_start(self, offset: int) -> int | None:
        """Where the first suggestion starting after `offset` starts, or None."""
        position = self._kept_starts.find(1, max(offset + 1, 0))
        return position if position != -1 else None

    def prev_start(self, offset: int) -> int | None:
        """Where the last suggestion starting before `offset` starts, or None."""
        if offset <= 0:
            return None
        position = self._kept_starts.rfind(1, 0, offset)
        return position if position != -1 else None

    def take_changed(self) -> list[tuple[int, int]] | None:
        """The stretches (start, end) whose suggestions changed since the last call; None:
        too many to list, treat everything as changed."""
        changed, self._changed = self._changed, []
        return changed

    def _object(self, start: int) -> Suggestion:
        candidate = self._kept[start]
        cached = self._objects.get(start)
        if cached is not None and cached[0] is candidate:
            return cached[1]
        _, source, rank, _, end, label = candidate
        suggestion = Suggestion(
            self.article_id, start, end, label, self.text[start:end], SUGGESTION_SOURCES[source]
        )
        self._objects[start] = (candidate, suggestion)
        return suggestion

    # -- changing ------------------------------------------------------------------------

    def add_candidates(self, candidates: Iterable[Candidate]) -> None:
        # One loop with everything inlined: a text found 1,700 times in a long article comes
        # through here 1,700 times in one keypress (a couple of microseconds each).
        cands, cand_starts = self._cands, self._cand_starts
        used, kept, kept_starts = self._used, self._kept, self._kept_starts
        exact, rejected, taken = self._exact, self.rejected, self._taken
        max_len = self._max_len
        changed = []
        note = changed.append
        label = mask = None
        for candidate in candidates:
            start = candidate[3]
            end = candidate[4]
            found = cands.get(start)
            if found is None:
                cands[start] = (candidate,)
                cand_starts[start] = 1
            else:
                cands[start] = (*found, candidate)
            length = end - start
            if length > max_len:
                self._max_len = max_len = length
            if candidate[5] is not label:
                label = candidate[5]
                mask = taken.get(label)
            stretch = (start, end)
            if stretch in exact or (rejected and (start, end, label) in rejected):
                continue  # never shown, so it holds nothing back either
            if mask is not None and mask.count(0, start, end) != length:
                continue
            if used.find(1, start, end) == -1:
                used[start:end] = _ONES[length] if length < _SMALL else b"\x01" * length
                kept_starts[start] = 1
                kept[start] = candidate
                note(stretch)
            elif all(kept[s] > candidate for s in self._kept_starting(start, end)):
                self._dirty.append(stretch)  # it wins: the block is worked out again
            # else a kept suggestion beats it: nothing changes
        self._note_all(changed)

    def remove_candidates(self, candidates: Iterable[Candidate]) -> None:
        cands, cand_starts = self._cands, self._cand_starts
        used, kept, kept_starts = self._used, self._kept, self._kept_starts
        reach = self._max_len - 1
        changed = []
        note = changed.append
        for candidate in candidates:
            start = candidate[3]
            found = cands.get(start)
            if found is None:
                continue
            if len(found) == 1:
                if found[0] != candidate:
                    continue
                del cands[start]
                cand_starts[start] = 0
            else:
                rest = list(found)
                if candidate not in rest:
                    continue
                rest.remove(candidate)
                cands[start] = tuple(rest)
            if kept.get(start) != candidate:
                continue  # not shown: it held nothing back
            end = candidate[4]
            del kept[start]
            length = end - start
            used[start:end] = _ZEROS[length] if length < _SMALL else bytes(length)
            kept_starts[start] = 0
            note((start, end))
            # What it held back may come in now: any candidate overlapping it.
            position = cand_starts.find(1, start - reach if start > reach else 0, end)
            while position != -1:
                others = cands[position]
                if others[0][4] > start or (
                    len(others) > 1 and any(other[4] > start for other in others)
                ):
                    self._dirty.append((start, end))
                    break
                position = cand_starts.find(1, position + 1, end)
        self._note_all(changed)

    def span_changed(self, span: Span, delta: int) -> None:
        """A span was added (`delta` 1) or removed (-1) in the article."""
        if span.stale:
            return
        self._mark_span(span, delta)
        self._dirty.append((span.start, span.end))

    def rejection_changed(self, start: int, end: int) -> None:
        """`rejected` gained or lost an entry at [start, end)."""
        self._dirty.append((start, end))

    def settle(self) -> None:
        """Work the blocks touched since the last call out again."""
        if not self._dirty:
            return
        ranges = sorted(self._dirty)
        self._dirty = []
        low = high = -1
        for start, end in ranges:
            if low <= start and end <= high:
                continue
            low, high = self._reresolve(start, end)

    # -- inside --------------------------------------------------------------------------

    def _note(self, start: int, end: int) -> None:
        self._note_all([(start, end)])

    def _note_all(self, stretches: list[tuple[int, int]]) -> None:
        if not stretches:
            return
        self._list = None
        changed = self._changed
        if changed is not None:
            changed.extend(stretches)
            if len(changed) > _CHANGED_CAP:
                self._changed = None

    def _add_candidate(self, candidate: Candidate) -> None:
        start = candidate[3]
        found = self._cands.get(start)
        if found is None:
            self._cands[start] = (candidate,)
            self._cand_starts[start] = 1
        else:
            self._cands[start] = (*found, candidate)
        if -candidate[0] > self._max_len:
            self._max_len = -candidate[0]

    def _remove_candidate(self, candidate: Candidate) -> None:
        start = candidate[3]
        found = self._cands.get(start)
        if found is None:
            return
        rest = list(found)
        if candidate in rest:
            rest.remove(candidate)
        if rest:
            self._cands[start] = tuple(rest)
        else:
            del self._cands[start]
            self._cand_starts[start] = 0

    def _candidates_overlapping(self, start: int, end: int) -> list[Candidate]:
        found: list[Candidate] = []
        starts, cands = self._cand_starts, self._cands
        position = starts.find(1, max(0, start - self._max_len + 1), end)
        while position != -1:
            for candidate in cands[position]:
                if candidate[4] > start:
                    found.append(candidate)
            position = starts.find(1, position + 1, end)
        return found

    def _kept_starting(self, start: int, end: int) -> list[int]:
        """Starts of the kept suggestions overlapping [start, end)."""
        found = []
        starts, kept = self._kept_starts, self._kept
        position = starts.find(1, max(0, start - self._max_len + 1), end)
        while position != -1:
            if kept[position][4] > start:
                found.append(position)
            position = starts.find(1, position + 1, end)
        return found

    def _allowed(self, candidate: Candidate) -> bool:
        start, end, label = candidate[3], candidate[4], candidate[5]
        if (start, end) in self._exact or (start, end, label) in self.rejected:
            return False
        taken = self._taken.get(label)
        return taken is None or taken.count(0, start, end) == end - start

    def _keep(self, candidate: Candidate) -> None:
        start, end = candidate[3], candidate[4]
        self._used[start:end] = b"\x01" * (end - start)
        self._kept_starts[start] = 1
        self._kept[start] = candidate

    def _unkeep(self, start: int) -> None:
        candidate = self._kept.pop(start)
        self._used[start : candidate[4]] = bytes(candidate[4] - start)
        self._kept_starts[start] = 0
        self._objects.pop(start, None)

    def _mark_span(self, span: Span, delta: int) -> None:
        if span.stale:
            return
        start, end = span.start, span.end
        key = (start, end)
        count = self._exact.get(key, 0) + delta
        if count > 0:
            self._exact[key] = count
        else:
            self._exact.pop(key, None)
        if end <= start:
            return
        taken = self._taken.get(span.label)
        if taken is None:
            taken = self._taken[span.label] = bytearray(len(self._used))
        table = _INCREMENT if delta > 0 else _DECREMENT
        taken[start:end] = taken[start:end].translate(table)

    def _greedy(self, ordered: list[Candidate]) -> None:
        """Keep, in order, each candidate that nothing kept so far overlaps and the spans
        and rejections allow (inlined `_allowed` and `_keep`: 25,000 candidates per call
        when a long article is opened)."""
        used, kept, kept_starts = self._used, self._kept, self._kept_starts
        exact, rejected, taken = self._exact, self.rejected, self._taken
        changed = []
        for candidate in ordered:
            start, end = candidate[3], candidate[4]
            if used.find(1, start, end) != -1:
                continue
            label = candidate[5]
            if (start, end) in exact or (start, end, label) in rejected:
                continue
            mask = taken.get(label)
            if mask is not None and mask.count(0, start, end) != end - start:
                continue
            used[start:end] = b"\x01" * (end - start)
            kept_starts[start] = 1
            kept[start] = candidate
            changed.append((start, end))
        self._note_all(changed)

    def _reresolve(self, start: int, end: int) -> tuple[int, int]:
        """Run the greedy pass again over the block around [start, end); returns its bounds."""
        low, high = start, end
        found = self._candidates_overlapping(low, high)
        while True:
            new_low = min(low, min((c[3] for c in found), default=low))
            new_high = max(high, max((c[4] for c in found), default=high))
            if (new_low, new_high) == (low, high):
                break
            low, high = new_low, new_high
            found = self._candidates_overlapping(low, high)
        before = {s: self._kept[s] for s in self._kept_starting(low, high)}
        for position in before:
            self._unkeep(position)
        found.sort()
        used, allowed = self._used, self._allowed
        after = {}
        for candidate in found:
            s, e = candidate[3], candidate[4]
            if used.find(1, s, e) == -1 and allowed(candidate):
                self._keep(candidate)
                after[s] = candidate
        if before != after:
            self._note(low, high)
        return low, high


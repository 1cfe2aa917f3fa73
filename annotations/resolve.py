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

A text tagged for the first time is proposed at every place it occurs: 1,700 places for a
common word in a 100,000-word article. The suggester hands those places over as one batch
(`Places`), and they go in and out with numpy operations over views of the same byte arrays.
They stay a group, with one int per offset saying which group has a place there, and are not
written one by one into the dicts. Below BATCH_FROM places the loop does the same work.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
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
#: From this many candidates of one text on, `add_candidates`/`remove_candidates` work on
#: them as numpy arrays and keep them as a group (`_add_batch`). Below it the plain loop is as
#: quick: numpy's fixed cost per call adds up to ~0.1-0.2 ms a batch, what the loop spends on
#: a couple of hundred candidates.
BATCH_FROM = 200
#: ... as long as the windows that takes (candidates x the longest candidate) stay this small
#: (8 bytes a cell: 8 MB at most).
_BATCH_CELLS = 1_000_000

_start_of = itemgetter(3)
_end_of = itemgetter(4)
_label_of = itemgetter(5)


def load_numpy() -> Any:
    """numpy, imported on first use: its ~100 ms import stays off the first paint (the app
    calls this in the thread that builds the suggester, before the first tag needs it)."""
    import numpy

    return numpy


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


class Changed:
    """Where an article's suggestions changed (`Resolved.take_changed`): stretches (start,
    end), and runs of one text's places kept as the arrays they came in (sorted starts, one
    length), so that the reader picks the few on screen (`within`) without a tuple per place.
    Iterating gives every stretch."""

    __slots__ = ("stretches", "runs", "_count")

    def __init__(self) -> None:
        self.stretches: list[tuple[int, int]] = []
        self.runs: list[tuple[Any, int]] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[tuple[int, int]]:
        yield from self.stretches
        for starts, length in self.runs:
            for start in starts.tolist():
                yield (start, start + length)

    def add(self, stretches: list[tuple[int, int]]) -> None:
        self.stretches.extend(stretches)
        self._count += len(stretches)

    def add_run(self, starts: Any, length: int) -> None:
        self.runs.append((starts, length))
        self._count += len(starts)

    def within(self, low: int, high: int) -> list[tuple[int, int]]:
        """The stretches that touch [low, high] (end >= low and start <= high)."""
        found = [(s, e) for s, e in self.stretches if e >= low and s <= high]
        for starts, length in self.runs:
            first = int(starts.searchsorted(low - length, side="left"))
            last = int(starts.searchsorted(high, side="right"))
            found.extend((start, start + length) for start in starts[first:last].tolist())
        return found


class Places(tuple):
    """One text's candidates in one article, as the suggester hands them over: a tuple that
    also keeps the arrays `Resolved` works them with (`_Batch`), made the first time, so a text
    tagged, untagged and tagged again (undo, redo) is not converted again each time."""

    batch: _Batch | None


@dataclass(frozen=True, slots=True)
class _Batch:
    """Candidates of one length and label, none overlapping another: one text's places.
    `Resolved` adds and removes them with array operations instead of one by one."""

    starts: Any
    """Where they start, in increasing order (a numpy array)."""
    ordered: list[Candidate]
    """The candidates in that order."""
    keys: list[int]
    """`starts` as Python ints."""
    length: int
    label: str

    @property
    def key(self) -> tuple[int, int, int, str]:
        """Equal for equal batches (a cheap first test before comparing the candidates)."""
        return (self.keys[0], len(self.keys), self.length, self.label)

    @classmethod
    def of(cls, candidates: Sequence[Candidate]) -> _Batch | None:
        if isinstance(candidates, Places):
            try:
                return candidates.batch
            except AttributeError:
                batch = candidates.batch = cls._make(candidates)
                return batch
        return cls._make(candidates)

    @classmethod
    def _make(cls, candidates: Sequence[Candidate]) -> _Batch | None:
        np = load_numpy()
        first = candidates[0]
        length, label = first[4] - first[3], first[5]
        count = len(candidates)
        if length <= 0 or len(set(map(_label_of, candidates))) != 1:
            return None
        starts = np.fromiter(map(_start_of, candidates), dtype=np.intp, count=count)
        ends = np.fromiter(map(_end_of, candidates), dtype=np.intp, count=count)
        if not (ends - starts == length).all():
            return None
        ordered = list(candidates)
        steps = np.diff(starts)
        if (steps <= 0).any():
            order = np.argsort(starts, kind="stable")
            starts = starts[order]
            ordered = [candidates[i] for i in order.tolist()]
            steps = np.diff(starts)
        if starts[0] < 0 or (steps < length).any():
            return None  # places that overlap or repeat: the order among them matters
        return cls(starts, ordered, starts.tolist(), length, label)


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
        "_cand_ends",
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
        "_exact_starts",
        "_exact_keys_at",
        "_arrays",
        "_dict_starts",
        "_groups",
        "_group_ids",
        "_group_of",
        "_in_group",
        "_group_kept",
        "_edits_ready",
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
        self._cand_ends = array("i", bytes(4 * size))
        """Where the candidates starting at an offset reach (the furthest end; 0: none)."""
        self._dict_starts = bytearray(size)
        """1 where `_cands` has candidates (`_cand_starts` also counts the groups')."""
        # One text's places added as a batch stay a group: the batch itself, and one int per
        # offset saying which group has a place there (see `_add_group`).
        self._groups: list[_Batch | None] = [None]
        """Group id -> its batch (0 is no group)."""
        self._group_ids: dict[int, int] = {}
        """id() of a batch -> its group id."""
        self._group_of = array("i", bytes(4 * size))
        """The group whose candidate starts at an offset (at most one group per offset)."""
        self._in_group = bytearray(size)
        """1 where the kept suggestion starting there is its group's (and not in `_kept`)."""
        self._group_kept = 0
        self._edits_ready = False
        """Are `_cand_ends` and `_dict_starts` filled in? Only the first add or removal of
        candidates needs them (most views are built to be counted, then dropped)."""
        self._max_len = 0
        """The longest candidate ever added: how far back one may start and still reach."""
        self._exact: dict[tuple[int, int], int] = {}
        """(start, end) of the spans -> how many spans sit there."""
        self._exact_starts = bytearray(size)
        """1 where some key of `_exact` starts (a batch asks `_exact` only there)."""
        self._exact_keys_at: dict[int, int] = {}
        """start -> how many keys of `_exact` start there."""
        self._arrays: dict[str, Any] = {}
        """numpy views of the byte arrays (made on a batch's first use, sharing memory)."""
        self._taken: dict[str, bytearray] = {}
        """Label -> how many spans of it cover each offset."""
        self._used = bytearray(size)
        """1 where a kept suggestion covers the offset."""
        self._kept_starts = bytearray(size)
        self._kept: dict[int, Candidate] = {}
        self._objects: dict[int, tuple[Candidate, Suggestion]] = {}
        self._dirty: list[tuple[int, int]] = []
        self._changed: Changed | None = Changed()
        self._list: list[Suggestion] | None = None
        ordered = sorted(candidates)
        cands = self._cands
        for candidate in ordered:
            start = candidate[3]
            found = cands.get(start)
            cands[start] = (candidate,) if found is None else (*found, candidate)
        cand_starts = self._cand_starts
        for start in cands:
            cand_starts[start] = 1
        self._max_len = -ordered[0][0] if ordered else 0
        for span in spans:
            self._mark_span(span, 1)
        self._greedy(ordered)
        self._changed = Changed()

    # -- asking --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._kept) + self._group_kept

    @property
    def items(self) -> list[Suggestion]:
        """Every suggestion, in text order (built once per change, then shared)."""
        if self._list is None:
            if self._group_kept:
                starts = self._array("kept_starts", self._kept_starts).nonzero()[0].tolist()
            else:
                starts = sorted(self._kept)
            self._list = [self._object(start) for start in starts]
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

    def take_changed(self) -> Changed | None:
        """The stretches (start, end) whose suggestions changed since the last call; None:
        too many to list, treat everything as changed."""
        changed, self._changed = self._changed, Changed()
        return changed

    def _object(self, start: int) -> Suggestion:
        candidate = self._kept_at(start)
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
        """Add candidates; one text's many places (a tagged word proposed wherever it occurs)
        go through `_add_batch`, the rest through one loop with everything inlined."""
        batch = self._batch(candidates)
        if batch is not None and self._add_batch(batch):
            return
        cands, cand_starts, cand_ends = self._cands, self._cand_starts, self._cand_ends
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
                self._dict_starts[start] = 1
                cand_starts[start] = 1
                if end > cand_ends[start]:
                    cand_ends[start] = end
            else:
                cands[start] = (*found, candidate)
                if end > cand_ends[start]:
                    cand_ends[start] = end
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
            elif all(self._kept_at(s) > candidate for s in self._kept_starting(start, end)):
                self._dirty.append(stretch)  # it wins: the block is worked out again
            # else a kept suggestion beats it: nothing changes
        self._note_all(changed)

    def remove_candidates(self, candidates: Iterable[Candidate]) -> None:
        batch = self._batch(candidates)
        if batch is not None and self._remove_batch(batch):
            return
        cand_starts, cand_ends = self._cand_starts, self._cand_ends
        used, kept_starts = self._used, self._kept_starts
        reach = self._max_len - 1
        changed = []
        note = changed.append
        for candidate in candidates:
            if not self._forget(candidate):
                continue
            start = candidate[3]
            if self._kept_at(start) != candidate:
                continue  # not shown: it held nothing back
            end = candidate[4]
            self._drop_kept(start)
            length = end - start
            used[start:end] = _ZEROS[length] if length < _SMALL else bytes(length)
            kept_starts[start] = 0
            note((start, end))
            # What it held back may come in now: any candidate overlapping it.
            position = cand_starts.find(1, start - reach if start > reach else 0, end)
            while position != -1:
                if cand_ends[position] > start:
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

    def _array(self, name: str, buffer: bytearray | array) -> Any:
        """A numpy view of one of the arrays (same memory: both ways of writing agree)."""
        view = self._arrays.get(name)
        if view is None:
            kind = "u1" if isinstance(buffer, bytearray) else f"{buffer.typecode}{buffer.itemsize}"
            view = self._arrays[name] = load_numpy().frombuffer(buffer, dtype=kind)
        return view

    def _batch(self, candidates: Iterable[Candidate]) -> _Batch | None:
        """Before an add or a removal: ready the arrays edits use, and take `candidates` as
        one text's places (see `_Batch`) if they are many, are that, and fit here."""
        if not self._edits_ready:
            self._ready_for_edits()
        if not isinstance(candidates, Sequence) or len(candidates) < BATCH_FROM:
            return None
        batch = _Batch.of(candidates)
        if batch is None or batch.starts[-1] + batch.length >= len(self._used):
            return None
        if len(batch.keys) * (batch.length + self._max_len) > _BATCH_CELLS:
            return None
        return batch

    def _group_id(self, places: _Batch) -> int:
        """The group these places were added as (0: none)."""
        for gid in self._group_ids.get(places.key, ()):
            group = self._groups[gid]
            if group is places or (group is not None and group.ordered == places.ordered):
                return gid
        return 0

    def _unregister(self, gid: int) -> None:
        group = self._groups[gid]
        assert group is not None
        self._groups[gid] = None
        self._group_ids[group.key].remove(gid)
        if not self._group_ids[group.key]:
            del self._group_ids[group.key]

    def _add_batch(self, places: _Batch) -> bool:
        """`add_candidates` for one text's places, as array operations: the same rules as the
        loop, in a few passes over the batch instead of a dozen steps per candidate. They are
        kept as a group (`_groups`), not one by one in `_cands` and `_kept`: a dict insertion
        per place costs more than all the array work. False (nothing done) if the same places
        are a group already: the loop adds them again, as it would any repeated candidate."""
        np = load_numpy()
        gid = self._group_id(places)
        if gid:
            if (self._array("group_of", self._group_of)[places.starts] == gid).any():
                return False
            self._unregister(gid)  # its places all went one by one: a group no more
        starts, batch, keys, length, label = (
            places.starts, places.ordered, places.keys, places.length, places.label
        )
        gid = len(self._groups)
        self._groups.append(places)
        self._group_ids.setdefault(places.key, []).append(gid)
        group_of = self._array("group_of", self._group_of)
        mine = group_of[starts] == 0
        group_of[starts[mine]] = gid
        cands, dict_starts = self._cands, self._dict_starts
        for i in np.flatnonzero(~mine).tolist():  # another group has a place there: rare
            found = cands.get(keys[i], ())
            cands[keys[i]] = (*found, batch[i])
            dict_starts[keys[i]] = 1
        self._array("cand_starts", self._cand_starts)[starts] = 1
        reaches = self._array("cand_ends", self._cand_ends)
        reaches[starts] = np.maximum(reaches[starts], starts + length)
        if length > self._max_len:
            self._max_len = length
        # Shown unless on a span, rejected, or overlapping a span of its label.
        shown = np.ones(len(keys), dtype=bool)
        exact = self._exact
        for i in np.flatnonzero(self._array("exact_starts", self._exact_starts)[starts]).tolist():
            if (keys[i], keys[i] + length) in exact:
                shown[i] = False
        if self.rejected:
            refused = [s for s, e, name in self.rejected if name == label and e - s == length]
            if refused:
                shown &= ~np.isin(starts, refused)
        windows = starts[:, None] + np.arange(length)
        mask = self._taken.get(label)
        if mask is not None:
            shown &= ~self._array(f"taken {label}", mask)[windows].any(axis=1)
        used = self._array("used", self._used)
        busy = used[windows].any(axis=1)
        free = shown & ~busy
        won = starts[free]
        used[windows[free]] = 1
        self._array("kept_starts", self._kept_starts)[won] = 1
        grouped = free & mine
        self._array("in_group", self._in_group)[starts[grouped]] = 1
        self._group_kept += int(grouped.sum())
        for i in np.flatnonzero(free & ~mine).tolist():
            self._kept[keys[i]] = batch[i]
        # Overlapping a kept suggestion: the block is worked out again if it wins there.
        kept_at = self._kept_at
        for i in np.flatnonzero(shown & busy).tolist():
            candidate, start = batch[i], keys[i]
            if all(kept_at(s) > candidate for s in self._kept_starting(start, start + length)):
                self._dirty.append((start, start + length))
        self._note_run(won, length)
        return True

    def _remove_batch(self, places: _Batch) -> bool:
        """`remove_candidates` for places added as a group (see `_add_batch`), as array
        operations; False (nothing done) if they are not a group here."""
        gid = self._group_id(places)
        if not gid:
            return False
        np = load_numpy()
        group = self._groups[gid]
        assert group is not None
        starts, batch, keys, length = group.starts, group.ordered, group.keys, group.length
        group_of = self._array("group_of", self._group_of)
        member = group_of[starts] == gid
        places_left = starts[member]
        group_of[places_left] = 0
        # Where no other candidate starts, nothing starts any more.
        cand_view = self._array("cand_starts", self._cand_starts)
        reaches = self._array("cand_ends", self._cand_ends)
        alone = self._array("dict_starts", self._dict_starts)[places_left] == 0
        cand_view[places_left[alone]] = 0
        reaches[places_left[alone]] = 0
        for position in places_left[~alone].tolist():
            self._recount_start(position)
        # Places another group had taken went to `_cands`: out of there one by one.
        others = [batch[i] for i in np.flatnonzero(~member).tolist()]
        others = [candidate for candidate in others if self._forget(candidate)]
        # The group's kept suggestions go; so do those `_settle` put in `_kept` since.
        in_group = self._array("in_group", self._in_group)
        flagged = in_group[places_left] != 0
        out = places_left[flagged]
        in_group[out] = 0
        self._group_kept -= len(out)
        self._unregister(gid)
        kept = self._kept
        loose = [
            batch[bisect_left(keys, position)]
            for position in places_left[~flagged].tolist()
            if self._kept_starts[position]
        ]
        loose = [c for c in [*loose, *others] if kept.get(c[3]) == c]
        for candidate in loose:
            del kept[candidate[3]]
        if loose:
            out = np.concatenate([out, np.array([c[3] for c in loose], dtype=out.dtype)])
            out.sort()
        self._array("used", self._used)[out[:, None] + np.arange(length)] = 0
        self._array("kept_starts", self._kept_starts)[out] = 0
        # What they held back may come in now: any candidate overlapping one of them, which
        # starts inside it or starts before it and reaches into it.
        out_keys = out.tolist()
        reach = self._max_len - 1
        if out.size:
            before = out[:, None] + np.arange(-reach, 0)
            np.clip(before, 0, None, out=before)
            held = (reaches[before] > out[:, None]).any(axis=1)
            held |= cand_view[out[:, None] + np.arange(length)].any(axis=1)
            for i in np.flatnonzero(held).tolist():
                start = out_keys[i]
                self._dirty.append((start, start + length))
        self._note_run(out, length)
        return True

    def _note(self, start: int, end: int) -> None:
        self._note_all([(start, end)])

    def _note_all(self, stretches: list[tuple[int, int]]) -> None:
        if not stretches:
            return
        self._list = None
        changed = self._changed
        if changed is not None:
            changed.add(stretches)
            if len(changed) > _CHANGED_CAP:
                self._changed = None

    def _note_run(self, starts: Any, length: int) -> None:
        """One text's places changed: `starts` (sorted, an array), each `length` long."""
        if not len(starts):
            return
        self._list = None
        changed = self._changed
        if changed is not None:
            changed.add_run(starts, length)
            if len(changed) > _CHANGED_CAP:
                self._changed = None

    def _ready_for_edits(self) -> None:
        """Fill in `_cand_ends` and `_dict_starts` from `_cands` (no group exists yet)."""
        dict_starts, cand_ends = self._dict_starts, self._cand_ends
        for start, here in self._cands.items():
            dict_starts[start] = 1
            cand_ends[start] = max(candidate[4] for candidate in here)
        self._edits_ready = True

    def _member(self, position: int) -> Candidate:
        """The candidate of the group that has one starting at `position`."""
        batch = self._groups[self._group_of[position]]
        assert batch is not None
        return batch.ordered[bisect_left(batch.keys, position)]

    def _cands_at(self, position: int) -> tuple[Candidate, ...]:
        """Every candidate starting at `position`: `_cands`'s and a group's."""
        found = self._cands.get(position, ())
        return (*found, self._member(position)) if self._group_of[position] else found

    def _kept_at(self, position: int) -> Candidate | None:
        """The kept suggestion starting at `position` (in `_kept` or a group's), or None."""
        return self._member(position) if self._in_group[position] else self._kept.get(position)

    def _drop_kept(self, position: int) -> Candidate:
        """Forget the kept suggestion starting at `position` (but not what it marks)."""
        if self._in_group[position]:
            self._in_group[position] = 0
            self._group_kept -= 1
            return self._member(position)
        return self._kept.pop(position)

    def _forget(self, candidate: Candidate) -> bool:
        """Take one candidate out of `_cands` or its group; False if it is in neither."""
        start = candidate[3]
        found = self._cands.get(start)
        if found is not None and candidate in found:
            rest = list(found)
            rest.remove(candidate)
            if rest:
                self._cands[start] = tuple(rest)
            else:
                del self._cands[start]
                self._dict_starts[start] = 0
        elif self._group_of[start] and self._member(start) == candidate:
            if self._in_group[start]:  # shown: `_kept` holds it from now on
                self._kept[start] = candidate
                self._in_group[start] = 0
                self._group_kept -= 1
            self._group_of[start] = 0
        else:
            return False
        self._recount_start(start)
        return True

    def _recount_start(self, position: int) -> None:
        """`_cand_starts` and `_cand_ends` at `position` again, from `_cands` and the groups."""
        here = self._cands_at(position)
        self._cand_starts[position] = 1 if here else 0
        self._cand_ends[position] = max((candidate[4] for candidate in here), default=0)

    def _candidates_overlapping(self, start: int, end: int) -> list[Candidate]:
        found: list[Candidate] = []
        starts = self._cand_starts
        position = starts.find(1, max(0, start - self._max_len + 1), end)
        while position != -1:
            for candidate in self._cands_at(position):
                if candidate[4] > start:
                    found.append(candidate)
            position = starts.find(1, position + 1, end)
        return found

    def _kept_starting(self, start: int, end: int) -> list[int]:
        """Starts of the kept suggestions overlapping [start, end)."""
        found = []
        starts, kept_at = self._kept_starts, self._kept_at
        position = starts.find(1, max(0, start - self._max_len + 1), end)
        while position != -1:
            if kept_at(position)[4] > start:
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
        candidate = self._drop_kept(start)
        self._used[start : candidate[4]] = bytes(candidate[4] - start)
        self._kept_starts[start] = 0
        self._objects.pop(start, None)

    def _mark_span(self, span: Span, delta: int) -> None:
        if span.stale:
            return
        start, end = span.start, span.end
        key = (start, end)
        before = self._exact.get(key, 0)
        count = before + delta
        if count > 0:
            self._exact[key] = count
        else:
            self._exact.pop(key, None)
        if (before > 0) != (count > 0) and 0 <= start < len(self._exact_starts):
            # A key came or went at `start`: count the keys starting there, flag if any.
            keys = self._exact_keys_at.get(start, 0) + (1 if count > 0 else -1)
            if keys > 0:
                self._exact_keys_at[start] = keys
            else:
                self._exact_keys_at.pop(start, None)
            self._exact_starts[start] = keys > 0
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
        before = {s: self._kept_at(s) for s in self._kept_starting(low, high)}
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


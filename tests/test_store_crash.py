"""kill -9 at random moments never loses a change that returned, nor leaves a store that won't open.

A child process (tests/store_child.py) changes the store in a loop, printing `saved N ...` after
each call returns; the parent SIGKILLs it at random moments (during start-up, while it opens and
compacts, while it changes spans, while it closes), then opens the store and checks it holds
exactly the changes the child reported saved, plus at most the one change in flight.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from annotations.spans import Span
from annotations.store import Store, backup_path, journal_path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_child import ANNOTATORS, ARTICLES, LABELS  # noqa: E402

CHILD = Path(__file__).with_name("store_child.py")
ROUNDS = 30
#: Stop early (after at least MIN_ROUNDS) when a loaded machine makes the rounds slow.
BUDGET_SECONDS = 17.0
MIN_ROUNDS = 15
META_KEYS = tuple(f"k{i}" for i in range(5))


@dataclass
class Model:
    """What the store must hold: every change the child reported saved."""

    spans: dict[tuple, dict] = field(default_factory=dict)
    done: dict[str, bool] = field(default_factory=dict)
    rejections: set[tuple] = field(default_factory=set)
    meta: dict[str, object] = field(default_factory=dict)

    def copy(self) -> Model:
        return Model(dict(self.spans), dict(self.done), set(self.rejections), dict(self.meta))

    def apply(self, change: dict) -> None:
        for doc in change.get("remove", ()):
            self.spans.pop(Span.from_dict(doc).key, None)
        for doc in change.get("add", ()):
            self.spans[Span.from_dict(doc).key] = doc
        if "done" in change:
            article_id, done = change["done"]
            self.done[article_id] = done
        if "reject" in change:
            self.rejections.add(tuple(change["reject"]))
        if "meta" in change:
            key, value = change["meta"]
            self.meta[key] = value


def state_of(store: Store) -> Model:
    spans = {span.key: span.to_dict() for span in store.all_spans()}
    done = {a: True for a in ARTICLES if store.is_done(a)}
    rejections = {(a, *item) for a in ARTICLES for item in store.rejections(a)}
    meta = {k: store.get_meta(k) for k in META_KEYS if store.get_meta(k) is not None}
    return Model(spans, done, rejections, meta)


def normalised(model: Model) -> Model:
    return Model(
        model.spans, {a: d for a, d in model.done.items() if d}, model.rejections, model.meta
    )


def seed_store(path: Path) -> Model:
    """A few thousand spans, so that opening (which compacts) takes long enough to be hit."""
    model = Model()
    with Store.open(path) as store:
        for number, article_id in enumerate(ARTICLES):
            spans = [
                Span(
                    article_id,
                    j * 7,
                    j * 7 + 5,
                    LABELS[j % 3],
                    "seed" + "é",
                    ANNOTATORS[j % 2],
                    "import",
                    "2024-01-01T00:00:00.000Z",
                    "2024-01-01T00:00:00.000Z",
                )
                for j in range(150)
            ]
            change = store.apply(add=spans)
            model.apply({"add": [s.to_dict() for s in change.added]})
            store.set_done(article_id, number % 2 == 0)
            model.done[article_id] = number % 2 == 0
    return model


def check_files(path: Path) -> None:
    """Whatever the moment of the kill, the snapshot and .bak are whole JSON and the journal
    has at most one torn line, at its end, never followed by a newline."""
    assert path.exists(), "the snapshot vanished"
    data = json.loads(path.read_bytes())
    assert isinstance(data, dict) and "spans" in data
    bak = backup_path(path)
    if bak.exists():
        assert isinstance(json.loads(bak.read_bytes()), dict)
    journal = journal_path(path)
    if journal.exists():
        raw = journal.read_bytes()
        lines = raw.split(b"\n")
        for line in lines[:-1]:
            record = json.loads(line)  # every line that ends in a newline is a whole record
            assert isinstance(record["seq"], int)
        # lines[-1] is what follows the last newline: empty, or a torn append never reported


def check_well_formed(store: Store) -> None:
    for span in store.all_spans():
        assert isinstance(span.start, int) and isinstance(span.end, int)
        assert 0 <= span.start < span.end
        assert len(span.text) == span.end - span.start or span.text == "seedé"
        assert span.label in LABELS and span.annotator in ANNOTATORS
        assert span.article_id in ARTICLES


@dataclass
class Round:
    saved: list[tuple[int, dict]]
    doing: dict[int, dict]
    phase: str
    open_seconds: float | None


def parse_output(text: str) -> Round:
    saved: list[tuple[int, dict]] = []
    doing: dict[int, dict] = {}
    phase = "start-up"
    open_seconds = None
    lines = text.split("\n")
    for line in lines[:-1]:  # the part after the last newline may be torn: ignore it
        word, _, rest = line.partition(" ")
        if word == "doing":
            number, _, payload = rest.partition(" ")
            doing[int(number)] = json.loads(payload)
            phase = "change"
        elif word == "saved":
            number, _, payload = rest.partition(" ")
            saved.append((int(number), json.loads(payload)))
            phase = "between changes"
        elif word == "opening":
            phase = "open"
        elif word == "opened":
            open_seconds = float(rest.split()[0])
            phase = "between changes"
        elif word == "closing":
            phase = "close"
        elif word == "closed":
            phase = "between close and open"
        else:
            raise AssertionError(f"unexpected child output {line!r}")
    return Round(saved, doing, phase, open_seconds)


def same_change(a: dict, b: dict) -> bool:
    def canon(change: dict) -> tuple:
        return tuple(
            sorted(json.dumps(doc, sort_keys=True) for doc in change.get(kind, ()))
            for kind in ("add", "remove")
        )

    return canon(a) == canon(b)


def wait_for(out: Path, needle: str, process: subprocess.Popen, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if needle in out.read_text(encoding="utf-8", errors="replace"):
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.0005)
    return False


@pytest.mark.slow
def test_kill_9_at_random_moments_never_loses_a_saved_change(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    model = seed_store(path)
    rng = random.Random(20240601)
    phases: Counter[str] = Counter()
    open_seconds = 0.05
    saved_total = 0
    in_flight_landed = 0
    started = time.monotonic()
    rounds = 0
    for number in range(ROUNDS):
        if number >= MIN_ROUNDS and time.monotonic() - started > BUDGET_SECONDS:
            break
        rounds += 1
        out = tmp_path / f"child-{number}.out"
        err = tmp_path / f"child-{number}.err"
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            child = subprocess.Popen(
                [
                    sys.executable,
                    str(CHILD),
                    str(path),
                    "--seed",
                    str(number),
                    "--compact-every",
                    "40",
                ],
                stdout=stdout,
                stderr=stderr,
            )
        deadline = time.monotonic() + 10
        strategy = number % 3
        if strategy == 0:  # land inside Store.open: lock, load, compaction, .bak refresh
            assert wait_for(out, "opening", child, deadline), err.read_text()
            time.sleep(rng.uniform(0, open_seconds * 1.2))
        elif strategy == 1 and number % 2:  # anywhere in start-up
            time.sleep(rng.uniform(0, 0.2))
        else:  # while changing, compacting every 40 records, closing and reopening
            assert wait_for(out, "opened", child, deadline), err.read_text()
            time.sleep(rng.uniform(0, 0.25))
        assert child.poll() is None, f"the child died on its own: {err.read_text()}"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()

        result = parse_output(out.read_text(encoding="utf-8"))
        phases[result.phase] += 1
        if result.open_seconds:
            open_seconds = result.open_seconds
        saved_numbers = set()
        for change_number, change in result.saved:
            expected = result.doing[change_number]
            assert same_change(change, expected), (change_number, change, expected)
            model.apply(change)
            saved_numbers.add(change_number)
        saved_total += len(result.saved)
        in_flight = [n for n in result.doing if n not in saved_numbers]
        assert len(in_flight) <= 1

        check_files(path)
        with Store.open(path, read_only=True) as store:
            state = normalised(state_of(store))
            check_well_formed(store)
        if state != normalised(model):
            assert in_flight, f"round {number}: the store differs from what was saved"
            landed = model.copy()
            landed.apply(result.doing[in_flight[0]])
            assert state == normalised(landed), (
                f"round {number} (killed during {result.phase}): the store holds neither the "
                f"saved changes nor the saved changes plus the one in flight"
            )
            model = landed
            in_flight_landed += 1
        if number % 4 == 3:  # a writer can open (the dead child's lock is gone) and compacts
            with Store.open(path) as store:
                assert normalised(state_of(store)) == state
            with Store.open(path, read_only=True) as store:
                assert normalised(state_of(store)) == state

    elapsed = time.monotonic() - started
    print(
        f"\n{rounds} kills in {elapsed:.1f} s; {saved_total} changes saved; "
        f"{in_flight_landed} in-flight changes landed; killed during: {dict(phases)}"
    )
    assert phases["open"] >= 1, f"no kill landed inside Store.open: {dict(phases)}"
    assert saved_total > 0
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    print(f"temp files left by kills: {leftovers}")
    with Store.open(path) as store:
        assert normalised(state_of(store)) == normalised(model)


@pytest.mark.slow
def test_read_only_open_while_the_writer_compacts_sees_every_returned_change(
    tmp_path: Path,
) -> None:
    """A viewer that opens read-only while the writer folds its journal into the snapshot must
    still see every change that had returned before it started opening."""
    path = tmp_path / "annotations.json"
    with Store.open(path) as store:
        store.apply(
            add=[
                Span("w", 10**7 + i * 10, 10**7 + i * 10 + 5, "actor", "seed!", "ann")
                for i in range(200)
            ]
        )
    out = tmp_path / "writer.out"
    with open(out, "wb") as stdout:
        writer = subprocess.Popen(
            [sys.executable, str(CHILD), str(path), "--mode", "append", "--compact-every", "3"],
            stdout=stdout,
            stderr=subprocess.DEVNULL,
        )
    try:
        assert wait_for(out, "opened", writer, time.monotonic() + 10)
        reads, misses = 0, []
        finish = time.monotonic() + 2.5
        while time.monotonic() < finish:
            returned = out.read_text().count("saved ")
            with Store.open(path, read_only=True) as store:
                seen = store.span_count() - 200
            reads += 1
            if seen < returned:
                misses.append((returned, seen))
        assert writer.poll() is None
    finally:
        writer.kill()
        writer.wait()
    assert not misses, (
        f"{len(misses)} of {reads} read-only opens missed changes that had returned "
        f"(returned, seen): {misses[:5]}"
    )

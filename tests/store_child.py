"""A child process for the store's crash and lock tests: `python tests/store_child.py STORE`.

Modes (`--mode`):

- `loop` (default): open the store, make random changes, close, reopen, ... forever, until
  killed. Before each change it prints `doing N {json}` (what it is about to do and the change it
  expects), and after the call returns, `saved N {json}` (the change the store reported). The
  parent kills it with SIGKILL at random moments and checks that every `saved` change is in the
  store. Lines `opening`, `opened SECONDS SPANS`, `closing`, `closed` mark where it was.
- `hold`: open the store (adding `--count` spans first), print `locked PID`, then wait until
  stdin closes, close the store and exit; or be killed.
- `crash`: open, add `--count` spans (printing `saved`), then exit with `os._exit` without
  closing, as a crash would: the journal is left as it was.
- `append`: open, print `opened`, then add spans at fresh offsets forever, printing `saved N`
  after each add returns (for the read-only-while-writing test); `--compact-every` folds the
  journal often.
- `short-write`: open, add one span, make the next journal append fail half-way (RLIMIT_FSIZE,
  as a full disk would), then add another span and exit without closing. Prints `saved` for
  each add that returned and `failed ...` for the one that raised.

Every line is flushed as soon as it is printed, so a kill loses none of them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotations.spans import Span, conflicts  # noqa: E402
from annotations.store import Store, StoreError, journal_path  # noqa: E402

LABELS = ("actor", "venue", "event")
ANNOTATORS = ("ann", "bob")
ARTICLES = tuple(f"a{i}" for i in range(8))
ALPHABET = "abcdefghijklmnopqrstuvwxyzé€😀 "


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def span_json(span: Span) -> dict:
    return span.to_dict()


def random_span(rng: random.Random, article_id: str | None = None) -> Span:
    start = rng.randrange(0, 3000)
    end = start + rng.randrange(1, 25)
    text = "".join(rng.choice(ALPHABET) for _ in range(end - start))
    stamp = f"2024-01-01T00:00:{rng.randrange(60):02d}.000Z"
    return Span(
        article_id or rng.choice(ARTICLES),
        start,
        end,
        rng.choice(LABELS),
        text,
        rng.choice(ANNOTATORS),
        rng.choice(("manual", "pattern")),
        stamp,
        stamp,
    )


def expected_apply(store: Store, add: list[Span], remove: list[Span]) -> dict:
    """What `apply` should do, worked out independently of the store's own bookkeeping."""
    current = {s.key: s for s in store.all_spans()}
    removed: dict[tuple, Span] = {}
    for span in remove:
        if span.key in current:
            removed[span.key] = current[span.key]
    added: dict[tuple, Span] = {}
    for span in add:
        stored = current.get(span.key)
        if stored is not None and span.key not in removed:
            if stored == span:
                continue
            removed[span.key] = stored
        pending = [s for k, s in current.items() if k not in removed] + list(added.values())
        for clash in conflicts(span, [s for s in pending if s.article_id == span.article_id]):
            if clash.key in added:
                del added[clash.key]
            else:
                removed[clash.key] = clash
        added[span.key] = span
    return {
        "add": [span_json(s) for s in added.values()],
        "remove": [span_json(s) for s in removed.values()],
    }


def change_json(change) -> dict:
    return {
        "add": [span_json(s) for s in change.added],
        "remove": [span_json(s) for s in change.removed],
    }


def one_change(store: Store, rng: random.Random, number: int) -> None:
    """Make one random change, printing `doing` before and `saved` after it returns."""
    roll = rng.random()
    existing = store.all_spans()
    if roll < 0.45 or not existing:
        span = random_span(rng)
        if any(s.key == span.key for s in existing):
            expected = {"add": [], "remove": []}  # `add` of a stored key changes nothing
        else:
            expected = expected_apply(store, [span], [])
        emit(f"doing {number} " + json.dumps(expected))
        change = store.add(span)
    elif roll < 0.60:
        span = rng.choice(existing)
        emit(f"doing {number} " + json.dumps(expected_apply(store, [], [span])))
        change = store.remove(span)
    elif roll < 0.70:
        old = rng.choice(existing)
        new = Span.from_dict({**old.to_dict(), "label": rng.choice(LABELS), "updated": "x"})
        emit(f"doing {number} " + json.dumps(expected_apply(store, [new], [old])))
        change = store.apply(add=[new], remove=[old])
    elif roll < 0.80:
        article_id = rng.choice(ARTICLES)
        add = [random_span(rng, article_id) for _ in range(rng.randrange(1, 6))]
        remove = rng.sample(existing, min(len(existing), rng.randrange(0, 3)))
        emit(f"doing {number} " + json.dumps(expected_apply(store, add, remove)))
        change = store.apply(add=add, remove=remove)
    elif roll < 0.87:
        article_id, done = rng.choice(ARTICLES), rng.random() < 0.5
        emit(f"doing {number} " + json.dumps({"done": [article_id, done]}))
        store.set_done(article_id, done)
        emit(f"saved {number} " + json.dumps({"done": [article_id, done]}))
        return
    elif roll < 0.94:
        span = random_span(rng)
        item = [span.article_id, span.start, span.end, span.label]
        emit(f"doing {number} " + json.dumps({"reject": item}))
        store.reject(*item)
        emit(f"saved {number} " + json.dumps({"reject": item}))
        return
    else:
        item = [f"k{rng.randrange(5)}", {"n": number, "s": "ü😀"}]
        emit(f"doing {number} " + json.dumps({"meta": item}))
        store.set_meta(*item)
        emit(f"saved {number} " + json.dumps({"meta": item}))
        return
    emit(f"saved {number} " + json.dumps(change_json(change)))


def loop(path: Path, seed: int, compact_every: int) -> None:
    rng = random.Random(seed)
    Store.COMPACT_EVERY = compact_every
    number = 0
    while True:
        emit("opening")
        started = time.perf_counter()
        store = Store.open(path)
        emit(f"opened {time.perf_counter() - started:.4f} {store.span_count()}")
        for _ in range(rng.randrange(10, 80)):
            number += 1
            one_change(store, rng, number)
        emit("closing")
        store.close()
        emit("closed")


def hold(path: Path, count: int) -> None:
    store = Store.open(path)
    rng = random.Random(1)
    for _ in range(count):
        store.add(random_span(rng))
    emit(f"locked {os.getpid()}")
    sys.stdin.read()
    store.close()
    emit("released")


def crash(path: Path, count: int, seed: int) -> None:
    store = Store.open(path)
    rng = random.Random(seed)
    for number in range(1, count + 1):
        change = store.add(random_span(rng))
        emit(f"saved {number} " + json.dumps(change_json(change)))
    os._exit(0)


def append(path: Path, compact_every: int) -> None:
    Store.COMPACT_EVERY = compact_every
    store = Store.open(path)
    emit("opened")
    number = 0
    while True:
        number += 1
        store.add(Span("w", number * 10, number * 10 + 5, "actor", "words", "ann"))
        emit(f"saved {number}")


def short_write(path: Path, count: int) -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    store = Store.open(path)
    first = Span("a1", 0, 5, "actor", "Putin", "ann")
    emit("saved 1 " + json.dumps(change_json(store.add(first))))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    size = journal_path(store.path).stat().st_size
    resource.setrlimit(resource.RLIMIT_FSIZE, (size + 40, hard))  # room for 40 bytes only
    try:
        store.add(Span("a1", 10, 15, "actor", "Biden", "ann"))
        outcome = "unexpected: the add that could not be written returned"
    except (StoreError, OSError) as error:
        outcome = f"failed 2 {type(error).__name__}: {error}"
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # stdout may be a file too
    emit(outcome)
    for number in range(3, count + 3):
        span = Span("a1", 20 * number, 20 * number + 6, "venue", "Geneva", "ann")
        emit(f"saved {number} " + json.dumps(change_json(store.add(span))))
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("store", type=Path)
    parser.add_argument(
        "--mode", default="loop", choices=("loop", "hold", "crash", "append", "short-write")
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--compact-every", type=int, default=Store.COMPACT_EVERY)
    args = parser.parse_args()
    if args.mode == "loop":
        loop(args.store, args.seed, args.compact_every)
    elif args.mode == "hold":
        hold(args.store, args.count)
    elif args.mode == "crash":
        crash(args.store, args.count, args.seed)
    elif args.mode == "append":
        append(args.store, args.compact_every)
    else:
        short_write(args.store, max(args.count, 1))


if __name__ == "__main__":
    main()

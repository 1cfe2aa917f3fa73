"""The store: what one keypress costs as the store grows (`python -m benchmarks store`).

Stores of 100, 10,000 and 100,000 spans spread over 1,000 articles, then one article holding
5,000 spans inside the 100,000-span store. Times per `add` are in ms: median (p95, max) of 200.

The bar (from the issue): adding one span is durable before the next key, so its cost must not
grow with the store: under 5 ms median with 100,000 spans across 1,000 articles, and under
10 ms in an article already holding 5,000 spans. Ratios (100k / 100) are measured in one run,
since absolute times on a shared machine are noisy. Each `add` includes its fsync.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from annotations.spans import Span
from annotations.store import Store

ARTICLES = 1_000
SIZES = (100, 10_000, 100_000)
BIG_ARTICLE = 5_000
ADDS = 200
LABELS = ("actor", "demand", "venue", "date", "event")
STAMP = "2024-01-01T00:00:00.000Z"

Row = tuple[str, str, str]


def make_span(article_id: str, start: int, label: str, annotator: str = "ann") -> Span:
    return Span(article_id, start, start + 6, label, "abcdef", annotator, "manual", STAMP, STAMP)


def article_name(number: int) -> str:
    return f"art{number:04d}"


def seed(path: Path, total: int, articles: int = ARTICLES) -> None:
    """`total` spans spread round-robin over `articles` articles: one `apply` per article."""
    per_article: dict[str, list[Span]] = {}
    for number in range(total):
        article_id = article_name(number % articles)
        j = number // articles
        per_article.setdefault(article_id, []).append(
            make_span(article_id, j * 10, LABELS[j % len(LABELS)])
        )
    with Store.open(path) as store:
        for spans in per_article.values():
            store.apply(add=spans)


def seed_big_article(path: Path, article_id: str, count: int) -> float:
    """One article holding `count` spans; returns the seconds the one `apply` took."""
    spans = [make_span(article_id, j * 10, LABELS[j % len(LABELS)]) for j in range(count)]
    with Store.open(path) as store:
        started = time.perf_counter()
        store.apply(add=spans)
        return time.perf_counter() - started


def time_calls(calls: list[Callable[[], object]]) -> tuple[list[float], list[float]]:
    """Milliseconds per call: wall clock (what the user waits) and CPU. The CPU time leaves out
    the fsync wait, which on a busy shared disk swings from 0.3 to 10 ms and hides the store's
    own cost; the fsync floor is measured beside it."""
    wall, cpu = [], []
    for call in calls:
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return wall, cpu


def time_fsync(folder: Path, count: int = ADDS) -> list[float]:
    """The floor: milliseconds to append one 300-byte line and fsync it, in the same folder."""
    path = folder / "fsync-floor"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        line = b"x" * 299 + b"\n"
        return time_calls([lambda: (os.write(fd, line), os.fsync(fd)) for _ in range(count)])[0]
    finally:
        os.close(fd)
        path.unlink()


def time_open(path: Path, repeats: int = 2) -> tuple[float, float]:
    """Median seconds to open for writing (load, compact, .bak) and to close after a change."""
    opens, closes = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        store = Store.open(path)
        opened = time.perf_counter()
        store.add(make_span(article_name(0), 9_000_000 + len(opens) * 10, "actor"))
        before_close = time.perf_counter()
        store.close()
        opens.append(opened - started)
        closes.append(time.perf_counter() - before_close)
    return statistics.median(opens), statistics.median(closes)


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"{statistics.median(ordered):.2f} (p95 {p95:.2f}, max {ordered[-1]:.1f})"


def adds_across_articles(store: Store, rng: random.Random) -> list[Callable[[], object]]:
    """Single adds on random articles, at fresh offsets (nothing replaced)."""
    calls = []
    for k in range(ADDS):
        article_id = article_name(rng.randrange(ARTICLES))
        span = make_span(article_id, 1_000_000 + k * 10, rng.choice(LABELS))
        calls.append(lambda span=span: store.add(span))
    return calls


def run() -> list[Row]:
    rows: list[Row] = []
    rng = random.Random(7)
    folder = Path(tempfile.mkdtemp(prefix="spantag-bench-store-"))
    wall: dict[int, float] = {}
    cpu: dict[int, float] = {}
    try:
        for total in SIZES:
            path = folder / f"store-{total}.json"
            started = time.perf_counter()
            seed(path, total)
            seed_seconds = time.perf_counter() - started
            open_seconds, close_seconds = time_open(path)
            size_mb = path.stat().st_size / 1e6
            label = f"{total:,} spans"  # across ARTICLES articles
            floor = time_fsync(folder)
            with Store.open(path) as store:
                times, cpu_times = time_calls(adds_across_articles(store, rng))
            wall[total] = statistics.median(times)
            cpu[total] = statistics.median(cpu_times)
            rows.append((label, "add one span (ms)", summary(times)))
            rows.append((label, "add one span, CPU (ms)", summary(cpu_times)))
            rows.append((label, "bare append+fsync (ms)", summary(floor)))
            rows.append((label, "open for writing (s)", f"{open_seconds:.3f}"))
            rows.append((label, "close after a change (s)", f"{close_seconds:.3f}"))
            rows.append((label, "seed: 1 apply/article (s)", f"{seed_seconds:.2f}"))
            rows.append((label, "snapshot size (MB)", f"{size_mb:.1f}"))
            if total == SIZES[-1]:
                started = time.perf_counter()
                with Store.open(path, read_only=True):
                    seconds = time.perf_counter() - started
                rows.append((label, "open read-only (s)", f"{seconds:.3f}"))
        big, small = SIZES[-1], SIZES[0]
        rows.append(("ratio", f"add {big:,} / {small:,}", f"{wall[big] / wall[small]:.2f}x"))
        rows.append(("ratio", f"add CPU {big:,} / {small:,}", f"{cpu[big] / cpu[small]:.2f}x"))
        rows += big_article(folder, rng)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def big_article(folder: Path, rng: random.Random) -> list[Row]:
    """An article already holding 5,000 spans, inside the 100,000-span store."""
    rows: list[Row] = []
    path = folder / f"store-{SIZES[-1]}.json"
    big = "big-article"
    label = f"{BIG_ARTICLE:,}-span article"  # inside the 100,000-span store
    apply_seconds = seed_big_article(path, big, BIG_ARTICLE)
    rows.append((label, f"seed: apply {BIG_ARTICLE:,} at once (s)", f"{apply_seconds:.2f}"))
    with Store.open(path) as store:
        fresh = [make_span(big, 2_000_000 + k * 10, rng.choice(LABELS)) for k in range(ADDS)]
        times, cpu_times = time_calls([lambda span=span: store.add(span) for span in fresh])
        rows.append((label, "add one span (ms)", summary(times)))
        rows.append((label, "add one span, CPU (ms)", summary(cpu_times)))
        # Re-tagging: a span over an existing one of the same label replaces it.
        picks = rng.sample(store.spans(big), ADDS)
        retags = [make_span(big, s.start + 2, s.label) for s in picks]
        times, cpu_times = time_calls([lambda span=span: store.add(span) for span in retags])
        rows.append((label, "add replacing a span (ms)", summary(times)))
        rows.append((label, "add replacing, CPU (ms)", summary(cpu_times)))
        # What the reader does after each key: add, then list the article's spans again.
        more = [make_span(big, 3_000_000 + k * 10, rng.choice(LABELS)) for k in range(ADDS)]
        times, cpu_times = time_calls(
            [lambda span=span: (store.add(span), store.spans(big)) for span in more]
        )
        rows.append((label, "add + spans(article) (ms)", summary(times)))
        rows.append((label, "add + spans(article), CPU (ms)", summary(cpu_times)))
    return rows


if __name__ == "__main__":
    for row in run():
        print(*row, sep="\t")

"""Regressions of the store fixes (review findings D2, D5, D6, D7), on real files under tmp_path.

- D2: spans of an article the store has no hash record for (a merged store) are re-anchored
  when its text changed, not left at offsets of another text;
- D5: a read-only store re-anchors in memory (what is shown or exported is where the spans are
  now) and writes nothing;
- D6: a stored span of the wrong types is a one-line `StoreCorrupt` naming the file, whether
  opened read-only or for writing, and nothing is written;
- D7: a journal write the disk refuses (RLIMIT_FSIZE in a child process) is a one-line
  `StoreError` "cannot save", not a bare OSError, and the store goes on working.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotations.articles import Article, article_from_text
from annotations.spans import Span
from annotations.store import (
    ReadOnlyError,
    Store,
    StoreCorrupt,
    journal_path,
)

ROOT = Path(__file__).resolve().parents[1]
OLD = (
    "Deputy Foreign Minister Sergei Ryabkov met Karen Donfried in Geneva. "
    "Ryabkov said the talks were useful.\n"
)
#: OLD with a paragraph in front (every offset moves) and Donfried's name gone.
NEW = "MOSCOW (Reuters) -\n" + OLD.replace("Karen Donfried", "a US envoy")


def article(text: str) -> Article:
    return article_from_text(text, id="a1", source="a1.txt")


def span(phrase: str, label: str = "actor", text: str = OLD, annotator: str = "alice") -> Span:
    start = text.index(phrase)
    return Span("a1", start, start + len(phrase), label, phrase, annotator)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def where(spans: list[Span]) -> list[tuple[str, int, bool]]:
    return [(s.text, s.start, s.stale) for s in spans]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "annotations.json"


def annotate(path: Path, record_hash: bool = True) -> None:
    """Ryabkov (first) and Karen Donfried, as annotated on OLD; with OLD's hash recorded, or
    (`record_hash=False`) none, as a merged store written by an older spantag has."""
    with Store.open(path) as store:
        if record_hash:
            store.sync_articles([article(OLD)])
        store.apply(add=[span("Ryabkov"), span("Karen Donfried")])


# -- D5: read-only stores re-anchor in memory only -----------------------------------------


def test_read_only_sync_shows_moved_spans_and_writes_nothing(path: Path) -> None:
    annotate(path)
    Store.open(path).close()  # a second open: the .bak exists too
    before = files(path.parent)
    with Store.open(path, read_only=True) as store:
        reports = store.sync_articles([article(NEW)])
        (report,) = reports
        assert [(old.start, new.start) for old, new in report.moved] == [
            (OLD.index("Ryabkov"), NEW.index("Ryabkov"))
        ]
        assert [s.text for s in report.stale] == ["Karen Donfried"]
        spans = store.spans("a1")
        # Moved where the text now is; the lost one kept where it was, marked stale.
        assert where(spans) == [
            ("Karen Donfried", OLD.index("Karen Donfried"), True),
            ("Ryabkov", NEW.index("Ryabkov"), False),
        ]
        assert NEW[spans[1].start : spans[1].end] == "Ryabkov"
        assert store.article_hash("a1") == article(NEW).sha256  # in memory
        with pytest.raises(ReadOnlyError):
            store.add(span("Geneva", "venue", NEW))
    assert files(path.parent) == before
    # Nothing was saved: the next reader sees the spans as stored, and the old hash.
    with Store.open(path, read_only=True) as store:
        assert where(store.spans("a1")) == [
            ("Ryabkov", OLD.index("Ryabkov"), False),
            ("Karen Donfried", OLD.index("Karen Donfried"), False),
        ]
        assert store.article_hash("a1") == article(OLD).sha256


def test_read_only_sync_of_an_unchanged_article_changes_nothing(path: Path) -> None:
    annotate(path)
    before = files(path.parent)
    with Store.open(path, read_only=True) as store:
        spans = store.all_spans()
        assert store.sync_articles([article(OLD)]) == []
        assert store.all_spans() == spans
    assert files(path.parent) == before


# -- D2: no hash record (a merged store) ---------------------------------------------------


@pytest.mark.parametrize("read_only", [False, True])
def test_spans_without_a_hash_record_are_re_anchored(path: Path, read_only: bool) -> None:
    annotate(path, record_hash=False)
    with Store.open(path, read_only=True) as store:
        assert store.article_hash("a1") is None
    with Store.open(path, read_only=read_only) as store:
        (report,) = store.sync_articles([article(NEW)])
        assert len(report.moved) == 1 and len(report.stale) == 1
        assert any("not found, marked stale" in line for line in report.lines())
        for stored in store.spans("a1"):
            assert stored.stale or NEW[stored.start : stored.end] == stored.text
    with Store.open(path, read_only=True) as store:
        if read_only:
            assert store.article_hash("a1") is None  # nothing saved
        else:
            assert store.article_hash("a1") == article(NEW).sha256
            assert where(store.spans("a1")) == [
                ("Karen Donfried", OLD.index("Karen Donfried"), True),
                ("Ryabkov", NEW.index("Ryabkov"), False),
            ]


def test_no_hash_record_and_the_same_text_keeps_every_span(path: Path) -> None:
    annotate(path, record_hash=False)
    with Store.open(path) as store:
        spans = store.all_spans()
        assert store.sync_articles([article(OLD)]) == []
        assert store.all_spans() == spans
        assert store.article_hash("a1") == article(OLD).sha256


def test_a_moved_span_goes_to_the_nearest_occurrence(path: Path) -> None:
    """Ryabkov twice in the text: the second span moves to the second occurrence."""
    with Store.open(path) as store:
        second = OLD.index("Ryabkov", OLD.index("Ryabkov") + 1)
        store.add(Span("a1", second, second + 7, "actor", "Ryabkov", "alice"))
    with Store.open(path) as store:
        (report,) = store.sync_articles([article(NEW)])
        ((_old, new),) = report.moved
        assert new.start == NEW.index("Ryabkov", NEW.index("Ryabkov") + 1)


# -- D6: typed checks on stored spans ------------------------------------------------------


BAD_FIELDS = [
    ("start", "5"),
    ("end", 12.0),
    ("start", True),
    ("label", 3),
    ("text", None),
    ("annotator", ["alice"]),
]


def corrupt_snapshot(path: Path, name: str, value: object) -> None:
    annotate(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    first = next(iter(data["spans"].values()))
    first[name] = value
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("read_only", [True, False])
@pytest.mark.parametrize(("name", "value"), BAD_FIELDS)
def test_a_span_of_the_wrong_types_is_store_corrupt(
    path: Path, name: str, value: object, read_only: bool
) -> None:
    corrupt_snapshot(path, name, value)
    before = files(path.parent)
    with pytest.raises(StoreCorrupt) as caught:
        Store.open(path, read_only=read_only)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message and name in message
    assert files(path.parent) == before  # not compacted over, .bak not refreshed
    if not read_only:
        # The failed open let go of the lock: the next open fails the same way.
        with pytest.raises(StoreCorrupt):
            Store.open(path)


@pytest.mark.parametrize("read_only", [True, False])
def test_a_journal_record_of_the_wrong_types_is_store_corrupt(path: Path, read_only) -> None:
    annotate(path)
    bad = {**span("Geneva", "venue").to_dict(), "start": "12"}
    line = json.dumps({"seq": 99, "ops": [["add", bad]]})
    journal_path(path).write_text(line + "\n" + line.replace("99", "100") + "\n", "utf-8")
    before = files(path.parent)
    with pytest.raises(StoreCorrupt) as caught:
        Store.open(path, read_only=read_only)
    assert "\n" not in str(caught.value)
    assert str(journal_path(path)) in str(caught.value) and "line 1" in str(caught.value)
    assert files(path.parent) == before


# -- D7: disk errors are StoreErrors -------------------------------------------------------


CHILD = r"""
import json, os, resource, signal, sys
sys.path.insert(0, sys.argv[2])
from annotations.spans import Span
from annotations.store import Store, journal_path

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
store = Store.open(sys.argv[1])
store.add(Span("a1", 0, 6, "actor", "Deputy", "alice"))
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
size = journal_path(store.path).stat().st_size
resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))  # not one more byte
try:
    store.add(Span("a1", 7, 14, "actor", "Foreign", "alice"))
    outcome = {"raised": None}
except BaseException as error:
    outcome = {
        "raised": type(error).__name__,
        "mro": [c.__name__ for c in type(error).__mro__],
        "message": str(error),
    }
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
store.add(Span("a1", 15, 22, "date", "Minister", "alice"))
store.close()
print(json.dumps(outcome))
"""


def test_a_refused_journal_write_is_a_store_error_cannot_save(path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["raised"] == "StoreError", outcome
    assert "OSError" not in outcome["mro"]
    message = outcome["message"]
    assert "\n" not in message
    assert message.startswith(f"{journal_path(path.resolve())}: cannot save")
    # The refused change is not in the store; the ones before and after it are.
    with Store.open(path, read_only=True) as store:
        assert [s.text for s in store.all_spans()] == ["Deputy", "Minister"]

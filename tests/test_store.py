"""The store, on real files: durability, the writer lock, corrupt files, overlap rules, undo,
re-anchoring, and what survives a reopen. The kill -9 loop is in test_store_crash.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tinydb import Query, TinyDB

from annotations.articles import Article
from annotations.spans import Span
from annotations.store import (
    Change,
    ReadOnlyError,
    Store,
    StoreCorrupt,
    StoreError,
    StoreLocked,
    StoreNotWritable,
    backup_path,
    journal_path,
)

CHILD = Path(__file__).with_name("store_child.py")
TEXT = "Putin met Biden in Geneva. Later, Putin said the talks in Geneva were useful.\n"
STAMP = "2024-05-01T10:00:00.000Z"


def sp(
    start: int,
    end: int,
    label: str = "actor",
    annotator: str = "ann",
    article: str = "a1",
    text: str = TEXT,
) -> Span:
    return Span(article, start, end, label, text[start:end], annotator, "manual", STAMP, STAMP)


def at(word: str, nth: int = 0, text: str = TEXT) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "annotations.json"


def files(path: Path) -> dict[str, bytes]:
    """The store's data files (snapshot, journal, .bak), by name, with their bytes."""
    return {
        p.name: p.read_bytes()
        for p in sorted(path.parent.iterdir())
        if p.name.startswith(path.name) and not p.name.endswith((".lock", ".owner"))
    }


def journal_lines(path: Path) -> list[bytes]:
    journal = journal_path(path)
    return [line for line in journal.read_bytes().split(b"\n") if line] if journal.exists() else []


def run_child(path: Path, mode: str, *args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, str(CHILD), str(path), "--mode", mode, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def saved_spans(lines: list[str]) -> list[Span]:
    """The spans a child reported added (each `saved N {json}` line)."""
    out = []
    for line in lines:
        if line.startswith("saved "):
            out += [Span.from_dict(d) for d in json.loads(line.split(" ", 2)[2])["add"]]
    return out


class Holder:
    """Another process holding the store open for writing (tests/store_child.py --mode hold)."""

    def __init__(self, path: Path, count: int = 3) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), str(path), "--mode", "hold", "--count", str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        assert line.startswith("locked "), line + self.process.stderr.read()
        self.pid = int(line.split()[1])

    def release(self) -> None:
        self.process.stdin.close()
        assert self.process.stdout.readline().strip() == "released"
        assert self.process.wait(timeout=30) == 0

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def holder(path: Path):
    made: list[Holder] = []

    def make(count: int = 3) -> Holder:
        made.append(Holder(path, count))
        return made[-1]

    yield make
    for item in made:
        item.stop()


# -- durability ---------------------------------------------------------------------------


def test_a_change_is_on_disk_when_the_call_returns(path: Path) -> None:
    with Store.open(path) as store:
        span = sp(*at("Putin"))
        store.add(span)
        record = json.loads(journal_lines(path)[-1])  # read back while still open
        assert ["add", span.to_dict()] in record["ops"]
        store.set_done("a1", True)
        assert ["article", {"id": "a1", "done": True}] in json.loads(journal_lines(path)[-1])["ops"]


def test_changes_survive_a_process_that_dies_without_closing(path: Path) -> None:
    saved = saved_spans(run_child(path, "crash", "--count", "25", "--seed", "3"))
    assert len(journal_lines(path)) == 25  # nothing folded: the child never closed
    with Store.open(path) as store:
        stored = {s.key: s for s in store.all_spans()}
    # later adds may have replaced earlier ones; the last version of each key is stored
    expected: dict[tuple, Span] = {}
    for span in saved:
        expected[span.key] = span
    for key, span in stored.items():
        assert expected[key] == span
    assert saved[-1].key in stored


def test_a_torn_journal_tail_is_dropped_and_earlier_changes_kept(path: Path) -> None:
    saved = saved_spans(run_child(path, "crash", "--count", "5", "--seed", "1"))
    whole = journal_lines(path)
    torn = whole[-1][: len(whole[-1]) // 2]
    with open(journal_path(path), "ab") as handle:
        handle.write(torn)  # a kill -9 in the middle of an append
    with Store.open(path, read_only=True) as store:
        read_only_spans = store.all_spans()
    with Store.open(path) as store:
        spans = store.all_spans()
        assert {s.key for s in saved} >= {s.key for s in spans}
        assert saved[-1] in spans
        assert spans == read_only_spans
        assert journal_path(path).read_bytes() == b""  # folded, torn tail gone
        store.add(sp(*at("Geneva")))  # later appends are not glued to the torn line
    with Store.open(path) as store:
        assert sp(*at("Geneva")) in store.all_spans()
        assert len(store.all_spans()) == len(spans) + 1


def test_a_tail_torn_inside_a_multibyte_character_is_dropped(path: Path) -> None:
    with Store.open(path) as store:
        store.add(sp(*at("Putin")))
    with open(journal_path(path), "ab") as handle:
        record = json.dumps({"seq": 99, "ops": [["meta", "k", "😀"]]}, ensure_ascii=False)
        raw = record.encode("utf-8")
        handle.write(raw[: raw.index("😀".encode()) + 2])
    with Store.open(path) as store:
        assert store.get_meta("k") is None
        assert store.all_spans() == [sp(*at("Putin"))]


def test_a_damaged_middle_journal_line_is_an_error_and_nothing_is_touched(path: Path) -> None:
    run_child(path, "crash", "--count", "3", "--seed", "2")
    lines = journal_path(path).read_bytes().split(b"\n")
    lines[1] = lines[1][:40] + b"#" + lines[1][41:]
    journal_path(path).write_bytes(b"\n".join(lines))
    before = files(path)
    for read_only in (False, True):
        with pytest.raises(StoreCorrupt) as caught:
            Store.open(path, read_only=read_only)
        message = str(caught.value)
        assert str(journal_path(path)) in message and "line 2" in message
        assert "\n" not in message
        assert files(path) == before
    # the failed open released the lock: the next failure is the same error, not StoreLocked
    with pytest.raises(StoreCorrupt):
        Store.open(path)


def test_a_failed_append_never_costs_a_later_change(path: Path) -> None:
    """BUG: a journal append that fails half-way (disk full, here RLIMIT_FSIZE) leaves its
    partial bytes in the journal; the next successful record is glued onto them, so it is
    dropped as a 'torn tail' on the next open (a change that returned is lost), and with one
    more record after it, the store does not open at all (damaged middle line)."""
    for count in (1, 2):
        target = path.with_name(f"short-{count}.json")
        lines = run_child(target, "short-write", "--count", str(count))
        assert lines[1].startswith("failed 2 StoreError"), lines
        saved = saved_spans(lines)
        assert len(saved) == count + 1
        with Store.open(target) as store:
            assert store.all_spans() == sorted(saved, key=lambda s: s.sort_key), (
                "a change that returned is missing after the failed append"
            )


def test_use_after_close_is_an_error(path: Path) -> None:
    store = Store.open(path)
    store.close()
    store.close()  # closing twice is fine
    with pytest.raises(StoreError, match="closed"):
        store.add(sp(*at("Putin")))


# -- one writer at a time -----------------------------------------------------------------


def test_a_second_writer_in_another_process_is_refused(path: Path, holder) -> None:
    held = holder(count=3)
    with pytest.raises(StoreLocked) as caught:
        Store.open(path)
    error = caught.value
    assert error.pid == held.pid
    assert error.path == path.resolve()
    assert str(path.resolve()) in str(error) and str(held.pid) in str(error)
    assert "\n" not in str(error)
    assert isinstance(error, StoreError)


def test_read_only_opens_while_locked_sees_the_data_and_refuses_writes(path: Path, holder) -> None:
    held = holder(count=4)
    before = files(path)
    with Store.open(path, read_only=True) as store:
        assert store.read_only
        spans = store.all_spans()
        assert len(spans) >= 1  # the holder's adds, still only in its journal
        some = spans[0]
        writes = [
            lambda: store.add(sp(*at("Biden"), label="venue")),
            lambda: store.remove(some),
            lambda: store.apply(add=[sp(*at("Geneva"))]),
            lambda: store.apply(remove=[some]),
            lambda: store.set_done("a1", True),
            lambda: store.reject("a1", 0, 5, "actor"),
            lambda: store.set_meta("k", 1),
            lambda: store.add_article(Article("x", "text", "t")),
        ]
        for write in writes:
            with pytest.raises(ReadOnlyError):
                write()
        assert store.all_spans() == spans
    assert files(path) == before
    held.release()
    with Store.open(path) as store:
        assert store.all_spans() == spans


def test_the_lock_is_released_on_close(path: Path, holder) -> None:
    holder(count=1).release()
    with Store.open(path) as store:
        assert len(store.all_spans()) == 1


def test_the_lock_is_released_when_the_holder_is_killed(path: Path, holder) -> None:
    held = holder(count=2)
    with pytest.raises(StoreLocked):
        Store.open(path)
    held.kill()
    with Store.open(path) as store:
        assert len(store.all_spans()) == 2  # its changes, from the journal


def test_a_second_writer_in_the_same_process_is_refused(path: Path) -> None:
    with Store.open(path) as first:
        first.add(sp(*at("Putin")))
        with pytest.raises(StoreLocked) as caught:
            Store.open(path)
        assert caught.value.pid == os.getpid()
        with Store.open(path, read_only=True) as viewer:
            assert viewer.all_spans() == [sp(*at("Putin"))]
    with Store.open(path) as again:
        assert again.all_spans() == [sp(*at("Putin"))]


def test_a_missing_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "nope" / "annotations.json")


# -- a store that does not parse is never overwritten ------------------------------------


def make_store_with_bak(path: Path) -> None:
    with Store.open(path) as store:
        store.add(sp(*at("Putin")))
        store.set_done("a1", True)
    Store.open(path).close()  # the .bak now holds the spans too


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: b"{not json", id="garbage"),
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
        pytest.param(lambda raw: b"\x00" * len(raw), id="zeros"),
        pytest.param(lambda raw: b"[1, 2]", id="json-but-not-a-store"),
        # Another program's TinyDB file: our snapshot written over it would drop its table.
        pytest.param(
            lambda raw: b'{"_default": {"1": {"name": "important"}}}', id="another-tinydb-file"
        ),
        pytest.param(lambda raw: raw.replace(b'"', b"\xff", 1), id="not-utf8"),
    ],
)
def test_a_corrupt_snapshot_is_never_overwritten(path: Path, damage) -> None:
    make_store_with_bak(path)
    path.write_bytes(damage(path.read_bytes()))
    before = files(path)
    for read_only in (False, True):
        with pytest.raises(StoreCorrupt) as caught:
            Store.open(path, read_only=read_only)
        message = str(caught.value)
        assert str(path) in message and str(backup_path(path)) in message
        assert "\n" not in message
        assert files(path) == before
    # the .bak is the way back
    path.write_bytes(backup_path(path).read_bytes())
    with Store.open(path) as store:
        assert store.all_spans() == [sp(*at("Putin"))] and store.is_done("a1")


def test_a_read_only_store_file_is_not_written_over(path: Path) -> None:
    make_store_with_bak(path)
    path.chmod(0o444)
    before = files(path)
    try:
        with pytest.raises(StoreNotWritable, match="the file is read-only"):
            Store.open(path)
        with Store.open(path, read_only=True) as store:
            assert store.all_spans() == [sp(*at("Putin"))]
        assert files(path) == before
    finally:
        path.chmod(0o644)


def test_a_folder_given_as_the_store_is_a_one_line_error(path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder; give the store's file"):
        Store.open(path.parent)


def test_a_corrupt_snapshot_without_a_bak_says_so(path: Path) -> None:
    path.write_bytes(b'{"spans": ')
    with pytest.raises(StoreCorrupt, match="no .bak"):
        Store.open(path)
    assert path.read_bytes() == b'{"spans": '


def test_an_empty_snapshot_file_with_a_bak_is_not_taken_for_a_new_store(path: Path) -> None:
    """BUG: a zero-byte store file (not valid JSON) is read as an empty store; opening then
    writes an empty snapshot over it AND copies that over the .bak, the last good copy."""
    make_store_with_bak(path)
    path.write_bytes(b"")
    good_bak = backup_path(path).read_bytes()
    try:
        with pytest.raises(StoreCorrupt):
            Store.open(path).close()
    finally:
        assert backup_path(path).read_bytes() == good_bak, "the .bak was overwritten"
    assert path.read_bytes() == b""


def test_a_snapshot_with_a_malformed_span_is_a_store_corrupt_error(path: Path) -> None:
    """Valid JSON whose span lacks fields: a one-line StoreCorrupt, not a TypeError."""
    path.write_text(json.dumps({"spans": {"1": {"article_id": "a1", "start": 0}}}))
    before = files(path)
    with pytest.raises(StoreCorrupt):
        Store.open(path)
    assert files(path) == before


def test_the_bak_is_refreshed_on_every_open_and_equals_the_snapshot(path: Path) -> None:
    assert not backup_path(path).exists()
    with Store.open(path) as store:
        assert json.loads(backup_path(path).read_bytes()) == json.loads(path.read_bytes())
        store.add(sp(*at("Putin")))
    with Store.open(path) as store:
        bak = json.loads(backup_path(path).read_bytes())
        assert bak == json.loads(path.read_bytes())
        assert len(bak["spans"]) == 1
        store.add(sp(*at("Biden")))
    with Store.open(path):
        assert len(json.loads(backup_path(path).read_bytes())["spans"]) == 2


# -- overlap rules, apply, undo -----------------------------------------------------------


def test_an_overlapping_span_of_the_same_label_and_annotator_replaces_it(path: Path) -> None:
    with Store.open(path) as store:
        short = sp(*at("Biden"))
        store.add(short)
        longer = sp(at("met")[0], at("Biden")[1])
        change = store.add(longer)
        assert change == Change(added=(longer,), removed=(short,))
        assert store.spans("a1") == [longer]


def test_a_span_over_two_spans_of_its_label_replaces_both(path: Path) -> None:
    with Store.open(path) as store:
        first, second = sp(*at("Putin")), sp(*at("Biden"))
        store.add(first)
        store.add(second)
        whole = sp(0, at("Biden")[1])
        change = store.add(whole)
        assert set(change.removed) == {first, second} and change.added == (whole,)
        assert store.spans("a1") == [whole]


def test_different_labels_annotators_and_touching_spans_coexist(path: Path) -> None:
    with Store.open(path) as store:
        actor = sp(*at("Putin"))
        spans = [
            actor,
            sp(*at("Putin"), label="venue"),
            sp(*at("Putin"), annotator="bob"),
            sp(0, at("met")[1], label="event"),
            sp(at("Putin")[1], at("met")[1]),  # [5, 9) touches [0, 5): no overlap
        ]
        for span in spans:
            assert store.add(span).removed == ()
        assert len(store.spans("a1")) == 5
        assert store.spans("a1", annotator="bob") == [sp(*at("Putin"), annotator="bob")]
        assert store.counts("a1") == {"actor": 3, "venue": 1, "event": 1}
        assert store.spans("a1") == sorted(store.spans("a1"), key=lambda s: s.sort_key)
        assert store.article_ids_with_spans() == ["a1"]


def test_adding_a_stored_span_again_changes_nothing(path: Path) -> None:
    with Store.open(path) as store:
        span = sp(*at("Putin"))
        assert store.add(span)
        records = len(journal_lines(path))
        change = store.add(span)
        assert not change and change == Change()
        assert len(journal_lines(path)) == records  # no journal record either
        assert store.spans("a1") == [span]


def test_remove(path: Path) -> None:
    with Store.open(path) as store:
        span = sp(*at("Putin"))
        store.add(span)
        store.add(sp(*at("Biden")))
        assert store.remove(span) == Change(removed=(span,))
        assert not store.remove(span)
        assert store.spans("a1") == [sp(*at("Biden"))]
    with Store.open(path) as store:
        assert store.spans("a1") == [sp(*at("Biden"))]


def test_apply_is_one_change_and_its_inverse_undoes_it(path: Path) -> None:
    with Store.open(path) as store:
        base = [sp(*at("Putin")), sp(*at("Biden")), sp(*at("Geneva"), label="venue")]
        store.apply(add=base)
        start = store.all_spans()
        records = len(journal_lines(path))
        longer = sp(0, at("met")[1])  # replaces Putin
        change = store.apply(
            add=[longer, sp(*at("Geneva", 1), label="venue")],
            remove=[sp(*at("Biden")), sp(*at("talks"))],  # the second is not stored: ignored
        )
        assert len(journal_lines(path)) == records + 1  # one record, one fsync
        assert set(change.removed) == {sp(*at("Putin")), sp(*at("Biden"))}
        assert set(change.added) == {longer, sp(*at("Geneva", 1), label="venue")}
        after = store.all_spans()
        history = [change]
        undo = store.apply(add=change.inverse().added, remove=change.inverse().removed)
        assert undo == change.inverse() or (
            set(undo.added) == set(change.removed) and set(undo.removed) == set(change.added)
        )
        assert store.all_spans() == start
        redo = store.apply(add=change.added, remove=change.removed)
        assert store.all_spans() == after
        history.append(redo)
        # undo twice more, redo once: the store follows
        store.apply(add=redo.inverse().added, remove=redo.inverse().removed)
        assert store.all_spans() == start
        store.apply(add=change.added, remove=change.removed)
        store.apply(add=change.removed, remove=change.added)
        assert store.all_spans() == start
        store.apply(add=change.added, remove=change.removed)
    with Store.open(path) as store:
        assert store.all_spans() == after


def test_undo_of_a_replacing_add_restores_the_replaced_span(path: Path) -> None:
    with Store.open(path) as store:
        short = sp(*at("Biden"))
        store.add(short)
        change = store.add(sp(at("met")[0], at("Biden")[1]))
        back = change.inverse()
        store.apply(add=back.added, remove=back.removed)
        assert store.spans("a1") == [short]
    with Store.open(path) as store:
        assert store.spans("a1") == [short]


def test_relabel_through_apply(path: Path) -> None:
    with Store.open(path) as store:
        old = sp(*at("Geneva"))
        store.add(old)
        new = sp(*at("Geneva"), label="venue")
        change = store.apply(add=[new], remove=[old])
        assert change == Change(added=(new,), removed=(old,))
        assert store.spans("a1") == [new]
        assert store.counts("a1") == {"venue": 1}
    with Store.open(path) as store:
        assert store.spans("a1") == [new]
        store.apply(add=change.inverse().added, remove=change.inverse().removed)
        assert store.spans("a1") == [old]


def test_apply_later_span_replaces_an_earlier_one_it_overlaps(path: Path) -> None:
    with Store.open(path) as store:
        first, second = sp(*at("Biden")), sp(at("met")[0], at("Biden")[1])
        change = store.apply(add=[first, second])
        assert change.added == (second,) and change.removed == ()
        assert store.spans("a1") == [second]


def test_apply_with_a_new_version_of_a_stored_span_replaces_it(path: Path) -> None:
    with Store.open(path) as store:
        old = sp(*at("Putin"))
        store.add(old)
        reviewed = Span.from_dict({**old.to_dict(), "reviewer": "eve", "updated": "later"})
        change = store.apply(add=[reviewed])
        assert change == Change(added=(reviewed,), removed=(old,))
        assert store.spans("a1") == [reviewed]
        assert not store.apply(add=[reviewed])  # identical: nothing to do


# -- re-anchoring -------------------------------------------------------------------------


def article(text: str, article_id: str = "a1") -> Article:
    return Article(article_id, text, f"{article_id}.txt")


def test_sync_remembers_each_articles_hash(path: Path) -> None:
    with Store.open(path) as store:
        assert store.sync_articles([article(TEXT), article("other", "a2")]) == []
        assert store.article_hash("a1") == article(TEXT).sha256
        records = len(journal_lines(path))
        assert store.sync_articles([article(TEXT)]) == []
        assert len(journal_lines(path)) == records  # unchanged: nothing written
    with Store.open(path) as store:
        assert store.article_hash("a2") == article("other", "a2").sha256


def test_spans_move_to_the_same_text_when_the_article_changes(path: Path) -> None:
    with Store.open(path) as store:
        store.sync_articles([article(TEXT)])
        putin, geneva = sp(*at("Putin")), sp(*at("Geneva", 1), label="venue")
        store.apply(add=[putin, geneva])
        edited = "UPDATED: " + TEXT
        reports = store.sync_articles([article(edited)])
        assert len(reports) == 1 and reports[0].article_id == "a1"
        assert not reports[0].stale
        moved = {old.key: new for old, new in reports[0].moved}
        assert moved[putin.key].start == putin.start + 9
        assert moved[geneva.key].start == geneva.start + 9
        lines = reports[0].lines()
        assert lines and all("a1" in line for line in lines) and "2 span(s)" in lines[0]
        for span in store.spans("a1"):
            assert edited[span.start : span.end] == span.text and not span.stale
    with Store.open(path) as store:
        assert [s.start for s in store.spans("a1")] == [putin.start + 9, geneva.start + 9]
        assert store.sync_articles([article(edited)]) == []


def test_a_span_moves_to_the_nearest_occurrence(path: Path) -> None:
    """Nearest to its old offset, whether that occurrence is before or after it."""
    text = "Geneva " + "a" * 50 + " Geneva " + "b" * 50 + " Geneva"
    with Store.open(path) as store:
        store.sync_articles([article(text)])
        middle = sp(*at("Geneva", 1, text), label="venue", text=text)
        store.add(middle)
        for edited, expected in [
            # occurrences at 0, 28, 116: 28 is nearest to 58
            ("Geneva " + "a" * 20 + " Geneva " + "b" * 80 + " Geneva", 28),
            # now at 0, 98, 111 and the span at 28: 0 is nearest
            ("Geneva " + "a" * 90 + " Geneva " + "b" * 5 + " Geneva", 0),
            # 0, 30, 40 and the span at 0: it stays
            ("Geneva " + "c" * 22 + " Geneva " + "d" * 2 + " Geneva", 0),
            # 5, 30, 40 and the span at 0
            ("xxxx Geneva " + "c" * 17 + " Geneva " + "d" * 2 + " Geneva", 5),
        ]:
            store.sync_articles([article(edited)])
            (span,) = store.spans("a1")
            assert span.start == expected and edited[span.start : span.end] == "Geneva"
            assert span.created == middle.created and not span.stale


def test_a_span_whose_text_is_gone_is_marked_stale_and_reported(path: Path) -> None:
    with Store.open(path) as store:
        store.sync_articles([article(TEXT)])
        biden = sp(*at("Biden"))
        putin = sp(*at("Putin"))
        store.apply(add=[biden, putin])
        edited = TEXT.replace("Biden", "Trump")
        (report,) = store.sync_articles([article(edited)])
        assert [s.key for s in report.stale] == [biden.key]
        assert report.moved == []
        (line,) = report.lines()
        assert "Biden" in line and "stale" in line and "actor" in line and str(biden.start) in line
        stale = next(s for s in store.spans("a1") if s.label == "actor" and s.text == "Biden")
        assert stale.stale and (stale.start, stale.end) == (biden.start, biden.end)  # not shifted
        assert putin in store.spans("a1")
    with Store.open(path) as store:
        (stale,) = [s for s in store.spans("a1") if s.stale]
        assert stale.key == biden.key
        assert store.sync_articles([article(edited)]) == []  # reported once
        store.sync_articles([article(TEXT)])  # the text is back: no longer stale
        assert not any(s.stale for s in store.spans("a1"))


def test_re_anchoring_never_merges_two_spans_into_one(path: Path) -> None:
    """BUG: two spans of the same text, label and annotator whose nearest new occurrence is
    the same place both move there; they get the same key and one silently disappears, while
    the report says both were re-anchored."""
    text = "Putin met Putin."
    with Store.open(path) as store:
        store.sync_articles([article(text)])
        store.apply(add=[sp(0, 5, text=text), sp(10, 15, text=text)])
        edited = "Yesterday, Putin met Medvedev."
        (report,) = store.sync_articles([article(edited)])
        spans = store.spans("a1")
        assert len(spans) == 2, f"a span was lost: {spans}; report: {report.lines()}"
        assert len(report.moved) + len(report.stale) == 2
        for span in spans:
            assert span.stale or edited[span.start : span.end] == span.text


def test_a_moved_span_never_takes_the_key_of_a_stale_one(path: Path) -> None:
    """BUG (same cause): "Biden" [0, 5) is gone and stays there, stale; "Putin" moves to
    [0, 5) with the same label and annotator, so the same key: the stale span, reported to the
    user as kept, silently disappears."""
    text = "Biden Putin"
    with Store.open(path) as store:
        store.sync_articles([article(text)])
        store.apply(add=[sp(0, 5, text=text), sp(6, 11, text=text)])
        (report,) = store.sync_articles([article("Putin")])
        spans = store.spans("a1")
        assert len(spans) == 2, f"a span was lost: {spans}; report: {report.lines()}"
        assert {s.key for s in report.stale} <= {s.key for s in spans if s.stale}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.data(),
    words=st.lists(
        st.sampled_from(["Putin", "Biden", "Geneva", "talks", "é", "😀"]), min_size=2, max_size=12
    ),
)
def test_re_anchoring_never_shifts_a_span_onto_other_text(tmp_path: Path, data, words) -> None:
    path = tmp_path / f"prop-{time.monotonic_ns()}.json"
    text = " ".join(words)
    edited_words = data.draw(
        st.lists(
            st.sampled_from(["Putin", "Biden", "Geneva", "talks", "é", "😀", "and"]),
            min_size=1,
            max_size=12,
        ),
        label="edited",
    )
    edited = " ".join(edited_words)
    with Store.open(path) as store:
        store.sync_articles([article(text)])
        position = 0
        for word in words:
            start = text.index(word, position)
            store.add(
                sp(
                    start,
                    start + len(word),
                    label=data.draw(st.sampled_from(["actor", "venue"])),
                    text=text,
                )
            )
            position = start + len(word) + 1
        spans = store.spans("a1")
        reports = store.sync_articles([article(edited)])
        for span in store.spans("a1"):
            assert span.stale or edited[span.start : span.end] == span.text
        stale = [s for r in reports for s in r.stale]
        assert {s.key for s in stale} == {s.key for s in store.spans("a1") if s.stale}
        moved = [m for r in reports for m in r.moved]
        assert {new.key for _, new in moved} <= {s.key for s in store.spans("a1")}
        unchanged = [s for s in spans if edited[s.start : s.end] == s.text]
        assert len(unchanged) + len(moved) + len(stale) == len(spans)
    path.unlink()


# -- what survives a reopen ---------------------------------------------------------------


def test_done_rejections_meta_and_articles_survive_reopen(path: Path) -> None:
    imported = Article("imp", "Line one\r\nZürich 😀 line two\r\n", "x.jsonl", {"url": "u"})
    meta_value = {"list": [1, 2.5, None, True], "text": "ü😀", "nested": {"a": []}}
    with Store.open(path) as store:
        store.set_done("a1", True)
        store.set_done("a2", True)
        store.set_done("a2", False)
        store.reject("a1", 0, 5, "actor")
        store.reject("a1", 10, 15, "venue")
        store.reject("a1", 10, 15, "venue")
        store.unreject("a1", 0, 5, "actor")
        store.set_meta("accept_counts", meta_value)
        store.add_article(imported)
        store.add(sp(*at("Putin")))

    def check(store: Store) -> None:
        assert store.is_done("a1") and not store.is_done("a2") and not store.is_done("zz")
        assert store.rejections("a1") == {(10, 15, "venue")}
        assert store.rejections("zz") == set()
        assert store.get_meta("accept_counts") == meta_value
        assert store.get_meta("missing", 7) == 7
        (stored,) = store.stored_articles()
        assert (stored.id, stored.text, stored.meta) == (imported.id, imported.text, {"url": "u"})
        assert store.article_hash("imp") == imported.sha256

    with Store.open(path) as store:
        check(store)
    with Store.open(path, read_only=True) as store:
        check(store)
    # the same, from the journal alone (a process that never closed)
    other = path.with_name("journal-only.json")
    with Store.open(other):
        pass
    lines = run_child(other, "crash", "--count", "2")
    assert len(saved_spans(lines)) == 2
    with Store.open(other) as store:
        assert len(store.all_spans()) == 2


def test_set_done_and_add_article_keep_each_others_fields(path: Path) -> None:
    with Store.open(path) as store:
        store.sync_articles([article(TEXT)])
        store.set_done("a1", True)
        assert store.article_hash("a1") == article(TEXT).sha256
        store.add_article(article("imported text", "a3"))
        store.set_done("a3", True)
    with Store.open(path) as store:
        assert store.is_done("a3") and store.stored_articles()[0].text == "imported text"
        assert store.is_done("a1") and store.article_hash("a1") == article(TEXT).sha256


def test_the_snapshot_is_a_valid_tinydb_file(path: Path) -> None:
    with Store.open(path) as store:
        store.apply(add=[sp(*at("Putin")), sp(*at("Biden")), sp(*at("Geneva"), label="venue")])
        store.set_done("a1", True)
        store.reject("a1", 0, 3, "venue")
        store.set_meta("k", [1, 2])
    before = path.read_bytes()
    db = TinyDB(path, access_mode="r")
    try:
        assert {"spans", "articles", "rejections", "meta"} <= db.tables()
        spans = db.table("spans")
        assert len(spans) == 3
        assert len(spans.search(Query().label == "venue")) == 1
        assert db.table("articles").get(Query().id == "a1")["done"] is True
        assert db.table("meta").get(Query().key == "k")["value"] == [1, 2]
        assert len(db.table("rejections")) == 1
    finally:
        db.close()
    assert path.read_bytes() == before


# -- atomic snapshot ----------------------------------------------------------------------


def test_the_snapshot_is_replaced_whole_never_rewritten_in_place(path: Path) -> None:
    with Store.open(path) as store:
        store.add(sp(*at("Putin")))
    with open(path, "rb") as old_handle:
        old_bytes = old_handle.read()
        old_inode = os.fstat(old_handle.fileno()).st_ino
        with Store.open(path) as store:
            store.add(sp(*at("Biden")))
        old_handle.seek(0)
        assert old_handle.read() == old_bytes  # the old file was never written to
    assert os.stat(path).st_ino != old_inode
    assert len(json.loads(path.read_bytes())["spans"]) == 2
    leftovers = [p.name for p in path.parent.iterdir() if ".tmp" in p.name]
    assert leftovers == []


def test_a_temp_file_left_by_a_crashed_compaction_is_ignored(path: Path) -> None:
    with Store.open(path) as store:
        store.add(sp(*at("Putin")))
    good = path.read_bytes()
    leftover = path.with_name(f".{path.name}.tmp-99999-1")
    leftover.write_bytes(good[: len(good) // 2])  # a compaction killed mid-write
    with Store.open(path) as store:
        assert store.all_spans() == [sp(*at("Putin"))]
    assert json.loads(path.read_bytes())


def test_a_kill_between_snapshot_and_journal_truncation_applies_nothing_twice(
    path: Path,
) -> None:
    """The journal still holding records the snapshot already folded in (seq numbers)."""
    saved = saved_spans(run_child(path, "crash", "--count", "6", "--seed", "5"))
    journal = journal_path(path).read_bytes()
    with Store.open(path) as store:
        folded = store.all_spans()
    assert journal_path(path).read_bytes() == b""
    journal_path(path).write_bytes(journal)  # as if killed before the truncation
    with Store.open(path) as store:
        assert store.all_spans() == folded
        change = store.remove(folded[0])
        assert change
    with Store.open(path) as store:
        assert store.all_spans() == folded[1:]
    assert saved


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(0, 70), st.integers(1, 12), st.sampled_from(["actor", "date"])),
        max_size=25,
    ),
    st.lists(st.integers(0, 24), max_size=8),
    st.integers(0, 80),
    st.integers(0, 10),
)
def test_spans_overlapping_finds_what_a_pass_over_every_span_finds(
    tmp_path: Path, spans, removals, start, length
) -> None:
    """The lookup a key press uses (bisection plus the longest span's reach) against the
    obvious filter, after adds, removals and a reopen."""
    end = start + length
    path = tmp_path / f"s{len(list(tmp_path.iterdir()))}.json"

    def obvious(store: Store) -> list[Span]:
        return [s for s in store.spans("a1") if s.start < end and s.end > start]

    with Store.open(path) as store:
        for a, n, label in spans:
            store.add(sp(a, min(a + n, len(TEXT)), label))
        for index in removals:
            held = store.spans("a1")
            if held:
                store.remove(held[index % len(held)])
        assert store.spans_overlapping("a1", start, end) == obvious(store)
    with Store.open(path, read_only=True) as store:
        assert store.spans_overlapping("a1", start, end) == obvious(store)
        assert store.spans_overlapping("nope", start, end) == []

"""The store: every span, done flag and rejection, crash-safe, in a TinyDB JSON file.

Layout, all named from the one store path `P` (default `annotations.json`):

- `P`: a TinyDB JSON database (tables `spans`, `articles`, `rejections`, `meta`, `_store`),
  the snapshot. It is only ever replaced whole: written to a temp file in the same folder,
  fsynced, then `os.replace`d over `P`. TinyDB's stock JSONStorage truncates and rewrites in
  place, which a crash can leave half-written, so `AtomicJSONStorage` is used instead.
- `P.journal`: an append-only log, one JSON record per change, fsynced before the call returns.
- `P.lock` / `P.owner`: the writer's lock (filelock) and the pid holding it.
- `P.bak`: a copy of the last snapshot that parsed, refreshed on every successful open.

Why a journal folded into TinyDB rather than rewriting the database on every change: a
rewrite costs O(all spans in the store) per keypress (100,000 spans are ~20 MB of JSON), which
breaks the "a change is durable before the next key" promise on any real corpus. Appending one
record is O(1) and a single fsync (~0.3 ms here). Per-article files were the other option; they
still cost O(spans in the article) per change and multiply the files a crash can tear. The
journal is folded into the snapshot when a writer opens the store and when it closes.

Crash safety: a record is appended with one `write` and fsynced; a `kill -9` mid-append leaves
at most one torn last line, which never parses (a record ends with `}`) and was never reported
as saved, so it is dropped. Every record carries a sequence number and the snapshot remembers
the last one it folded in, so a crash between replacing the snapshot and emptying the journal
cannot apply a change twice. A snapshot that does not parse is never overwritten: opening fails
with an error naming it and the `.bak`.
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage

from annotations.articles import Article, Corpus
from annotations.spans import Span, conflicts, now_iso

FORMAT_VERSION = 1
#: The tables of a spantag store file; any other means the file is not ours.
STORE_TABLES = frozenset({"_store", "spans", "articles", "rejections", "meta"})
TABLES = ("spans", "articles", "rejections", "meta")


class StoreError(Exception):
    """A store that cannot be used as asked. `str(error)` is one line naming the file."""


class StoreLocked(StoreError):
    def __init__(self, path: Path, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        who = f"pid {pid}" if pid else "another process"
        super().__init__(
            f"{path}: in use by another spantag ({who}); close it first "
            "(the app can open it read-only: spantag --read-only)"
        )


class StoreNotWritable(StoreError):
    """The store cannot be written here (a read-only file or folder): open it read-only."""

    def __init__(self, path: Path, why: str) -> None:
        self.path = path
        self.why = why
        super().__init__(
            f"{path}: {why}; nothing can be saved there (the app opens it read-only; "
            f"spantag --read-only reads it)"
        )


class StoreCorrupt(StoreError):
    pass


class ReadOnlyError(StoreError):
    pass


@dataclass(frozen=True, slots=True)
class Change:
    """What one call did to the spans: enough to undo it (`inverse`) or replay it."""

    added: tuple[Span, ...] = ()
    removed: tuple[Span, ...] = ()

    def inverse(self) -> Change:
        return Change(added=self.removed, removed=self.added)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    @property
    def article_ids(self) -> set[str]:
        return {span.article_id for span in (*self.added, *self.removed)}


@dataclass
class ReanchorReport:
    """What happened to the spans of an article whose text changed since it was annotated."""

    article_id: str
    moved: list[tuple[Span, Span]] = field(default_factory=list)
    stale: list[Span] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.moved:
            out.append(f"{self.article_id}: text changed; {len(self.moved)} span(s) re-anchored")
        for span in self.stale:
            out.append(
                f"{self.article_id}: text changed; span {span.label} {span.text!r} at "
                f"[{span.start}, {span.end}) not found, marked stale"
            )
        return out


class AtomicJSONStorage(Storage):
    """TinyDB storage that never leaves a half-written file: temp file, fsync, os.replace."""

    def __init__(self, path: str | os.PathLike[str], read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only

    def read(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            bak = backup_path(self.path)
            if bak.exists() and bak.stat().st_size:
                raise StoreCorrupt(self._corrupt_message("empty"))
            return None
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise StoreCorrupt(self._corrupt_message(f"not valid JSON ({error})")) from None
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise StoreCorrupt(self._corrupt_message("not a TinyDB/spantag store"))
        foreign = sorted(set(data) - STORE_TABLES)
        if foreign:
            # Another program's TinyDB file (its `_default` table, say): writing our snapshot
            # over it would drop what it holds.
            listed = ", ".join(repr(name) for name in foreign[:3])
            raise StoreCorrupt(self._corrupt_message(f"not a spantag store (it has {listed})"))
        return data

    def _corrupt_message(self, why: str) -> str:
        bak = backup_path(self.path)
        hint = f"; the last good copy is {bak}" if bak.exists() else "; no .bak copy exists"
        return f"{self.path}: {why}; left untouched{hint}"

    def write(self, data: dict[str, Any]) -> None:
        if self.read_only:
            raise ReadOnlyError(f"{self.path}: opened read-only")
        atomic_write(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def close(self) -> None:
        pass


def atomic_write(path: Path, payload: bytes) -> None:
    """Replace `path` with `payload` so that a crash leaves the old or the new file, whole."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def owner_path(path: Path) -> Path:
    return path.with_name(path.name + ".owner")


def _unwritable(path: Path) -> str | None:
    """Why a writer could not keep the store at `path`, or None. A file whose mode has no
    write bit is taken as meant to stay as it is, even by root (whom the OS would let
    write); the snapshot is replaced by a rename, which only the folder's permission stops."""
    try:
        if path.exists() and not path.stat().st_mode & 0o222:
            return "the file is read-only (its mode has no write bit)"
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"its folder {path.parent} is not writable"
    return None


def store_files(path: Path) -> set[Path]:
    """The store and every file kept beside it (nothing else may be written over them)."""
    path = Path(path).resolve()
    return {path, journal_path(path), backup_path(path), lock_path(path), owner_path(path)}


class Store:
    """All annotations of one project. Every mutating call is durable when it returns."""

    #: Fold the journal into the snapshot after this many records (bounds replay time).
    COMPACT_EVERY = 20_000

    def __init__(self, path: Path, read_only: bool) -> None:
        self.path = path
        self.read_only = read_only
        self._lock: FileLock | None = None
        self._mutex = threading.RLock()
        self._spans: dict[str, dict[tuple, Span]] = {}
        self._sorted: dict[str, list[Span]] = {}
        self._longest: dict[str, int] = {}
        """Article id -> at least the length of its longest span (for `spans_overlapping`)."""
        self._articles: dict[str, dict[str, Any]] = {}
        self._rejections: dict[str, set[tuple[int, int, str]]] = {}
        self._meta: dict[str, Any] = {}
        self._seq = 0
        self._journal_fd: int | None = None
        self._journal_records = 0
        self._closed = False

    # -- opening and closing -------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, read_only: bool = False) -> Store:
        path = Path(path).resolve()
        if not path.parent.is_dir():
            raise StoreError(f"{path}: folder {path.parent} does not exist")
        if path.is_dir():
            raise StoreError(f"{path}: is a folder; give the store's file (annotations.json, say)")
        if not read_only:
            why = _unwritable(path)
            if why is not None:
                raise StoreNotWritable(path, why)
        store = cls(path, read_only)
        if not read_only:
            store._acquire()
        try:
            store._load()
            if not read_only:
                journal = journal_path(path)
                if not path.exists() or (journal.exists() and journal.stat().st_size):
                    store._compact()
                store._refresh_backup()
                store._open_journal()
        except BaseException:
            store._release()
            raise
        return store

    def _acquire(self) -> None:
        lock = FileLock(str(lock_path(self.path)), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise StoreLocked(self.path, self._owner_pid()) from None
        self._lock = lock
        atomic_write(owner_path(self.path), str(os.getpid()).encode())
        # A writer killed mid-compaction leaves its temp snapshot behind; only a lock holder
        # may sweep them, since a live writer could be using one.
        for leftover in self.path.parent.glob(f".{self.path.name}.*tmp*"):
            leftover.unlink(missing_ok=True)

    def _owner_pid(self) -> int | None:
        try:
            return int(owner_path(self.path).read_text().strip())
        except (OSError, ValueError):
            return None

    def _release(self) -> None:
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
        if self._lock is not None:
            owner_path(self.path).unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def close(self) -> None:
        """Fold the journal into the snapshot and release the lock."""
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            try:
                if not self.read_only and self._journal_records:
                    self._compact()
            finally:
                self._release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- loading -------------------------------------------------------------------------

    def _load(self) -> None:
        # The journal first: a writer compacting between the two reads then leaves a snapshot
        # newer than the journal read (its records are skipped by seq), never an older snapshot
        # with an emptied journal, which would hide every change of the writer's session.
        try:
            journal_raw: bytes | None = journal_path(self.path).read_bytes()
        except FileNotFoundError:
            journal_raw = None
        data = AtomicJSONStorage(self.path, read_only=True).read() or {}
        try:
            self._load_tables(data)
        except (TypeError, KeyError, ValueError, AttributeError) as error:
            storage = AtomicJSONStorage(self.path, read_only=True)
            raise StoreCorrupt(
                storage._corrupt_message(f"not a spantag store ({type(error).__name__}: {error})")
            ) from None
        self._replay_journal(journal_raw)

    def _load_tables(self, data: dict[str, Any]) -> None:
        db = TinyDB(storage=_MemoryView, data=data)
        info = db.table("_store").get(doc_id=1) or {}
        if info.get("version", FORMAT_VERSION) > FORMAT_VERSION:
            raise StoreError(f"{self.path}: written by a newer spantag (format {info['version']})")
        self._seq = int(info.get("seq", 0))
        for doc in db.table("spans"):
            self._put(Span.from_dict(doc))
        for doc in db.table("articles"):
            self._articles[doc["id"]] = dict(doc)
        for doc in db.table("rejections"):
            self._rejections.setdefault(doc["article_id"], set()).add(
                (doc["start"], doc["end"], doc["label"])
            )
        for doc in db.table("meta"):
            self._meta[doc["key"]] = doc["value"]

    def _journal_damaged(self, journal: Path, number: int) -> str:
        bak = backup_path(self.path)
        kept = f"{self.path} and its .bak are" if bak.exists() else f"{self.path} is"
        return f"{journal}: line {number} is damaged; left untouched (the snapshot {kept} intact)"

    def _replay_journal(self, raw: bytes | None) -> None:
        journal = journal_path(self.path)
        if raw is None:
            return
        lines = raw.split(b"\n")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                seq = int(record["seq"])
                ops = record["ops"]
            except (ValueError, KeyError, TypeError):
                is_tail = all(not rest.strip() for rest in lines[number:])
                if is_tail:
                    break  # a torn last append: it never returned, so nothing is lost
                raise StoreCorrupt(self._journal_damaged(journal, number)) from None
            if seq <= self._seq:
                continue  # already folded into the snapshot
            try:
                self._apply_ops(ops)
            except (TypeError, KeyError, ValueError, IndexError, AttributeError):
                raise StoreCorrupt(self._journal_damaged(journal, number)) from None
            self._seq = seq
            self._journal_records += 1

    # -- persistence ---------------------------------------------------------------------

    def _snapshot(self) -> dict[str, Any]:
        def table(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
            return {str(i): row for i, row in enumerate(rows, start=1)}

        return {
            "_store": {"1": {"version": FORMAT_VERSION, "seq": self._seq}},
            "spans": table(span.to_dict() for span in self.all_spans()),
            # In the order they came (an import's file order), which exports follow.
            "articles": table(self._articles.values()),
            "rejections": table(
                {"article_id": article_id, "start": s, "end": e, "label": label}
                for article_id in sorted(self._rejections)
                for s, e, label in sorted(self._rejections[article_id])
            ),
            "meta": table({"key": k, "value": self._meta[k]} for k in sorted(self._meta)),
        }

    def _compact(self) -> None:
        """Write the snapshot (atomically), then empty the journal."""
        db = TinyDB(str(self.path), storage=AtomicJSONStorage)
        db.storage.write(self._snapshot())
        journal = journal_path(self.path)
        if journal.exists():
            if self._journal_fd is not None:
                os.ftruncate(self._journal_fd, 0)
                os.fsync(self._journal_fd)
            else:
                with open(journal, "r+b") as handle:
                    handle.truncate(0)
                    os.fsync(handle.fileno())
        self._journal_records = 0

    def _refresh_backup(self) -> None:
        if self.path.exists():
            tmp = backup_path(self.path).with_name(f".{self.path.name}.bak.tmp")
            shutil.copyfile(self.path, tmp)
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, backup_path(self.path))

    def _open_journal(self) -> None:
        journal = journal_path(self.path)
        existed = journal.exists()
        self._journal_fd = os.open(journal, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        if not existed:
            fsync_dir(self.path.parent)

    def _commit(self, ops: list[list[Any]]) -> None:
        """Apply `ops` in memory and make them durable before returning."""
        if self.read_only:
            raise ReadOnlyError(f"{self.path}: opened read-only; changes are not saved")
        if self._closed or self._journal_fd is None:
            raise StoreError(f"{self.path}: store is closed")
        if not ops:
            return
        record = json.dumps({"seq": self._seq + 1, "ops": ops}, ensure_ascii=False)
        payload = (record + "\n").encode("utf-8")
        fd = self._journal_fd
        size = os.lseek(fd, 0, os.SEEK_END)
        try:
            written = os.write(fd, payload)
            if written != len(payload):
                raise StoreError(f"{journal_path(self.path)}: short write (disk full?)")
            os.fsync(fd)
        except BaseException as error:
            # Never leave part of a record behind: the next append would be glued onto it,
            # and that change, though it returned, would be dropped as a torn tail.
            try:
                os.ftruncate(fd, size)
                os.fsync(fd)
            except OSError:
                # The journal's state is unknown: refuse further changes (close() still folds
                # every change that returned into the snapshot).
                os.close(fd)
                self._journal_fd = None
            if isinstance(error, OSError):
                why = error.strerror or str(error)
                raise StoreError(f"{journal_path(self.path)}: cannot save: {why}") from None
            raise
        self._seq += 1
        self._apply_ops(ops)
        self._journal_records += 1
        if self._journal_records >= self.COMPACT_EVERY:
            self._compact()

    def _apply_ops(self, ops: list[list[Any]]) -> None:
        for op in ops:
            kind = op[0]
            if kind == "add":
                self._put(Span.from_dict(op[1]))
            elif kind == "remove":
                self._drop(Span.from_dict(op[1]))
            elif kind == "article":
                self._articles[op[1]["id"]] = op[1]
            elif kind == "reject":
                self._rejections.setdefault(op[1], set()).add((op[2], op[3], op[4]))
            elif kind == "unreject":
                self._rejections.get(op[1], set()).discard((op[2], op[3], op[4]))
            elif kind == "meta":
                self._meta[op[1]] = op[2]
            else:
                raise StoreCorrupt(f"{journal_path(self.path)}: unknown record {kind!r}")

    def _put(self, span: Span) -> None:
        spans = self._spans.setdefault(span.article_id, {})
        old = spans.get(span.key)
        spans[span.key] = span
        ordered = self._sorted.get(span.article_id)
        if ordered is not None:
            if old is not None:
                _remove_sorted(ordered, old)
            bisect.insort(ordered, span, key=_order)
            if span.end - span.start > self._longest.get(span.article_id, 0):
                self._longest[span.article_id] = span.end - span.start

    def _drop(self, span: Span) -> None:
        spans = self._spans.get(span.article_id)
        stored = spans.pop(span.key, None) if spans is not None else None
        if stored is not None:
            ordered = self._sorted.get(span.article_id)
            if ordered is not None:
                _remove_sorted(ordered, stored)
            if not spans:
                del self._spans[span.article_id]
                self._sorted.pop(span.article_id, None)
                self._longest.pop(span.article_id, None)

    # -- spans ---------------------------------------------------------------------------

    def spans(self, article_id: str, annotator: str | None = None) -> list[Span]:
        with self._mutex:
            ordered = self._ordered(article_id)
        if annotator is None:
            return list(ordered)
        return [span for span in ordered if span.annotator == annotator]

    def _ordered(self, article_id: str) -> list[Span]:
        ordered = self._sorted.get(article_id)
        if ordered is None:
            spans = self._spans.get(article_id, {}).values()
            ordered = sorted(spans, key=_order)
            self._sorted[article_id] = ordered
            self._longest[article_id] = max((s.end - s.start for s in ordered), default=0)
        return ordered

    def spans_overlapping(self, article_id: str, start: int, end: int) -> list[Span]:
        """The spans of an article with `span.start < end` and `span.end > start`, in text
        order: a bisection and the spans near [start, end), not a pass over the article's
        spans (a key press in an article holding thousands asks this)."""
        with self._mutex:
            ordered = self._ordered(article_id)
            reach = start - self._longest.get(article_id, 0)
            low = bisect.bisect_left(ordered, reach, key=_start)
            high = bisect.bisect_left(ordered, end, lo=low, key=_start)
            return [span for span in ordered[low:high] if span.end > start]

    def has_spans(self, article_id: str) -> bool:
        with self._mutex:
            return bool(self._spans.get(article_id))

    def all_spans(self) -> list[Span]:
        with self._mutex:
            return [span for article_id in sorted(self._spans) for span in self.spans(article_id)]

    def iter_spans(self) -> Iterator[Span]:
        for article_id in self.article_ids_with_spans():
            yield from self.spans(article_id)

    def article_ids_with_spans(self) -> list[str]:
        with self._mutex:
            return sorted(self._spans)

    def annotators(self) -> list[str]:
        with self._mutex:
            return sorted({s.annotator for spans in self._spans.values() for s in spans.values()})

    def span_count(self) -> int:
        with self._mutex:
            return sum(len(spans) for spans in self._spans.values())

    def counts(self, article_id: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for span in self._spans.get(article_id, {}).values():
            out[span.label] = out.get(span.label, 0) + 1
        return out

    def get(self, span: Span) -> Span | None:
        """The stored span with the same key (article, offsets, label, annotator), if any."""
        return self._spans.get(span.article_id, {}).get(span.key)

    def add(self, span: Span) -> Change:
        """Store `span`, replacing overlapping spans of its label by the same annotator.

        Adding a span that is already stored (same offsets, label, annotator) changes nothing.
        """
        with self._mutex:
            if self.get(span) is not None:
                return Change()
            near = self.spans_overlapping(span.article_id, span.start, span.end)
            replaced = conflicts(span, near)
            return self._change((span,), tuple(replaced))

    def remove(self, span: Span) -> Change:
        with self._mutex:
            stored = self.get(span)
            if stored is None:
                return Change()
            return self._change((), (stored,))

    def apply(self, add: Iterable[Span] = (), remove: Iterable[Span] = ()) -> Change:
        """Remove then add, as one durable change (undo, redo, relabel, merge, import).

        Spans to remove that are not stored are ignored; spans to add replace overlapping
        same-label spans of their annotator, as `add` does.
        """
        with self._mutex:
            removed: dict[tuple, Span] = {}
            for span in remove:
                stored = self.get(span)
                if stored is not None:
                    removed[stored.key] = stored
            added: dict[tuple, Span] = {}
            # What each added span may clash with: spans of its article, label and annotator,
            # gathered once per group so a batch (import, merge) stays linear in its size.
            groups: dict[tuple[str, str, str], dict[tuple, Span]] = {}
            for span in add:
                stored = self.get(span)
                if stored is not None and stored.key not in removed:
                    if stored == span:
                        continue
                    removed[stored.key] = stored  # a new version of the same span
                group_key = (span.article_id, span.label, span.annotator)
                group = groups.get(group_key)
                if group is None:
                    group = groups[group_key] = {
                        s.key: s
                        for s in self._spans.get(span.article_id, {}).values()
                        if s.label == span.label and s.annotator == span.annotator
                    }
                for clash in conflicts(span, [s for s in group.values() if s.key not in removed]):
                    del group[clash.key]
                    if clash.key in added:
                        del added[clash.key]
                    else:
                        removed[clash.key] = clash
                added[span.key] = span
                group[span.key] = span
            return self._change(tuple(added.values()), tuple(removed.values()))

    def _change(self, added: tuple[Span, ...], removed: tuple[Span, ...]) -> Change:
        ops: list[list[Any]] = [["remove", span.to_dict()] for span in removed]
        ops += [["add", span.to_dict()] for span in added]
        self._commit(ops)
        return Change(added=added, removed=removed)

    # -- articles ------------------------------------------------------------------------

    def sync_articles(self, articles: Iterable[Article]) -> list[ReanchorReport]:
        """Remember each article's text hash; re-anchor the spans of articles that changed.

        A span whose text is still at its offsets stays; otherwise it moves to the nearest
        occurrence of the same text, or, when there is none, is kept where it was and marked
        stale, and reported. Spans are never silently shifted onto other text.
        """
        reports: list[ReanchorReport] = []
        ops: list[list[Any]] = []
        with self._mutex:
            for article in articles:
                record = self._articles.get(article.id)
                digest = article.sha256
                if record is not None and record.get("sha256") == digest:
                    continue
                if self._spans.get(article.id):
                    report = self._reanchor(article, ops)
                    if report.moved or report.stale:
                        reports.append(report)
                new_record = dict(record or {"id": article.id})
                new_record["sha256"] = digest
                new_record.setdefault("done", False)
                ops.append(["article", new_record])
            if ops:
                if self.read_only:
                    self._apply_ops(ops)  # show spans where they are now; save nothing
                else:
                    self._commit(ops)
        return reports

    def _reanchor(self, article: Article, ops: list[list[Any]]) -> ReanchorReport:
        report = ReanchorReport(article.id)
        text = article.text
        spans = self.spans(article.id)
        # Keys in use: a stale span keeps its key, a moved span must not take one (two spans
        # with one key are one span: the other would vanish).
        taken = {span.key for span in spans}
        for span in spans:
            if text[span.start : span.end] == span.text:
                if span.stale:
                    fresh = Span.from_dict({**span.to_dict(), "stale": False})
                    ops += [["remove", span.to_dict()], ["add", fresh.to_dict()]]
                continue
            position = _nearest(
                text,
                span.text,
                span.start,
                lambda p, s=span: (
                    (s.article_id, p, p + len(s.text), s.label, s.annotator) not in taken
                ),
            )
            if position is None:
                if not span.stale:
                    stale = Span.from_dict({**span.to_dict(), "stale": True})
                    ops += [["remove", span.to_dict()], ["add", stale.to_dict()]]
                    report.stale.append(stale)
                continue
            moved = Span.from_dict(
                {
                    **span.to_dict(),
                    "start": position,
                    "end": position + len(span.text),
                    "stale": False,
                    "updated": now_iso(),
                }
            )
            ops += [["remove", span.to_dict()], ["add", moved.to_dict()]]
            taken.add(moved.key)
            report.moved.append((span, moved))
        return report

    def add_article(self, article: Article) -> None:
        """Keep an article's text in the store (imported articles absent from the corpus)."""
        self.add_articles([article])

    def add_articles(self, articles: Iterable[Article]) -> None:
        """`add_article` for many, as one durable change (one fsync for a whole import)."""
        with self._mutex:
            ops: list[list[Any]] = []
            for article in articles:
                record = dict(self._articles.get(article.id) or {"id": article.id, "done": False})
                if record.get("text") == article.text:
                    continue
                record.update(
                    sha256=article.sha256,
                    text=article.text,
                    meta=article.meta,
                    source=article.source,
                )
                ops.append(["article", record])
            self._commit(ops)

    def stored_articles(self) -> list[Article]:
        with self._mutex:
            return [
                Article(id=r["id"], text=r["text"], source="store", meta=dict(r.get("meta") or {}))
                for r in self._articles.values()  # in the order they came, as imported
                if isinstance(r.get("text"), str)
            ]

    def article_hash(self, article_id: str) -> str | None:
        record = self._articles.get(article_id)
        return record.get("sha256") if record else None

    def is_done(self, article_id: str) -> bool:
        record = self._articles.get(article_id)
        return bool(record and record.get("done"))

    def done_ids(self) -> set[str]:
        return {key for key, record in self._articles.items() if record.get("done")}

    def set_done(self, article_id: str, done: bool) -> None:
        with self._mutex:
            record = dict(self._articles.get(article_id) or {"id": article_id})
            if bool(record.get("done")) == done and article_id in self._articles:
                return
            record["done"] = done
            self._commit([["article", record]])

    # -- suggestions and metadata --------------------------------------------------------

    def reject(self, article_id: str, start: int, end: int, label: str) -> None:
        with self._mutex:
            if (start, end, label) in self._rejections.get(article_id, set()):
                return
            self._commit([["reject", article_id, start, end, label]])

    def unreject(self, article_id: str, start: int, end: int, label: str) -> None:
        with self._mutex:
            if (start, end, label) not in self._rejections.get(article_id, set()):
                return
            self._commit([["unreject", article_id, start, end, label]])

    def rejections(self, article_id: str) -> set[tuple[int, int, str]]:
        return set(self._rejections.get(article_id, set()))

    def rejection_count(self) -> int:
        return sum(len(items) for items in self._rejections.values())

    def get_meta(self, key: str, default: Any = None) -> Any:
        return self._meta.get(key, default)

    def set_meta(self, key: str, value: Any) -> None:
        with self._mutex:
            self._commit([["meta", key, value]])


def corpus_with_store(corpus: Corpus, store: Store) -> tuple[Corpus, list[str]]:
    """The corpus files plus the articles that live only in the store (imported), files
    first, with the store's spans re-anchored to today's texts (saved only when writable).

    Returns the corpus and one warning line per span moved or lost. Every client (the app,
    each subcommand) opens its articles through here, so none shows shifted spans.
    """
    reports = store.sync_articles(corpus.articles)
    warnings = [line for report in reports for line in report.lines()]
    known = {article.id for article in corpus}
    extra = tuple(a for a in store.stored_articles() if a.id not in known)
    return Corpus(corpus.articles + extra, corpus.warnings), warnings


def _order(span: Span) -> tuple:
    return (span.start, -span.end, span.label, span.annotator)


def _start(span: Span) -> int:
    return span.start


def _remove_sorted(ordered: list[Span], span: Span) -> None:
    index = bisect.bisect_left(ordered, _order(span), key=_order)
    while ordered[index] is not span and ordered[index] != span:
        index += 1
    del ordered[index]


def _nearest(
    text: str, needle: str, near: int, usable: Callable[[int], bool] = lambda _: True
) -> int | None:
    """The start of the usable occurrence of `needle` in `text` closest to `near`."""
    best: int | None = None
    position = text.find(needle)
    while position != -1:
        if best is not None and position > near and position - near >= abs(best - near):
            break
        if usable(position) and (best is None or abs(position - near) < abs(best - near)):
            best = position
        position = text.find(needle, position + 1)
    return best


class _MemoryView(Storage):
    """Lets TinyDB's query API read an already-parsed snapshot without touching the disk."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data

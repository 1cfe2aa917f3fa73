"""Load a corpus of articles, exactly as the files hold them.

The text of an article is the file decoded as UTF-8 with a leading BOM dropped and nothing else
changed (CRLF stays CRLF, tabs stay tabs): every offset in spantag is a Python `str` index into
that text, so the text must never be normalised. Bad files are skipped with one warning each,
never fatal, so that one broken article does not hide the other thousand.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

BOM = "\ufeff"
ARTICLE_SUFFIXES = (".txt", ".jsonl")

#: Lines at the top of scraped news pages that are not the title.
PAGE_FURNITURE = {
    "download",
    "advertisement",
    "share",
    "share this article",
    "listen",
    "listen to this article",
    "print",
    "subscribe",
    "read more",
    "skip to content",
    "close",
    "menu",
    "home",
}

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


class CorpusError(Exception):
    """The corpus cannot be used as a whole (for example, two articles share one id)."""


@dataclass(frozen=True)
class Article:
    """One article: its text exactly as read, and what we derive from it."""

    id: str
    text: str
    source: str
    """Where it came from: a file path, `path:line` for JSONL, or `store` for imported text."""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    # Cached: the list redraws rows on every edit, and a 100k-word text costs ~40 ms to count.
    @cached_property
    def title(self) -> str:
        return article_title(self.text)

    @cached_property
    def words(self) -> int:
        return sum(1 for _ in _WORD.finditer(self.text))

    @cached_property
    def sha256(self) -> str:
        return text_hash(self.text)

    def line_index(self) -> LineIndex:
        return LineIndex(self.text)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def article_title(text: str) -> str:
    """The first non-empty line that is not page furniture such as "Download"."""
    first = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        first = first or stripped
        if stripped.lower().rstrip(":.") not in PAGE_FURNITURE:
            return stripped
    return first


def article_from_text(
    text: str, id: str | None = None, source: str = "", meta: dict[str, Any] | None = None
) -> Article:
    """An article from text already decoded; without an id, a hash of the text names it."""
    return Article(id=id or text_hash(text)[:16], text=text, source=source, meta=dict(meta or {}))


@dataclass(frozen=True)
class Corpus:
    """The articles that loaded, in order, and one warning line per thing skipped."""

    articles: tuple[Article, ...]
    warnings: tuple[str, ...] = ()

    def __iter__(self):
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)

    def get(self, article_id: str) -> Article | None:
        return self.by_id.get(article_id)

    @cached_property
    def by_id(self) -> dict[str, Article]:
        return {article.id: article for article in self.articles}


def decode_article(raw: bytes, where: str) -> str:
    """UTF-8 with a leading BOM dropped; raises ValueError with a one-line reason."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{where}: not UTF-8 (byte offset {error.start})") from None
    if text.startswith(BOM):
        text = text[1:]
    if "\x00" in text:  # UTF-16 without a BOM, or another binary file that happens to decode
        raise ValueError(f"{where}: binary, not UTF-8 text (NUL at byte offset {raw.index(0)})")
    return text


def _check_text(text: Any, where: str) -> str:
    if not isinstance(text, str):
        raise ValueError(f"{where}: 'text' is missing or not a string")
    if not text.strip():
        raise ValueError(f"{where}: empty article (no text), skipped")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"{where}: text has a lone surrogate at offset {error.start}") from None
    return text


#: The most one article may hold. A 100,000-word article is about 0.6 MB; past this size the
#: app's reader, tokeniser and suggester (which hold several arrays as long as the text) grow
#: slow and large, so such a file is skipped with a warning rather than half working.
MAX_ARTICLE_BYTES = 10 * 1024 * 1024


def _too_big(size: int, where: str) -> ValueError:
    return ValueError(
        f"{where}: {size / 1024 / 1024:.1f} MB, more than one article may hold "
        f"({MAX_ARTICLE_BYTES // 1024 // 1024} MB), skipped; split it into articles "
        f"(a .txt each, or a .jsonl with one per line)"
    )


def read_txt(path: Path) -> Article:
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise _too_big(size, str(path))
    text = decode_article(path.read_bytes(), str(path))
    _check_text(text, str(path))
    return Article(id=path.stem, text=text, source=str(path))


def read_jsonl(path: Path) -> tuple[list[Article], list[str]]:
    """One `{"text", "id"?, "meta"?}` object per line; bad lines become warnings."""
    articles: list[Article] = []
    warnings: list[str] = []
    blank = True
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{path}:{number}"
            if not raw.strip() or raw.strip() == BOM.encode("utf-8"):
                continue
            blank = False
            try:
                line = decode_article(raw, where)
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{where}: not valid JSON ({error.msg})") from None
                if not isinstance(data, dict):
                    raise ValueError(f"{where}: expected a JSON object")
                text = _check_text(data.get("text"), where)
                size = len(text.encode("utf-8"))  # not the line's: JSON may escape each char
                if size > MAX_ARTICLE_BYTES:
                    raise _too_big(size, where)
                try:  # a lone surrogate in `id` or `meta` could never be written out as UTF-8
                    json.dumps(data, ensure_ascii=False).encode("utf-8")
                except UnicodeEncodeError:
                    raise ValueError(f"{where}: a lone surrogate in 'id' or 'meta'") from None
                raw_id = data.get("id")
                if raw_id is None and isinstance(data.get("meta"), dict):
                    raw_id = data["meta"].get("id")
                meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
                article_id = str(raw_id) if raw_id is not None else None
                articles.append(article_from_text(text, article_id, where, meta))
            except ValueError as error:
                warnings.append(str(error))
    if blank:
        warnings.append(f"{path}: empty file (no articles), skipped")
    return articles, warnings


def iter_article_files(paths: Iterable[Path]) -> Iterable[Path | str]:
    """Files in the order given; a folder's files sorted by name. Missing paths yield a warning."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and child.suffix.lower() in ARTICLE_SUFFIXES:
                    yield child
        elif path.is_file():
            yield path
        else:
            yield f"{path}: no such file or folder"


def load_corpus(paths: Sequence[str | os.PathLike[str]]) -> Corpus:
    """Load every article under `paths`. Bad files are warnings; duplicate ids are an error."""
    articles: list[Article] = []
    warnings: list[str] = []
    for item in iter_article_files(Path(p) for p in paths):
        if isinstance(item, str):
            warnings.append(item)
            continue
        try:
            if item.suffix.lower() == ".jsonl":
                loaded, bad = read_jsonl(item)
                articles.extend(loaded)
                warnings.extend(bad)
            else:
                articles.append(read_txt(item))
        except ValueError as error:
            warnings.append(str(error))
        except OSError as error:
            warnings.append(f"{item}: cannot read: {error.strerror}")
    seen: dict[str, Article] = {}
    for article in articles:
        if article.id in seen:
            first = seen[article.id].source
            raise CorpusError(
                f"duplicate article id {article.id!r}: {first} and {article.source}"
            )
        seen[article.id] = article
    return Corpus(tuple(articles), tuple(warnings))


class LineIndex:
    """Offset <-> (line, column) for one text, both 0-based, columns in code points.

    Lines end after "\\n" (a CRLF's "\\r" belongs to the line before it), so this agrees with
    what an editor shows for files with either ending.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self.starts.extend(match.end() for match in re.finditer("\n", text))

    def line_col(self, offset: int) -> tuple[int, int]:
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} outside the text (0..{len(self.text)})")
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, offset - self.starts[line]

    def offset(self, line: int, col: int) -> int:
        if not 0 <= line < len(self.starts):
            raise ValueError(f"line {line} outside the text (0..{len(self.starts) - 1})")
        start = self.starts[line]
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        return min(start + col, end)

    @property
    def line_count(self) -> int:
        return len(self.starts)

"""The corpus: files read exactly as they are, stable ids, titles, and bad input skipped."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.articles import (
    Article,
    Corpus,
    CorpusError,
    LineIndex,
    article_from_text,
    article_title,
    load_corpus,
    text_hash,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"
BOM = b"\xef\xbb\xbf"

#: Pieces random texts are made of: what news text and editors throw at offsets.
PIECES = [
    "a",
    "Putin",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    ".",
    ",",
    "'s",
    "“",
    "”",
    "—",
    "-",
    "é",
    "e\u0301",
    "n\u0303\u0323",
    "日本語",
    "北约",
    "😀",
    "👍🏽",
    "👨‍👩‍👧",
    "🇷🇺",
    "\u2028",
    "\u00a0",
    "\ufeff",
    "\x85",
]
texts = st.lists(
    st.one_of(st.sampled_from(PIECES), st.characters(exclude_categories=("Cs",))), max_size=60
).map("".join)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def jsonl(*objects) -> str:
    return "".join(json.dumps(o) + "\n" for o in objects)


@pytest.fixture
def seeds(tmp_path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


# --------------------------------------------------------------------------- the seeds


def test_seeds_are_the_shared_seeds_byte_for_byte():
    if not SHARED_SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    shared = sorted(p.name for p in SHARED_SEEDS.iterdir())
    assert sorted(p.name for p in SEEDS.iterdir()) == shared
    for name in shared:
        assert (SEEDS / name).read_bytes() == (SHARED_SEEDS / name).read_bytes(), name


def test_seeds_load(seeds):
    corpus = load_corpus([seeds])
    assert corpus.warnings == ()
    assert len(corpus) == 5
    files = sorted(seeds.glob("*.txt"))
    assert [a.id for a in corpus] == [f.stem for f in files]
    for article, path in zip(corpus, files, strict=True):
        raw = path.read_bytes()
        assert article.text.encode("utf-8") == raw
        assert article.sha256 == hashlib.sha256(raw).hexdigest()
        assert article.source == str(path)
        assert article.words > 100
        assert article.title and "\n" not in article.title
    assert corpus.get("003_83cc758b4cb3b23b") is corpus.articles[3]
    assert corpus.get("nope") is None


def test_seed_003_title_skips_download(seeds):
    article = load_corpus([seeds / "003_83cc758b4cb3b23b.txt"]).articles[0]
    assert article.text.startswith("Download\n")
    assert article.title == "Putin wants 'immediate' talks with NATO on Russia's security"


def test_seed_titles_are_their_first_lines(seeds):
    for article in load_corpus([seeds]):
        if article.id.startswith("003"):
            continue
        assert article.title == article.text.splitlines()[0].strip()


# --------------------------------------------------------------------------- text, exactly


def test_txt_crlf_tabs_and_bom(tmp_path):
    body = "Title line\r\n\r\nTabs\there\tand  two spaces.\r\nNo final newline"
    path = write(tmp_path, "a.txt", BOM + body.encode("utf-8"))
    article = load_corpus([path]).articles[0]
    assert article.text == body
    assert "\r\n" in article.text
    assert article.text.encode("utf-8") == path.read_bytes()[len(BOM) :]
    assert article.title == "Title line"
    assert article.sha256 == hashlib.sha256(body.encode("utf-8")).hexdigest()


def test_only_a_leading_bom_is_dropped(tmp_path):
    body = "Head\n\ufeffa BOM in the middle stays\n"
    path = write(tmp_path, "a.txt", BOM + BOM + body.encode("utf-8"))
    article = load_corpus([path]).articles[0]
    assert article.text == "\ufeff" + body  # one BOM dropped, the second is text


def test_jsonl_text_is_kept_exactly(tmp_path):
    texts_ = ["Line one\r\nline two\ttab", "\ufeffBOM inside JSON stays", "a\u2028b\x85c\rd"]
    path = write(tmp_path, "c.jsonl", jsonl(*({"text": t} for t in texts_)))
    corpus = load_corpus([path])
    assert corpus.warnings == ()
    assert [a.text for a in corpus] == texts_


def test_jsonl_with_raw_unicode_line_separators_in_text(tmp_path):
    """U+2028 and NEL written raw (not escaped) do not split a JSONL line."""
    lines = [json.dumps({"text": "one\u2028two\x85three", "id": "x"}, ensure_ascii=False)]
    lines.append(json.dumps({"text": "next", "id": "y"}))
    path = write(tmp_path, "raw.jsonl", "\n".join(lines) + "\n")
    corpus = load_corpus([path])
    assert corpus.warnings == ()
    assert [a.id for a in corpus] == ["x", "y"]
    assert corpus.articles[0].text == "one\u2028two\x85three"


def test_jsonl_with_crlf_line_endings_and_bom(tmp_path):
    data = BOM + jsonl({"text": "first", "id": "a"}, {"text": "second", "id": "b"}).replace(
        "\n", "\r\n"
    ).encode("utf-8")
    corpus = load_corpus([write(tmp_path, "c.jsonl", data)])
    assert corpus.warnings == ()
    assert [(a.id, a.text) for a in corpus] == [("a", "first"), ("b", "second")]


def test_jsonl_blank_lines_are_not_articles(tmp_path):
    path = write(tmp_path, "c.jsonl", "\n" + jsonl({"text": "x", "id": "1"}) + "\n  \n")
    corpus = load_corpus([path])
    assert [a.id for a in corpus] == ["1"]
    assert corpus.warnings == ()


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, bom=st.booleans())
def test_txt_round_trips_any_text(text, bom):
    # NUL marks a binary (or BOM-less UTF-16) file, which is skipped by design.
    if not text.strip() or text.startswith("\ufeff") or "\x00" in text:
        return
    with tempfile.TemporaryDirectory() as folder:
        raw = text.encode("utf-8")
        path = write(Path(folder), "t.txt", (BOM if bom else b"") + raw)
        corpus = load_corpus([path])
        assert corpus.warnings == ()
        article = corpus.articles[0]
        assert article.text == text
        assert article.text.encode("utf-8") == raw
        assert article.sha256 == hashlib.sha256(raw).hexdigest()


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_jsonl_round_trips_any_text(text):
    if not text.strip():
        return
    with tempfile.TemporaryDirectory() as folder:
        for ensure_ascii in (True, False):
            line = json.dumps({"text": text, "id": "x"}, ensure_ascii=ensure_ascii) + "\n"
            path = write(Path(folder), "t.jsonl", line)
            corpus = load_corpus([path])
            assert corpus.warnings == ()
            assert corpus.articles[0].text == text


# --------------------------------------------------------------------------- ids, titles, words


def test_txt_id_is_the_file_stem(tmp_path):
    path = write(tmp_path, "2021-12-15 Putin.Talks.txt", "Text")
    assert load_corpus([path]).articles[0].id == "2021-12-15 Putin.Talks"


def test_uppercase_suffix_in_a_folder(tmp_path):
    write(tmp_path / "d", "UP.TXT", "Upper")
    write(tmp_path / "d", "skip.md", "Not an article")
    write(tmp_path / "d", "skip", "No suffix")
    corpus = load_corpus([tmp_path / "d"])
    assert [a.id for a in corpus] == ["UP"]


def test_jsonl_ids(tmp_path):
    path = write(
        tmp_path,
        "c.jsonl",
        jsonl(
            {"text": "Has an id", "id": "given"},
            {"text": "Numeric id", "id": 7},
            {"text": "Id in meta", "meta": {"id": "from-meta", "source": "x"}},
            {"text": "No id at all"},
            {"text": "Null id", "id": None},
        ),
    )
    corpus = load_corpus([path])
    assert corpus.warnings == ()
    ids = [a.id for a in corpus]
    assert ids[:3] == ["given", "7", "from-meta"]
    assert ids[3] == text_hash("No id at all")[:16]
    assert ids[4] == text_hash("Null id")[:16]
    assert corpus.articles[2].meta == {"id": "from-meta", "source": "x"}
    assert [a.source for a in corpus] == [f"{path}:{n}" for n in range(1, 6)]


def test_hash_id_is_stable_across_loads_and_folders(tmp_path):
    line = jsonl({"text": "Same text, same id"})
    one = load_corpus([write(tmp_path / "a", "x.jsonl", line)]).articles[0]
    two = load_corpus([write(tmp_path / "b", "other.jsonl", line)]).articles[0]
    assert one.id == two.id == article_from_text("Same text, same id").id
    assert one.id == hashlib.sha256(b"Same text, same id").hexdigest()[:16]


def test_article_from_text():
    article = article_from_text("Hello\r\nworld", id="h", source="s", meta={"k": 1})
    assert article == Article("h", "Hello\r\nworld", "s", {"k": 1})
    assert article.sha256 == hashlib.sha256(b"Hello\r\nworld").hexdigest()
    assert article_from_text("x").id == text_hash("x")[:16]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Plain title\nBody", "Plain title"),
        ("\n\n   Indented title  \r\nBody", "Indented title"),
        ("Download\nReal title\n", "Real title"),
        ("download:\n\nADVERTISEMENT\nShare this article\nListen\nReal\n", "Real"),
        ("Download\n", "Download"),  # nothing else: better the furniture than nothing
        ("Downloads of the year\nx", "Downloads of the year"),
        ("   \n\t\nT\u00e9l\u00e9gramme 😀\n", "T\u00e9l\u00e9gramme 😀"),
    ],
)
def test_titles(text, title):
    assert article_title(text) == title
    assert article_from_text(text).title == title


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hello, world!", 2),
        ("NATO's head-to-head talks — in 2021.", 5),
        ("Russia’s top diplomat", 3),
        ("日本語 text", 2),
        ("  \r\n\t ", 0),
        ("one\r\ntwo\tthree", 3),
    ],
)
def test_word_count(text, words):
    assert article_from_text(text).words == words


# --------------------------------------------------------------------------- bad input


def warnings_for(corpus: Corpus, name: str) -> list[str]:
    return [w for w in corpus.warnings if name in w]


def test_bad_files_are_skipped_with_one_warning_each(tmp_path):
    folder = tmp_path / "corpus"
    write(folder, "a_good.txt", "Good article\nbody")
    write(folder, "b_latin1.txt", "Café au lait\n".encode("latin-1"))
    write(folder, "c_binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8\xff")
    write(folder, "d_empty.txt", b"")
    write(folder, "e_space.txt", " \r\n\t\n  ")
    write(folder, "f_surrogate.txt", b"abc \xed\xa0\x80 def")  # UTF-8-encoded lone surrogate
    write(folder, "g_bom_only.txt", BOM)
    write(folder, "z_good.txt", "Other good article")
    corpus = load_corpus([folder])
    assert [a.id for a in corpus] == ["a_good", "z_good"]
    assert len(corpus.warnings) == 6
    for warning in corpus.warnings:
        assert "\n" not in warning
    (latin1,) = warnings_for(corpus, "b_latin1.txt")
    assert "not UTF-8" in latin1 and "byte offset 3" in latin1
    assert str(folder / "b_latin1.txt") in latin1
    (binary,) = warnings_for(corpus, "c_binary.txt")
    assert "byte offset 0" in binary
    (surrogate,) = warnings_for(corpus, "f_surrogate.txt")
    assert "byte offset 4" in surrogate
    assert len(warnings_for(corpus, "d_empty.txt")) == 1
    assert len(warnings_for(corpus, "e_space.txt")) == 1
    assert len(warnings_for(corpus, "g_bom_only.txt")) == 1


def test_an_article_too_big_to_read_is_skipped_with_its_size(tmp_path, monkeypatch):
    """The limit is lowered here so the test need not write 10 MB: a .txt over it, and a
    .jsonl line over it, are skipped with one warning naming them; the rest loads."""
    import annotations.articles as articles_module

    monkeypatch.setattr(articles_module, "MAX_ARTICLE_BYTES", 1024 * 1024)
    (tmp_path / "big.txt").write_text("word " * 300_000, encoding="utf-8")  # 1.4 MB
    (tmp_path / "small.txt").write_text("Putin met Biden.", encoding="utf-8")
    # "c": 0.6 MB of Cyrillic as UTF-8, but 1.8 MB as the JSON line (\\uXXXX each): it loads.
    lines = [{"id": "a", "text": "ok"}, {"id": "b", "text": "word " * 300_000},
             {"id": "c", "text": "\u0416" * 300_000}]  # fmt: skip
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    corpus = load_corpus([tmp_path])
    assert [a.id for a in corpus.articles] == ["a", "c", "small"]
    assert corpus.warnings == (
        f"{tmp_path / 'big.txt'}: 1.4 MB, more than one article may hold (1 MB), skipped; "
        "split it into articles (a .txt each, or a .jsonl with one per line)",
        f"{tmp_path / 'c.jsonl'}:2: 1.4 MB, more than one article may hold (1 MB), skipped; "
        "split it into articles (a .txt each, or a .jsonl with one per line)",
    )


def test_bad_jsonl_lines_are_skipped_with_their_line_number(tmp_path):
    lines = [
        json.dumps({"text": "good one", "id": "g1"}),
        '{"text": "unterminated',
        json.dumps({"id": "no-text"}),
        json.dumps({"text": 42, "id": "number"}),
        '{"text": "lone \\ud800 surrogate", "id": "s"}',
        json.dumps({"text": "   \r\n ", "id": "blank"}),
        json.dumps(["a", "list"]),
        json.dumps("a string"),
        json.dumps({"text": "good two", "id": "g2"}),
    ]
    path = write(tmp_path, "mixed.jsonl", "\n".join(lines) + "\n")
    corpus = load_corpus([path])
    assert [a.id for a in corpus] == ["g1", "g2"]
    assert corpus.articles[1].source == f"{path}:9"
    assert len(corpus.warnings) == 7
    for number, warning in zip(range(2, 9), corpus.warnings, strict=True):
        assert warning.startswith(f"{path}:{number}: "), warning
        assert "\n" not in warning
    assert "not valid JSON" in corpus.warnings[0]
    assert "'text'" in corpus.warnings[1]
    assert "'text'" in corpus.warnings[2]
    assert "surrogate" in corpus.warnings[3] and "offset 5" in corpus.warnings[3]
    assert "empty" in corpus.warnings[4]


def test_non_utf8_jsonl_line_is_skipped(tmp_path):
    data = (
        jsonl({"text": "ok", "id": "a"}).encode()
        + b'{"text": "Caf\xe9", "id": "b"}\n'
        + jsonl({"text": "ok too", "id": "c"}).encode()
    )
    corpus = load_corpus([write(tmp_path, "l.jsonl", data)])
    assert [a.id for a in corpus] == ["a", "c"]
    (warning,) = corpus.warnings
    assert warning.startswith(f"{tmp_path / 'l.jsonl'}:2: ") and "not UTF-8" in warning


@pytest.mark.parametrize("data", [b"", b"\n \r\n\t\n"], ids=["empty", "whitespace"])
def test_empty_jsonl_file_gives_one_warning(tmp_path, data):
    path = write(tmp_path, "empty.jsonl", data)
    write(tmp_path, "good.txt", "Good")
    corpus = load_corpus([tmp_path])
    assert [a.id for a in corpus] == ["good"]
    assert len(corpus.warnings) == 1
    assert str(path) in corpus.warnings[0]


def test_utf16_file_without_bom_is_skipped(tmp_path):
    """ASCII text saved as UTF-16-LE is valid UTF-8, full of NULs: binary, not an article."""
    path = write(tmp_path, "utf16.txt", "Russia said Wednesday\n".encode("utf-16-le"))
    write(tmp_path, "good.txt", "Good")
    corpus = load_corpus([tmp_path])
    assert [a.id for a in corpus] == ["good"]
    (warning,) = corpus.warnings
    assert str(path) in warning and "byte offset 1" in warning


def test_lone_surrogate_in_jsonl_id_or_meta_is_skipped(tmp_path):
    """Such an article could never be written to the store or an export as UTF-8."""
    lines = [
        '{"text": "ok", "id": "\\udc00"}',
        '{"text": "ok", "id": "m", "meta": {"source": "\\ud83d"}}',
        json.dumps({"text": "fine", "id": "fine"}),
    ]
    path = write(tmp_path, "s.jsonl", "\n".join(lines) + "\n")
    corpus = load_corpus([path])
    assert [a.id for a in corpus] == ["fine"]
    assert len(corpus.warnings) == 2
    assert corpus.warnings[0].startswith(f"{path}:1: ")
    assert corpus.warnings[1].startswith(f"{path}:2: ")


def test_missing_path_is_a_warning(tmp_path):
    write(tmp_path, "good.txt", "Good")
    corpus = load_corpus([tmp_path / "missing", tmp_path / "good.txt"])
    assert [a.id for a in corpus] == ["good"]
    (warning,) = corpus.warnings
    assert str(tmp_path / "missing") in warning


def test_unreadable_file_is_a_warning(tmp_path):
    path = write(tmp_path, "secret.txt", "Secret")
    write(tmp_path, "good.txt", "Good")
    path.chmod(0)
    try:
        if _readable(path):
            pytest.skip("running as a user who can read any file (root)")
        corpus = load_corpus([tmp_path])
        assert [a.id for a in corpus] == ["good"]
        assert len(warnings_for(corpus, "secret.txt")) == 1
    finally:
        path.chmod(0o644)


def _readable(path: Path) -> bool:
    try:
        path.read_bytes()
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------- duplicate ids


def test_two_txt_files_with_one_id(tmp_path):
    one = write(tmp_path / "a", "same.txt", "One")
    two = write(tmp_path / "b", "same.txt", "Two")
    with pytest.raises(CorpusError) as info:
        load_corpus([tmp_path / "a", tmp_path / "b"])
    message = str(info.value)
    assert str(one) in message and str(two) in message and "'same'" in message
    assert "\n" not in message


def test_txt_and_jsonl_with_one_id(tmp_path):
    txt = write(tmp_path, "x1.txt", "From a file")
    lines = write(
        tmp_path, "y.jsonl", jsonl({"text": "other", "id": "ok"}, {"text": "b", "id": "x1"})
    )
    with pytest.raises(CorpusError) as info:
        load_corpus([tmp_path])
    assert str(txt) in str(info.value) and f"{lines}:2" in str(info.value)


def test_two_jsonl_lines_with_one_id(tmp_path):
    path = write(tmp_path, "d.jsonl", jsonl({"text": "a", "id": "1"}, {"text": "b", "id": "1"}))
    with pytest.raises(CorpusError, match=f"{path}:1 and {path}:2"):
        load_corpus([path])


def test_duplicate_id_through_the_cli(tmp_path, monkeypatch, capsys):
    from tui.cli import main

    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a", "same.txt", "One")
    write(tmp_path / "b", "same.txt", "Two")
    code = main(["--store", str(tmp_path / "s.json"), "list", "a", "b"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1
    assert os.path.join("a", "same.txt") in lines[0]
    assert os.path.join("b", "same.txt") in lines[0]


# --------------------------------------------------------------------------- a big article


def test_one_megabyte_article_loads_with_right_offsets(tmp_path):
    paragraph = "Сергей Рябков said “talks” 😀 with NATO\t日本 e\u0301\r\n"
    count = 1_000_000 // len(paragraph.encode("utf-8")) + 1
    body = paragraph * count + "END-MARKER"
    raw = body.encode("utf-8")
    assert len(raw) > 1_000_000
    path = write(tmp_path, "big.txt", BOM + raw)
    corpus = load_corpus([path])
    assert corpus.warnings == ()
    article = corpus.articles[0]
    assert len(article.text) == len(body)
    marker = len(paragraph) * count
    assert article.text[marker:] == "END-MARKER"
    emoji = paragraph.index("😀")
    assert article.text[len(paragraph) * 1000 + emoji] == "😀"
    assert article.sha256 == hashlib.sha256(raw).hexdigest()
    assert article.title == paragraph.strip()
    index = article.line_index()
    assert index.line_count == count + 1
    assert index.line_col(marker) == (count, 0)
    assert index.offset(count, 4) == marker + 4
    assert index.line_col(len(paragraph) * 500 + emoji) == (500, emoji)


# --------------------------------------------------------------------------- LineIndex


def test_line_index_crlf():
    text = "ab\r\ncd\r\n\r\ne"
    index = LineIndex(text)
    assert index.line_count == 4
    assert index.line_col(0) == (0, 0)
    assert index.line_col(2) == (0, 2)  # the "\r"
    assert index.line_col(3) == (0, 3)  # the "\n"
    assert index.line_col(4) == (1, 0)
    assert index.line_col(8) == (2, 0)
    assert index.line_col(len(text)) == (3, 1)
    assert index.offset(1, 1) == 5
    assert index.offset(1, 99) == 8  # clamped to the start of the next line
    assert index.offset(3, 99) == len(text)
    with pytest.raises(ValueError):
        index.line_col(len(text) + 1)
    with pytest.raises(ValueError):
        index.line_col(-1)
    with pytest.raises(ValueError):
        index.offset(4, 0)


def test_line_index_empty_and_trailing_newline():
    assert LineIndex("").line_col(0) == (0, 0)
    index = LineIndex("a\r\n")
    assert index.line_count == 2
    assert index.line_col(3) == (1, 0)


@settings(max_examples=300)
@given(text=texts, data=st.data())
def test_line_index_round_trip(text, data):
    index = LineIndex(text)
    assert index.line_count == text.count("\n") + 1
    offsets = range(len(text) + 1)
    for offset in offsets if len(text) < 80 else data.draw(st.lists(st.sampled_from(offsets))):
        line, col = index.line_col(offset)
        assert line == text.count("\n", 0, offset)
        assert col == offset - (text.rfind("\n", 0, offset) + 1)
        assert index.offset(line, col) == offset
    for line in range(index.line_count):
        start = index.offset(line, 0)
        assert index.line_col(start) == (line, 0)
        assert start == 0 or text[start - 1] == "\n"

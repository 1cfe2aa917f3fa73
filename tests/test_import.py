"""`spantag import` and annotations.importer, on real files and real stores under tmp_path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotations.articles import load_corpus
from annotations.config import load_config
from annotations.formats import FormatError
from annotations.importer import import_files, iter_tasks, resolve_label
from annotations.spans import make_span
from annotations.store import Store
from tui.cli import main

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
LABELS = ("actor", "demand", "venue", "date")
CONFIG = """\
annotator: carol
corpus: [seeds/]
store: annotations.json
labels:
  - {name: actor, key: "1", colour: blue}
  - {name: demand, key: "2", colour: red}
  - {name: venue, key: "3", colour: green}
  - {name: date, key: "4", colour: magenta}
"""


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(SEEDS, root / "seeds")
        self.config = root / "config.yaml"
        self.config.write_text(CONFIG, encoding="utf-8")
        self.store = root / "annotations.json"
        self.articles = list(load_corpus([root / "seeds"]).articles)

    def cli(self, *args: str) -> int:
        return main(["--config", str(self.config), "--store", str(self.store), *args])

    def write(self, name: str, lines: list) -> Path:
        path = self.root / name
        path.write_text(
            "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
            encoding="utf-8",
        )
        return path

    def spans(self):
        with Store.open(self.store, read_only=True) as store:
            return store.all_spans()

    def offsets(self, index: int, word: str) -> tuple[int, int]:
        start = self.articles[index].text.index(word)
        return start, start + len(word)


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


def prodigy_line(project, index, marks, **extra):
    article = project.articles[index]
    spans = []
    for word, label in marks:
        start, end = project.offsets(index, word)
        spans.append({"start": start, "end": end, "label": label})
    return {"text": article.text, "meta": {"id": article.id}, "spans": spans, **extra}


def doccano_line(project, index, marks, **extra):
    article = project.articles[index]
    labels = [[*project.offsets(index, word), label] for word, label in marks]
    return {"id": article.id, "text": article.text, "label": labels, **extra}


def test_import_prodigy_adds_spans_with_the_config_annotator(project, capsys):
    path = project.write("in.jsonl", [prodigy_line(project, 0, [("Putin", "actor")])])
    assert project.cli("import", str(path)) == 0
    out, err = capsys.readouterr()
    assert out == "imported 1 span(s) into 1 article(s) from 1 of 1 line(s) in 1 file(s)\n"
    assert err == ""
    (span,) = project.spans()
    assert (span.article_id, span.text, span.label) == (project.articles[0].id, "Putin", "actor")
    assert (span.annotator, span.source) == ("carol", "import")


def test_import_keeps_sources_and_annotators_carried_by_the_line(project, capsys):
    line = prodigy_line(project, 0, [("Putin", "actor"), ("Wednesday", "date")])
    line["meta"].update(span_sources=["manual", "pattern"], span_annotators=["alice", "bob"])
    path = project.write("in.jsonl", [line])
    assert project.cli("import", str(path)) == 0
    got = sorted((s.text, s.source, s.annotator) for s in project.spans())
    assert got == [("Putin", "manual", "alice"), ("Wednesday", "pattern", "bob")]


def test_prodigy_multi_user_sessions_say_who_made_the_spans(project, capsys):
    """Prodigy's `_annotator_id` ("dataset-alice") names who answered; without it the config's
    annotator (carol) is used, and our own span_annotators win over it."""
    alice = prodigy_line(project, 0, [("Putin", "actor")], _annotator_id="news-alice")
    plain = prodigy_line(project, 1, [("NATO", "actor")])
    ours = prodigy_line(project, 0, [("Wednesday", "date")], _annotator_id="news-alice")
    ours["meta"].update(span_annotators=["bob"])
    path = project.write("in.jsonl", [alice, plain, ours])
    assert project.cli("import", str(path)) == 0
    got = sorted((s.text, s.annotator) for s in project.spans())
    assert got == [("NATO", "carol"), ("Putin", "news-alice"), ("Wednesday", "bob")]


def test_annotator_option_overrides_the_line(project, capsys):
    line = doccano_line(project, 0, [("Putin", "actor")], span_annotators=["alice"],
                        span_sources=["no-such-source"])  # fmt: skip
    path = project.write("in.jsonl", [line])
    assert project.cli("import", str(path), "--annotator", "dave") == 0
    (span,) = project.spans()
    assert (span.annotator, span.source) == ("dave", "import")


def test_doccano_and_prodigy_lines_are_told_apart_per_line(project, capsys):
    path = project.write(
        "mixed.jsonl",
        [
            doccano_line(project, 0, [("Putin", "actor")]),
            prodigy_line(project, 1, [("NATO", "actor")]),
            {"id": 7, "text": project.articles[2].text, "entities": [
                {"id": 1, "label": "actor", "start_offset": project.offsets(2, "Russia")[0],
                 "end_offset": project.offsets(2, "Russia")[1]}],
             "relations": [{"id": 1, "from_id": 1, "to_id": 1, "type": "x"}]},
        ],
    )  # fmt: skip
    assert project.cli("import", str(path)) == 0
    out, err = capsys.readouterr()
    assert err == f"note: {path}:3: 1 relation(s) not imported (spantag has no relations)\n"
    assert sorted(s.text for s in project.spans()) == ["NATO", "Putin", "Russia"]


def test_lines_match_by_text_when_the_id_is_unknown(project, capsys):
    line = doccano_line(project, 1, [("NATO", "actor")])
    line["id"] = 42  # doccano's own numbering
    path = project.write("in.jsonl", [line])
    assert project.cli("import", str(path)) == 0
    (span,) = project.spans()
    assert span.article_id == project.articles[1].id
    with Store.open(project.store, read_only=True) as store:
        assert store.stored_articles() == []  # matched, so not copied into the store


def test_same_id_with_other_text_is_skipped_with_its_line_number(project, capsys):
    other = "Another text, Putin."
    line = {"id": project.articles[0].id, "text": other, "label": [[14, 19, "actor"]]}
    path = project.write("in.jsonl", [line, doccano_line(project, 1, [("NATO", "actor")])])
    assert project.cli("import", str(path)) == 1
    out, err = capsys.readouterr()
    assert err == (
        f"skipped: {path}:1: article {project.articles[0].id!r} is in the corpus with a "
        f"different text; line skipped (its offsets would not fit)\n"
    )
    assert "; 1 problem(s), see above" in out
    assert [s.text for s in project.spans()] == ["NATO"]


def test_new_articles_are_kept_in_the_store_with_their_text(project, capsys):
    text = "Sergei Ryabkov met Karen Donfried in Geneva.\r\nTalks 😀 went on."
    path = project.write(
        "new.jsonl",
        [
            {"text": text, "meta": {"id": "new-1", "source": "wire.txt", "outlet": "TASS"},
             "spans": [{"start": 0, "end": 14, "label": "actor"}]},
            {"text": text + " More.", "label": [[37, 43, "venue"]]},  # no id: the text hash
        ],
    )  # fmt: skip
    assert project.cli("import", str(path)) == 0
    assert "(2 new to the corpus)" in capsys.readouterr().out
    with Store.open(project.store, read_only=True) as store:
        stored = {a.id: a for a in store.stored_articles()}
        assert "new-1" in stored and len(stored) == 2
        assert stored["new-1"].text == text
        assert stored["new-1"].meta == {"source": "wire.txt", "outlet": "TASS"}
        other = next(a for a in stored.values() if a.id != "new-1")
        assert len(other.id) == 16 and other.text == text + " More."
        assert {(s.article_id, s.text) for s in store.all_spans()} == {
            ("new-1", "Sergei Ryabkov"), (other.id, "Geneva"),
        }  # fmt: skip


def test_importing_twice_does_not_duplicate_spans(project, capsys):
    path = project.write("in.jsonl", [prodigy_line(project, 0, [("Putin", "actor")]),
                                      prodigy_line(project, 0, [("Putin", "actor")])])  # fmt: skip
    assert project.cli("import", str(path)) == 0
    assert "; 1 already stored" in capsys.readouterr().out
    assert project.cli("import", str(path)) == 0
    assert "imported 0 span(s)" in capsys.readouterr().out
    assert len(project.spans()) == 1


def test_bad_lines_are_reported_by_number_and_the_rest_imported(project, capsys):
    good = doccano_line(project, 1, [("NATO", "actor")])
    path = project.root / "bad.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf" + json.dumps(good).encode() + b"\n"  # a BOM on line 1 is fine
        + b"{not json\n"
        + b"\n"  # blank lines are skipped silently
        + b'{"text": "caf\xe9", "label": []}\n'  # Latin-1, not UTF-8
        + b"[1, 2]\n"
        + json.dumps(doccano_line(project, 0, [("Putin", "person")])).encode() + b"\n"
        + json.dumps({"text": project.articles[0].text, "label": [[0, 10**6, "actor"]]}).encode()
        + b"\n"
        + json.dumps({"text": project.articles[0].text}).encode() + b"\n"
    )  # fmt: skip
    assert project.cli("import", str(path)) == 1
    out, err = capsys.readouterr()
    problems = err.splitlines()
    assert [line.split(":")[2] for line in problems] == ["2", "4", "5", "6", "7", "8"]
    assert "not valid JSON" in problems[0]
    assert "not UTF-8" in problems[1]
    assert "expected a JSON object" in problems[2]
    assert "label 'person' is not in config.yaml" in problems[3]
    assert "outside the text" in problems[4]
    assert "neither prodigy" in problems[5]
    assert out.startswith("imported 1 span(s) into 1 article(s) from 1 of 7 line(s)")
    assert [s.text for s in project.spans()] == ["NATO"]


def test_a_line_is_all_or_nothing(project, capsys):
    line = doccano_line(project, 0, [("Putin", "actor")])
    line["label"].append([0, 10**6, "actor"])
    path = project.write("in.jsonl", [line])
    assert project.cli("import", str(path)) == 1
    assert project.spans() == []


def test_nothing_stored_is_replaced_or_lost(project, capsys):
    article = project.articles[0]
    start, end = project.offsets(0, "Vladimir Putin")
    with Store.open(project.store) as store:
        kept = store.add(make_span(article.id, article.text, start, end, "actor", LABELS,
                                   "carol")).added[0]  # fmt: skip
    # "Putin" alone, same label, same annotator: storing it would replace "Vladimir Putin".
    path = project.write("in.jsonl", [prodigy_line(project, 0, [("Putin", "actor"),
                                                                ("Wednesday", "date")])])
    assert project.cli("import", str(path)) == 1
    out, err = capsys.readouterr()
    assert "overlaps" in err and "'Vladimir Putin'" in err and "not imported" in err
    spans = project.spans()
    assert kept in spans
    assert sorted(s.text for s in spans) == ["Vladimir Putin", "Wednesday"]
    # Another annotator's overlapping span is a different annotation: it is imported.
    assert project.cli("import", str(path), "--annotator", "erin") == 0
    assert len(project.spans()) == 4


def test_labels_match_the_config_ignoring_case(project, capsys):
    path = project.write("in.jsonl", [prodigy_line(project, 0, [("Putin", "ACTOR")])])
    assert project.cli("import", str(path)) == 0
    assert [s.label for s in project.spans()] == ["actor"]


def test_rejected_and_ignored_prodigy_answers_are_noted_not_imported(project, capsys):
    path = project.write(
        "in.jsonl",
        [
            prodigy_line(project, 0, [("Putin", "actor")], answer="reject"),
            prodigy_line(project, 1, [("NATO", "actor")], answer="ignore"),
        ],
    )
    assert project.cli("import", str(path)) == 0
    err = capsys.readouterr().err
    assert f"note: {path}:1: answer is 'reject'; not imported" in err
    assert f"note: {path}:2: answer is 'ignore'; not imported" in err
    assert project.spans() == []


def test_missing_file_is_a_user_error_before_anything_is_read(project, capsys):
    good = project.write("in.jsonl", [prodigy_line(project, 0, [("Putin", "actor")])])
    assert project.cli("import", str(good), str(project.root / "nope.jsonl")) == 1
    assert capsys.readouterr().err == f"spantag: {project.root / 'nope.jsonl'}: no such file\n"
    assert project.spans() == []


def test_empty_annotator_option_is_refused(project, capsys):
    good = project.write("in.jsonl", [prodigy_line(project, 0, [("Putin", "actor")])])
    assert project.cli("import", str(good), "--annotator", " ") == 1


def test_import_files_api_and_report(project):
    config = load_config(project.config)
    path = project.write("in.jsonl", [prodigy_line(project, 0, [("Putin", "actor")]),
                                      doccano_line(project, 1, [("NATO", "actor")])])
    with Store.open(project.store) as store:
        report = import_files([path], store, project.articles, config)
    assert report.ok
    assert (report.files, report.lines, report.imported, report.spans) == (1, 2, 2, 2)
    assert report.formats == {"prodigy": 1, "doccano": 1}
    assert report.articles == {project.articles[0].id, project.articles[1].id}


def test_many_articles_import_in_batches(project):
    config = load_config(project.config)
    text = "Putin met Biden in Geneva on Wednesday."
    lines = [{"id": f"n{i:04d}", "text": f"{text} {i}", "label": [[0, 5, "actor"], [10, 15,
             "actor"], [19, 25, "venue"]]} for i in range(300)]  # fmt: skip
    path = project.write("many.jsonl", lines)
    with Store.open(project.store) as store:
        report = import_files([path], store, project.articles, config)
        assert report.spans == 900 and len(report.added_articles) == 300
        assert len(store.stored_articles()) == 300


def test_iter_tasks_and_resolve_label(project):
    path = project.write("in.jsonl", ["{", doccano_line(project, 0, [("Putin", "actor")])])
    results = list(iter_tasks(path))
    assert [n for n, _ in results] == [1, 2]
    assert isinstance(results[0][1], FormatError) and results[1][1].format == "doccano"
    assert resolve_label("Venue", LABELS, "w") == "venue"
    with pytest.raises(FormatError, match="w: label 'X' is not in config.yaml"):
        resolve_label("X", LABELS, "w")


# -- lines from other tools: browser offsets, stray whitespace ------------------------------


def test_doccano_offsets_counted_in_utf16_units_are_read_as_such(project, capsys):
    """doccano's browser counts an emoji as two units: after one, its offsets are one ahead.
    Read as code points, [3, 8) would be 'utin ' and [22, 28) 'eneva.'."""
    text = "\U0001f600 Putin met Biden in Geneva."
    line = {"id": "u16", "text": text, "label": [[3, 8, "actor"], [22, 28, "venue"]]}
    path = project.write("u16.jsonl", [line])
    assert project.cli("import", str(path)) == 0
    err = capsys.readouterr().err
    assert f"note: {path}:1: offsets read as UTF-16 units" in err
    assert sorted((s.text, s.label) for s in project.spans()) == [
        ("Geneva", "venue"),
        ("Putin", "actor"),
    ]


@pytest.mark.parametrize(
    ("text", "units", "expected"),
    [
        ("\U0001f600 We saw 5 cats", (10, 11), "5"),  # as code points: the space after it
        ("\U0001f600 I said: \u201cParis\u201d is nice", (11, 18), "\u201cParis\u201d"),
        ("\U0001f600\U0001f600 ab cd", (4, 5), "b"),  # as units: a space; so taken as it is
    ],
)
def test_utf16_offsets_are_taken_only_when_they_fit_and_code_points_do_not(
    project, capsys, text, units, expected
):
    line = {"id": "u", "text": text, "label": [[*units, "actor"]]}
    assert project.cli("import", str(project.write("u.jsonl", [line]))) == 0
    assert [s.text for s in project.spans()] == [expected]


def test_a_line_of_ours_edited_in_doccano_is_read_in_utf16_units(project, capsys):
    """doccano keeps our extra keys; a span past the end of the text as code points gives
    its browser's count away."""
    text = "\U0001f600 Putin met Biden"
    line = {"id": "e", "text": text, "label": [[13, 18, "actor"]], "span_sources": ["manual"]}
    assert project.cli("import", str(project.write("e.jsonl", [line]))) == 0
    assert [s.text for s in project.spans()] == ["Biden"]


def test_code_point_offsets_after_an_emoji_stay_as_they_are(project, capsys):
    text = "\U0001f600 Putin met Biden in Geneva."
    start = text.index("Putin")
    path = project.write("cp.jsonl", [{"id": "cp", "text": text,
                                       "label": [[start, start + 5, "actor"]]}])  # fmt: skip
    assert project.cli("import", str(path)) == 0
    assert "UTF-16" not in capsys.readouterr().err
    assert [s.text for s in project.spans()] == ["Putin"]


def test_whitespace_at_a_span_edge_is_trimmed_with_a_note(project, capsys):
    text = "Putin met Biden in Geneva."
    path = project.write("ws.jsonl", [
        {"id": "w", "text": text, "label": [[0, 6, "actor"]]},
        {"text": text + " Again.", "spans": [{"start": 9, "end": 16, "label": "actor"}]},
    ])  # fmt: skip
    assert project.cli("import", str(path)) == 0
    err = capsys.readouterr().err
    assert f"{path}:1: label 1: span [0, 6) 'Putin ' trimmed to [0, 5) 'Putin'" in err
    assert f"{path}:2: span 1: span [9, 16) ' Biden ' trimmed to [10, 15) 'Biden'" in err
    assert sorted(s.text for s in project.spans()) == ["Biden", "Putin"]
    assert project.cli("export", "-f", "prodigy") == 0  # the tokenised export takes them


def test_a_span_of_whitespace_alone_is_left_out_and_the_rest_imported(project, capsys):
    path = project.write("blank.jsonl", [
        {"id": "b", "text": "Putin met\n\nBiden.", "label": [[0, 5, "actor"], [9, 11, "actor"]]},
    ])  # fmt: skip
    assert project.cli("import", str(path)) == 0
    err = capsys.readouterr().err
    assert f"note: {path}:1: label 2: span [9, 11) is only whitespace ('\\n\\n'); left out" in err
    assert [s.text for s in project.spans()] == ["Putin"]


def test_a_line_spantag_wrote_is_read_exactly_as_written(project, capsys):
    """Our own export holds exactly what was stored (even a span some other import left with
    a space at its edge): read back as it is, so export -> import -> export is exact."""
    text = "\U0001f600 Putin met Biden"
    line = {"id": "own", "text": text, "label": [[3, 8, "actor"]], "span_sources": ["manual"],
            "span_annotators": ["carol"]}  # fmt: skip
    path = project.write("own.jsonl", [line])
    assert project.cli("import", str(path)) == 0
    assert [(s.start, s.end, s.text) for s in project.spans()] == [(3, 8, "utin ")]


def test_a_line_cut_short_is_reported_at_its_end(project, capsys):
    line = '{"text": "Putin met Biden.", "label": [[0, 5, "actor"]]'
    path = project.write("cut.jsonl", [line])
    assert project.cli("import", str(path)) == 1
    err = capsys.readouterr().err
    # Just past the last character (it used to say column 1, of a "line 2" after the break).
    assert f"{path}:1: not valid JSON (Expecting ',' delimiter, column {len(line) + 1})" in err


def test_an_article_too_big_is_not_imported_and_notes_are_capped(project, capsys, monkeypatch):
    import annotations.importer as importer

    monkeypatch.setattr(importer, "MAX_ARTICLE_BYTES", 1024)
    big = {"id": "big", "text": "word " * 400, "label": [[0, 4, "actor"]]}
    path = project.write("big.jsonl", [big])
    assert project.cli("import", str(path)) == 1
    assert "more than one article may hold (0 MB); line skipped" in capsys.readouterr().err
    assert project.spans() == []
    text = "Putin met Biden in Geneva."
    spaced = [{"id": f"s{n}", "text": f"{text} {n}", "label": [[0, 6, "actor"]]} for n in range(60)]
    assert project.cli("import", str(project.write("spaced.jsonl", spaced))) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note:")]
    assert len(notes) == 51 and notes[-1] == "note: ... and 10 more"

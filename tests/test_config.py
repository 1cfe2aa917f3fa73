"""config.yaml: the shipped file, where it is found, and one clear line for every bad input.

Every bad-input test goes through the real command (`tui.cli.main(["--config", p, "list"])`)
and checks what a user sees: one line on stderr naming the file and the field (and the line,
where YAML gives one), exit code 1, no traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rich.color import Color

from annotations.config import (
    CONFIG_NAME,
    DEFAULT_KEYS,
    EXPORT_FORMATS,
    Config,
    ConfigError,
    default_config_text,
    find_config,
    load_config,
    parse_config,
    write_default_config,
)
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "config.yaml"
PACKAGED = ROOT / "annotations" / "default_config.yaml"

ONE_LABEL = "labels:\n  - name: actor\n    key: '1'\n    colour: red\n"


# --------------------------------------------------------------------------- helpers


def write(folder: Path, text: str | bytes, name: str = CONFIG_NAME) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(capsys, path: Path) -> str:
    """Run `spantag --config PATH list`; assert exit 1 and one line, no traceback; return it."""
    code, out, err = run_cli(capsys, "--config", str(path), "list")
    assert code == 1, (code, out, err)
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert str(path) in lines[0], lines[0]
    return lines[0]


def comparable(config: Config) -> dict:
    """A config's settings with the paths made relative to the folder they hang from."""
    base = config.base_dir.resolve()
    return {
        "labels": config.labels,
        "keys": config.keys,
        "corpus": tuple(p.relative_to(base) for p in config.corpus),
        "store": config.store.relative_to(base),
        "annotator": config.annotator,
        "snap": config.snap_to_words,
        "export_format": config.export.format,
        "export_output": config.export.output.relative_to(base) if config.export.output else None,
        "patterns": config.patterns,
        "gazetteers": config.gazetteers,
    }


@pytest.fixture(autouse=True)
def _cwd(tmp_path, monkeypatch):
    """Every test runs in an empty folder, so nothing is written next to the repository."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


# --------------------------------------------------------------------------- the shipped file


def test_shipped_config_equals_packaged_default_byte_for_byte():
    assert SHIPPED.read_bytes() == PACKAGED.read_bytes()
    assert default_config_text().encode("utf-8") == PACKAGED.read_bytes()


def test_shipped_config_loads_with_the_issue_defaults():
    config = load_config(SHIPPED)
    assert config.path == SHIPPED.resolve()
    assert [(label.name, label.key) for label in config.labels] == [
        ("actor", "1"),
        ("demand", "2"),
        ("venue", "3"),
        ("date", "4"),
    ]
    for label in config.labels:
        Color.parse(label.colour)
        assert label.description
    assert config.label_names == ("actor", "demand", "venue", "date")
    assert config.corpus == ((ROOT / "seeds").resolve(),)
    assert config.store == (ROOT / "annotations.json").resolve()
    assert config.snap_to_words is True
    assert config.export.format == "prodigy"
    assert config.export.format in EXPORT_FORMATS
    assert set(config.patterns) <= set(config.label_names)
    assert set(config.gazetteers) <= set(config.label_names)
    assert config.annotator  # null -> the login name (or a fallback), never empty


def test_shipped_keys_section_equals_DEFAULT_KEYS():
    data = yaml.safe_load(default_config_text())
    assert {str(k): str(v) for k, v in data["keys"].items()} == DEFAULT_KEYS
    assert len(set(DEFAULT_KEYS.values())) == len(DEFAULT_KEYS), "default keys must be unique"
    label_keys = {label["key"] for label in data["labels"]}
    assert not label_keys & set(DEFAULT_KEYS.values())


def test_shipped_config_is_commented():
    """Every setting the issue lists has a comment right above it."""
    lines = default_config_text().splitlines()
    assert lines[0].startswith("#")
    for key in ("annotator", "corpus", "store", "snap_to_words", "labels", "keys", "export"):
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        assert lines[index - 1].startswith("#"), f"{key} has no comment above it"
    data = yaml.safe_load(default_config_text())
    for action in DEFAULT_KEYS:  # the key bindings carry trailing comments or are obvious
        assert action in data["keys"]


def test_builtin_defaults_equal_the_shipped_file(tmp_path, _cwd):
    builtin = load_config(None)
    assert builtin.path is None
    assert builtin.base_dir == _cwd
    assert builtin.store == _cwd / "annotations.json"
    assert builtin.corpus == (_cwd / "seeds",)
    copy = write(tmp_path / "elsewhere", SHIPPED.read_bytes())
    shipped = load_config(copy)
    assert shipped.path == copy.resolve()
    assert comparable(builtin) == comparable(shipped)


def test_builtin_defaults_use_the_given_cwd(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    config = load_config(None, cwd=folder)
    assert config.path is None
    assert config.corpus == ((folder / "seeds").resolve(),)
    assert config.store == (folder / "annotations.json").resolve()


# --------------------------------------------------------------------------- lookup order


def test_lookup_explicit_beats_cwd_beats_builtin(tmp_path, _cwd):
    assert find_config(None) is None
    assert load_config(None).path is None

    in_cwd = write(_cwd, ONE_LABEL + "annotator: from-cwd\n")
    assert find_config(None) == in_cwd.resolve()
    assert load_config(None).annotator == "from-cwd"

    explicit = write(tmp_path / "other", ONE_LABEL + "annotator: explicit\n", "mine.yaml")
    assert find_config(explicit) == explicit.resolve()
    config = load_config(explicit)
    assert config.annotator == "explicit"
    assert config.path == explicit.resolve()


def test_lookup_with_cwd_argument(tmp_path):
    project = tmp_path / "p"
    write(project, ONE_LABEL + "annotator: there\n")
    assert load_config(None, cwd=project).annotator == "there"
    assert load_config(None, cwd=tmp_path).path is None


def test_explicit_config_that_does_not_exist(tmp_path, capsys):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match="not found"):
        load_config(missing)
    line = one_error_line(capsys, missing)
    assert "not found" in line


def test_explicit_config_that_is_a_folder_says_so(tmp_path, capsys):
    line = one_error_line(capsys, tmp_path)
    assert f"{tmp_path}: is a folder; give the config file (its config.yaml)" in line


def test_explicit_config_that_is_a_folder(tmp_path):
    with pytest.raises(ConfigError, match=re.escape(str(tmp_path))):
        load_config(tmp_path)


def test_cli_uses_config_in_cwd(tmp_path, _cwd, capsys):
    """A broken config.yaml in the current folder is the one `spantag list` reads."""
    path = write(_cwd, ONE_LABEL + "bogus: 1\n")
    code, _, err = run_cli(capsys, "list")
    assert code == 1
    assert str(path.resolve()) in err and "bogus" in err


def test_cli_explicit_config_wins_over_cwd(tmp_path, _cwd, capsys):
    write(_cwd, "this: [is not, valid\n")
    explicit = write(tmp_path / "good", ONE_LABEL + "bogus_key_in_explicit: 1\n")
    code, _, err = run_cli(capsys, "--config", str(explicit), "list")
    assert code == 1
    assert "bogus_key_in_explicit" in err and "invalid YAML" not in err


# --------------------------------------------------------------------------- relative paths


def test_relative_paths_are_relative_to_the_config_folder(tmp_path, _cwd):
    project = tmp_path / "project"
    text = (
        ONE_LABEL
        + "corpus:\n  - articles/\n  - more/one.txt\n"
        + "store: data/s.json\n"
        + "export:\n  format: doccano\n  output: out/x.jsonl\n"
        + "gazetteers:\n  actor: lists/actors.txt\n"
    )
    path = write(project, text)
    config = load_config(path)
    assert config.base_dir == project.resolve()
    assert config.corpus == ((project / "articles").resolve(), (project / "more/one.txt").resolve())
    assert config.store == (project / "data/s.json").resolve()
    assert config.export.output == (project / "out/x.jsonl").resolve()
    assert config.export.format == "doccano"
    assert config.gazetteers == {"actor": ((project / "lists/actors.txt").resolve(),)}
    # A relative --config is found from the cwd, and its paths still hang from its own folder.
    relative = Path("..") / "project" / CONFIG_NAME
    assert load_config(relative).store == (project / "data/s.json").resolve()


def test_absolute_paths_stay_absolute(tmp_path):
    target = tmp_path / "abs" / "store.json"
    path = write(tmp_path / "p", ONE_LABEL + f"store: {target}\ncorpus: {tmp_path / 'c'}\n")
    config = load_config(path)
    assert config.store == target
    assert config.corpus == (tmp_path / "c",)


def test_cli_list_reads_the_corpus_relative_to_the_config(tmp_path, capsys):
    project = tmp_path / "project"
    (project / "articles").mkdir(parents=True)
    (project / "articles" / "alpha_article.txt").write_text("Alpha title\nBody text.\n")
    path = write(project, ONE_LABEL + "corpus: articles/\nstore: s.json\n")
    code, out, err = run_cli(capsys, "--config", str(path), "list")
    assert code == 0, err
    assert "alpha_article" in out
    assert not (tmp_path / "cwd" / "annotations.json").exists()


# --------------------------------------------------------------------------- settings that load


def test_minimal_config_fills_defaults(tmp_path):
    config = load_config(write(tmp_path, ONE_LABEL))
    assert config.keys == DEFAULT_KEYS
    assert config.snap_to_words is True
    assert config.export.format == "prodigy" and config.export.output is None
    assert config.store == (tmp_path / "annotations.json").resolve()
    assert config.corpus == ((tmp_path / "seeds").resolve(),)


def test_settings_are_read(tmp_path):
    text = (
        "annotator: alice\nsnap_to_words: false\n"
        "labels:\n"
        "  - {name: PERSON, key: a, colour: 'rgb(10,20,30)', description: People}\n"
        "  - {name: ORG, key: o, colour: '#ff8800'}\n"
        "keys:\n  quit: ctrl+q\n  undo: z\n"
        "export:\n  format: conll\n"
        "patterns:\n  ORG:\n    regex: ['\\bNATO\\b']\n    phrases: [United Nations]\n"
    )
    config = load_config(write(tmp_path, text))
    assert config.annotator == "alice"
    assert config.snap_to_words is False
    assert config.label_names == ("PERSON", "ORG")
    assert config.label("PERSON").description == "People"
    assert config.label("ORG").description == ""
    assert config.colours == {"PERSON": "rgb(10,20,30)", "ORG": "#ff8800"}
    assert config.keys["quit"] == "ctrl+q" and config.keys["undo"] == "z"
    assert config.keys["redo"] == DEFAULT_KEYS["redo"]
    assert config.export.format == "conll"
    assert config.patterns["ORG"].regex == (r"\bNATO\b",)
    assert config.patterns["ORG"].phrases == ("United Nations",)
    with pytest.raises(KeyError):
        config.label("nope")


def test_swapping_two_action_keys_is_allowed(tmp_path):
    config = load_config(write(tmp_path, ONE_LABEL + "keys:\n  quit: d\n  toggle_done: q\n"))
    assert config.keys["quit"] == "d" and config.keys["toggle_done"] == "q"


def test_config_with_utf8_bom_loads(tmp_path):
    """Notepad writes a BOM; it is not a reason to refuse the file."""
    config = load_config(write(tmp_path, b"\xef\xbb\xbf" + ONE_LABEL.encode()))
    assert config.label_names == ("actor",)


def test_crlf_config_loads(tmp_path):
    config = load_config(write(tmp_path, ONE_LABEL.replace("\n", "\r\n").encode()))
    assert config.label_names == ("actor",)


def test_parse_config_without_a_path_names_the_builtin_config():
    with pytest.raises(ConfigError, match="^built-in config"):
        parse_config("labels: []\n", None)


# --------------------------------------------------------------------------- bad input


def test_malformed_yaml(tmp_path, capsys):
    path = write(tmp_path, "labels:\n  - name: actor\n    key: '1'\n  colour: [red\n")
    line = one_error_line(capsys, path)
    assert "invalid YAML" in line
    assert re.search(r", line \d+:", line)


def test_malformed_yaml_gives_the_line_of_the_problem(tmp_path, capsys):
    path = write(tmp_path, ONE_LABEL + "keys:\n\tquit: q\n")  # a tab on line 6
    line = one_error_line(capsys, path)
    assert f"{path}, line 6: invalid YAML" in line


def test_two_yaml_documents(tmp_path, capsys):
    line = one_error_line(capsys, write(tmp_path, ONE_LABEL + "---\nannotator: x\n"))
    assert "invalid YAML" in line and ", line 5" in line


def test_a_top_level_key_written_twice(tmp_path, capsys):
    """A second `labels:` block would silently replace the first: refused, with both lines."""
    path = write(tmp_path, ONE_LABEL + "labels:\n  - name: venue\n    key: '3'\n")
    line = one_error_line(capsys, path)
    assert f"{path}, line 5: labels: given twice (first on line 1)" in line


def test_a_key_written_twice_inside_a_label(tmp_path, capsys):
    text = "labels:\n  - name: actor\n    key: '1'\n    colour: red\n    colour: blue\n"
    line = one_error_line(capsys, write(tmp_path, text))
    assert ", line 5: labels.0.colour: given twice (first on line 4)" in line


def test_an_action_bound_twice_in_keys(tmp_path, capsys):
    line = one_error_line(capsys, write(tmp_path, ONE_LABEL + "keys:\n  quit: q\n  quit: Q\n"))
    assert ", line 7: keys.quit: given twice (first on line 6)" in line


def test_yaml_merge_keys_are_not_mistaken_for_duplicates(tmp_path):
    """`<<: *anchor` then a key of the same name overrides the merged value: plain YAML."""
    text = (
        "labels:\n"
        "  - &a {name: actor, key: '1', colour: red}\n"
        "  - <<: *a\n"
        "    name: venue\n"
        "    key: '3'\n"
    )
    config = load_config(write(tmp_path, text))
    assert config.label_names == ("actor", "venue")
    assert config.label("venue").colour == "red"


def test_unknown_top_level_key(tmp_path, capsys):
    path = write(tmp_path, ONE_LABEL + "snap_to_word: true\n")
    line = one_error_line(capsys, path)
    assert f"{path}, line 5: snap_to_word: unknown key" in line
    assert "snap_to_words" in line  # the known keys are listed


def test_unknown_key_inside_a_label(tmp_path, capsys):
    text = "labels:\n  - name: actor\n    key: '1'\n    color: red\n"
    line = one_error_line(capsys, write(tmp_path, text))
    assert ", line 4: labels.0.color: unknown key" in line
    assert "colour" in line


def test_unknown_key_inside_the_second_label(tmp_path, capsys):
    text = ONE_LABEL + "  - name: venue\n    key: '3'\n    colour: green\n    hotkey: v\n"
    line = one_error_line(capsys, write(tmp_path, text))
    assert ", line 8: labels.1.hotkey: unknown key" in line


def test_unknown_key_in_keys(tmp_path, capsys):
    line = one_error_line(capsys, write(tmp_path, ONE_LABEL + "keys:\n  frobnicate: z\n"))
    assert ", line 6: keys.frobnicate: unknown key" in line


def test_unknown_key_in_export(tmp_path, capsys):
    line = one_error_line(capsys, write(tmp_path, ONE_LABEL + "export:\n  fmt: conll\n"))
    assert ", line 6: export.fmt: unknown key" in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # keys no terminal sends
        ("labels:\n  - name: actor\n    key: '12'\n    colour: red\n",
         ", line 3: labels.0.key: '12' is not a key"),
        (ONE_LABEL + "keys:\n  undo: banana+q\n",
         ", line 6: keys.undo: 'banana' is not a modifier"),
        (ONE_LABEL + "keys:\n  undo: bananas\n", ", line 6: keys.undo: 'bananas' is not a key"),
        (ONE_LABEL + "keys:\n  quit: ' x'\n", ", line 6: keys.quit: ' x' has spaces around it"),
        # a key and its name are one key: `quit: slash` would take "/" from the filter
        (ONE_LABEL + "keys:\n  quit: slash\n",
         ", line 6: keys.quit: duplicate key 'slash', also keys.filter"),
        # a character's Unicode name that is not what the key is sent as
        (ONE_LABEL + "keys:\n  quit: solidus\n",
         ", line 6: keys.quit: 'solidus' is not what the key is called: write 'slash'"),
        (ONE_LABEL + "keys:\n  quit: digit_one\n",
         ", line 6: keys.quit: 'digit_one' is not what the key is called: write '1'"),
        (ONE_LABEL + "keys:\n  undo: ctrl++\n",
         ", line 6: keys.undo: 'ctrl++': write the + key as 'plus' (ctrl+plus)"),
        # each of several keys for one action clashes like one
        (ONE_LABEL + "keys:\n  quit: 'Q,1'\n", ", line 6: keys.quit: duplicate key '1'"),
    ],
)  # fmt: skip
def test_keys_the_app_could_not_bind_as_written_are_refused(tmp_path, capsys, text, expected):
    assert expected in one_error_line(capsys, write(tmp_path, text))


def test_keys_may_be_characters_names_and_modifiers(tmp_path):
    text = ONE_LABEL + (
        "keys:\n  undo: ctrl+z\n  redo: shift+f5\n  help: question_mark\n"
        "  quit: 'escape,ctrl+q'\n  split: '+'\n  stats: ','\n"
    )
    keys = load_config(write(tmp_path, text)).keys
    assert (keys["undo"], keys["redo"], keys["help"]) == ("ctrl+z", "shift+f5", "question_mark")


def test_duplicate_hotkeys_two_labels(tmp_path, capsys):
    text = ONE_LABEL + "  - name: venue\n    key: '1'\n    colour: green\n"
    line = one_error_line(capsys, write(tmp_path, text))
    assert ", line 6: labels.1.key: duplicate key '1'" in line
    assert "labels.0.key" in line


def test_duplicate_hotkeys_label_and_user_set_action(tmp_path, capsys):
    line = one_error_line(capsys, write(tmp_path, ONE_LABEL + "keys:\n  quit: '1'\n"))
    assert ", line 6: keys.quit: duplicate key '1'" in line
    assert "labels.0.key" in line


def test_duplicate_hotkeys_label_and_default_action_message_mentions_both(tmp_path, capsys):
    text = "labels:\n  - name: actor\n    colour: red\n    key: d\n"
    line = one_error_line(capsys, write(tmp_path, text))
    assert "duplicate key 'd'" in line
    assert "labels.0.key" in line and "keys.toggle_done" in line


def test_duplicate_hotkeys_label_and_default_action_names_the_label_key(tmp_path, capsys):
    """The field the user wrote (labels.0.key, line 4) leads the line, not the whole list."""
    text = "labels:\n  - name: actor\n    colour: red\n    key: d\n"
    line = one_error_line(capsys, write(tmp_path, text))
    assert ", line 4: labels.0.key: duplicate key 'd'" in line
    assert "keys.toggle_done" in line


def test_duplicate_hotkeys_action_and_default_action(tmp_path, capsys):
    """`quit: x` clashes with remove_span's default `x`: the user's keys.quit is to blame."""
    line = one_error_line(capsys, write(tmp_path, ONE_LABEL + "keys:\n  quit: x\n"))
    assert ", line 6: keys.quit: duplicate key 'x'" in line
    assert "keys.remove_span" in line


def test_duplicate_hotkeys_two_user_set_actions(tmp_path, capsys):
    line = one_error_line(capsys, write(tmp_path, ONE_LABEL + "keys:\n  quit: z\n  undo: z\n"))
    assert "duplicate key 'z'" in line
    assert "keys.quit" in line and "keys.undo" in line


def test_duplicate_label_name(tmp_path, capsys):
    text = ONE_LABEL + "  - name: actor\n    key: '2'\n    colour: blue\n"
    line = one_error_line(capsys, write(tmp_path, text))
    assert ", line 5: labels.1.name: duplicate label 'actor'" in line


@pytest.mark.parametrize("colour", ["notacolour", "rgb(300,0,0)", "#12345", "color(300)", "123"])
def test_colour_rich_cannot_parse(tmp_path, capsys, colour):
    text = f"labels:\n  - name: actor\n    key: '1'\n    colour: '{colour}'\n"
    line = one_error_line(capsys, write(tmp_path, text))
    assert ", line 4: labels.0.colour:" in line
    assert repr(colour) in line


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("annotator: me\n", id="no-labels-key"),
        pytest.param("labels:\n", id="labels-null"),
        pytest.param("labels: []\n", id="labels-empty-list"),
        pytest.param("", id="empty-file"),
        pytest.param("# only a comment\n", id="only-comments"),
    ],
)
def test_no_labels(tmp_path, capsys, text):
    line = one_error_line(capsys, write(tmp_path, text))
    assert "labels: no labels" in line


@pytest.mark.parametrize(
    ("text", "field", "line_no"),
    [
        ("- a\n- b\n", "(top level): expected a mapping", 1),
        ("just words\n", "(top level): expected a mapping", 1),
        ("labels: actor\n", "labels: expected a list", 1),
        ("labels: {name: actor}\n", "labels: expected a list", 1),
        ("labels:\n  - actor\n", "labels.0: expected a mapping", 2),
        ("labels:\n  - {key: '1', colour: red}\n", "labels.0: missing 'name'", 2),
        ("labels:\n  - {name: a, colour: red}\n", "labels.0: missing 'key'", 2),
        ("labels:\n  - {name: a, key: '1'}\n", "labels.0: missing 'colour'", 2),
        ("labels:\n  - {name: a, key: true, colour: red}\n", "labels.0.key: expected a string", 2),
        (
            "labels:\n  - {name: [a], key: '1', colour: red}\n",
            "labels.0.name: expected a string",
            2,
        ),
        ("labels:\n  - {name: a, key: ' ', colour: red}\n", "labels.0.key: must not be empty", 2),
        (ONE_LABEL + "snap_to_words: yes please\n", "snap_to_words: expected true or false", 5),
        (ONE_LABEL + "keys: [a]\n", "keys: expected a mapping", 5),
        (ONE_LABEL + "keys:\n  quit: null\n", "keys.quit: expected a string", 6),
        (ONE_LABEL + "keys:\n  quit: ''\n", "keys.quit: must not be empty", 6),
        (ONE_LABEL + "export: csv\n", "export: expected a mapping", 5),
        (ONE_LABEL + "store: [a, b]\n", "store: expected a string", 5),
        (ONE_LABEL + "annotator: [a]\n", "annotator: expected a string", 5),
        (ONE_LABEL + "corpus:\n  - seeds/\n  - {a: 1}\n", "corpus.1: expected a string", 7),
        (ONE_LABEL + "patterns: [actor]\n", "patterns: expected a mapping", 5),
        (ONE_LABEL + "patterns:\n  actor: [x]\n", "patterns.actor: expected a mapping", 6),
        (
            ONE_LABEL + "patterns:\n  actor:\n    regex: x\n",
            "patterns.actor.regex: expected a list",
            7,
        ),
        (ONE_LABEL + "patterns:\n  nolabel:\n    regex: [x]\n", "patterns.nolabel: unknown key", 6),
        (ONE_LABEL + "gazetteers:\n  nolabel: a.txt\n", "gazetteers.nolabel: unknown key", 6),
    ],
)
def test_wrong_types(tmp_path, capsys, text, field, line_no):
    path = write(tmp_path, text)
    line = one_error_line(capsys, path)
    assert f"{path}, line {line_no}: {field}" in line


def test_wrong_type_description(tmp_path, capsys):
    text = ONE_LABEL + "    description: [a, b]\n"
    line = one_error_line(capsys, write(tmp_path, text))
    assert ", line 5: labels.0.description: expected a string" in line


def test_unknown_export_format(tmp_path, capsys):
    line = one_error_line(capsys, write(tmp_path, ONE_LABEL + "export:\n  format: csv\n"))
    assert ", line 6: export.format: unknown format 'csv'" in line
    for fmt in EXPORT_FORMATS:
        assert fmt in line


def test_bad_regex_in_patterns(tmp_path, capsys):
    text = ONE_LABEL + "patterns:\n  actor:\n    regex:\n      - 'ok'\n      - '(unclosed'\n"
    line = one_error_line(capsys, write(tmp_path, text))
    assert ", line 9: patterns.actor.regex.1: bad regular expression" in line


def test_non_utf8_config(tmp_path, capsys):
    path = write(tmp_path, ONE_LABEL.encode() + b"annotator: Jos\xe9\n")
    line = one_error_line(capsys, path)
    assert "not UTF-8" in line
    assert f"byte offset {len(ONE_LABEL) + len('annotator: Jos')}" in line


def test_config_errors_are_ConfigError_with_one_line(tmp_path):
    for text in ("labels: [", "labels: []", ONE_LABEL + "x: 1"):
        with pytest.raises(ConfigError) as info:
            parse_config(text, tmp_path / "c.yaml")
        assert "\n" not in str(info.value)
        assert str(info.value).startswith(str(tmp_path / "c.yaml"))


# --------------------------------------------------------------------------- spantag init


def test_write_default_config(tmp_path):
    target = tmp_path / "new.yaml"
    write_default_config(target)
    assert target.read_bytes() == PACKAGED.read_bytes()
    with pytest.raises(ConfigError, match="already exists"):
        write_default_config(target)


def test_init_writes_a_fresh_commented_config(_cwd, capsys):
    code, _, err = run_cli(capsys, "init")
    assert code == 0, err
    written = _cwd / CONFIG_NAME
    assert written.read_bytes() == PACKAGED.read_bytes()
    assert written.read_text().lstrip().startswith("#")
    config = load_config(None)  # the fresh file is found in the cwd and loads
    assert config.path == written.resolve()
    assert config.label_names == ("actor", "demand", "venue", "date")


def test_init_refuses_to_overwrite(_cwd, capsys):
    existing = write(_cwd, ONE_LABEL + "annotator: keep-me\n")
    before = existing.read_bytes()
    code, _, err = run_cli(capsys, "init")
    assert code == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and CONFIG_NAME in lines[0]
    assert existing.read_bytes() == before


def test_init_refuses_to_overwrite_a_broken_config(_cwd, capsys):
    existing = write(_cwd, b"labels: [\xff not yaml")
    code, _, err = run_cli(capsys, "init")
    assert code == 1
    assert "Traceback" not in err
    assert existing.read_bytes() == b"labels: [\xff not yaml"


def test_init_to_a_path_and_into_a_folder(tmp_path, _cwd, capsys):
    code, _, err = run_cli(capsys, "init", "other.yaml")
    assert code == 0, err
    assert (_cwd / "other.yaml").read_bytes() == PACKAGED.read_bytes()
    folder = tmp_path / "project"
    folder.mkdir()
    code, _, err = run_cli(capsys, "init", str(folder))
    assert code == 0, err
    assert (folder / CONFIG_NAME).read_bytes() == PACKAGED.read_bytes()
    code, _, err = run_cli(capsys, "init", str(folder))
    assert code == 1 and "already exists" in err
    assert not (_cwd / CONFIG_NAME).exists()


def test_init_elsewhere_ignores_a_broken_config_in_cwd(_cwd, capsys):
    """A user whose config.yaml is broken asks for a fresh one to compare: it must work."""
    write(_cwd, "labels: [\n")
    code, _, err = run_cli(capsys, "init", "fresh.yaml")
    assert code == 0, err
    assert (_cwd / "fresh.yaml").read_bytes() == PACKAGED.read_bytes()

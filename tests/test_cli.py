"""The `spantag` command: global options, --version/--help, exit codes, and `spantag list`."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from annotations import __version__
from annotations.spans import make_span
from annotations.store import Store
from tui.cli import _split, main
from tui.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
LABELS = ("actor", "demand", "venue", "date")
SCRIPT = Path(sys.executable).parent / "spantag"


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    """An empty cwd holding a copy of the seeds, and a terminal wide enough for a table."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def exits(capsys, *argv: str) -> tuple[int, str, str]:
    """argparse's own exits (--help, --version, usage errors) raise SystemExit."""
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    return info.value.code, out, err


def existing_commands() -> list[str]:
    return [name for name in COMMANDS if importlib.util.find_spec(f"tui.commands.{name}")]


# --------------------------------------------------------------------------- --version / --help


def test_version(capsys):
    code, out, _ = exits(capsys, "--version")
    assert code == 0
    assert out.strip() == f"spantag {__version__}"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["version"] == __version__


def test_version_with_global_options(capsys, tmp_path):
    code, out, _ = exits(capsys, "--store", str(tmp_path / "s.json"), "--version")
    assert code == 0 and __version__ in out


def test_top_level_help(capsys):
    code, out, _ = exits(capsys, "--help")
    assert code == 0
    assert out.startswith("usage: spantag")
    for option in ("--config", "--store", "--version"):
        assert option in out
    for name in COMMANDS:
        assert name.rstrip("_") in out


@pytest.mark.parametrize("name", COMMANDS)
def test_subcommand_help(capsys, name):
    if importlib.util.find_spec(f"tui.commands.{name}") is None:
        pytest.skip(f"tui/commands/{name}.py is not written yet")
    module = importlib.import_module(f"tui.commands.{name}")
    command = name.rstrip("_")
    assert module.NAME == command
    code, out, _ = exits(capsys, command, "--help")
    assert code == 0
    assert out.startswith(f"usage: spantag {command}")
    assert module.HELP.split()[0] in out


def test_subcommand_help_after_global_options(capsys, tmp_path):
    code, out, _ = exits(capsys, "--config", str(tmp_path / "x.yaml"), "list", "--help")
    assert code == 0 and out.startswith("usage: spantag list")


def test_console_script(tmp_path):
    if not SCRIPT.exists():
        pytest.skip("the spantag console script is not installed in this environment")
    result = subprocess.run(
        [str(SCRIPT), "--version"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == f"spantag {__version__}"
    result = subprocess.run(
        [str(SCRIPT), "--no-such-option"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 2
    assert "usage: spantag" in result.stderr and "Traceback" not in result.stderr


def test_module_entry_point_user_error(tmp_path):
    """`python -m tui.cli`: a user error is exit 1 and one line on stderr, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--config", str(tmp_path / "missing.yaml"), "list"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "missing.yaml" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- usage errors (2)


@pytest.mark.parametrize(
    "argv",
    [
        ["--no-such-option"],
        ["--config"],
        ["list", "--no-such-option"],
        ["--store", "s.json", "list", "--bogus"],
        ["init", "a.yaml", "b.yaml"],
    ],
)
def test_usage_errors_exit_2(capsys, work, argv):
    code, out, err = exits(capsys, *argv)
    assert code == 2
    assert "usage: spantag" in err
    assert "Traceback" not in err


def test_global_option_after_the_subcommand_is_a_usage_error(capsys, work):
    code, _, err = exits(capsys, "list", "--store", "s.json")
    assert code == 2 and "--store" in err


# --------------------------------------------------------------------------- global options


def test_split_global_options_subcommand_and_rest():
    assert _split(["--store", "s.json", "list", "seeds"]) == (
        ["--store", "s.json"],
        "list",
        ["seeds"],
    )
    assert _split(["--config", "c.yaml", "--store", "s.json", "export", "-o", "x"]) == (
        ["--config", "c.yaml", "--store", "s.json"],
        "export",
        ["-o", "x"],
    )
    assert _split(["--config=c.yaml", "--read-only", "stats"]) == (
        ["--config=c.yaml", "--read-only"],
        "stats",
        [],
    )
    assert _split(["import", "a.jsonl"]) == ([], "import_", ["a.jsonl"])
    # No subcommand: everything is for the app, paths included.
    assert _split(["--store", "s.json", "seeds"]) == (["--store", "s.json", "seeds"], None, [])
    assert _split([]) == ([], None, [])
    # A value that happens to be a subcommand's name is still the option's value.
    assert _split(["--store", "list", "stats"]) == (["--store", "list"], "stats", [])


def table_rows(out: str) -> dict[str, str]:
    """id -> the rest of the row, from a Rich table."""
    rows = {}
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.strip("│┃ ").split("│")]
        if cells and cells[0] in SEED_IDS:
            rows[cells[0]] = cells
    return rows


def test_store_before_subcommand_lists_seeds(capsys, work):
    code, out, err = run(capsys, "--store", "s.json", "list", "seeds")
    assert code == 0, err
    assert err == ""
    rows = table_rows(out)
    assert sorted(rows) == SEED_IDS
    assert rows["003_83cc758b4cb3b23b"][1] == (
        "Putin wants 'immediate' talks with NATO on Russia's security"
    )
    assert (
        rows["001_7deddba1370a0920"][1] == "Russia reveals whether it’s ready for talks with NATO"
    )
    assert "5 articles" in out
    assert not (work / "annotations.json").exists(), "--store was ignored"


def test_config_and_store_before_subcommand(capsys, work):
    config = work / "conf" / "my.yaml"
    config.parent.mkdir()
    config.write_text(
        "labels:\n  - {name: PER, key: '1', colour: red}\ncorpus: ../seeds\nstore: never.json\n"
    )
    code, out, err = run(capsys, "--config", str(config), "--store", "s.json", "list", "--json")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["id"] for row in rows] == SEED_IDS
    assert all(row["spans"] == {"PER": 0} for row in rows)
    assert not (work / "conf" / "never.json").exists()


def test_config_equals_form(capsys, work):
    config = work / "c.yaml"
    config.write_text("labels:\n  - {name: PER, key: '1', colour: red}\n")
    code, out, err = run(capsys, f"--config={config}", "list", "--json")
    assert code == 0, err
    assert len(out.splitlines()) == 5


def test_list_uses_the_builtin_corpus_seeds(capsys, work):
    code, out, err = run(capsys, "list")
    assert code == 0, err
    assert sorted(table_rows(out)) == SEED_IDS


def test_list_table_shows_titles_of_every_seed(capsys, work):
    code, out, _ = run(capsys, "list", "seeds")
    assert code == 0
    from annotations.articles import load_corpus

    rows = table_rows(out)
    for article in load_corpus([work / "seeds"]):
        shown = rows[article.id][1]
        assert shown.rstrip("…") and article.title.startswith(shown.rstrip("…"))
        assert len(shown.rstrip("…")) >= min(len(article.title), 40)


@pytest.mark.parametrize("columns", ["100", "250"])
def test_list_table_shows_words_labels_and_done(capsys, work, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    store_path = work / "s.json"
    text = (work / "seeds" / "003_83cc758b4cb3b23b.txt").read_text()
    with Store.open(store_path) as store:
        start = text.index("Putin")
        store.add(make_span("003_83cc758b4cb3b23b", text, start, start + 5, "actor", LABELS, "a"))
        store.set_done("003_83cc758b4cb3b23b", True)
    code, out, _ = run(capsys, "--store", str(store_path), "list", "seeds")
    assert code == 0
    header = next(line for line in out.splitlines() if "title" in line)
    for name in ("id", "words", *LABELS, "done"):
        assert f" {name} " in header, header
    rows = table_rows(out)
    assert sorted(rows) == SEED_IDS  # ids in full, not cut short
    row = rows["003_83cc758b4cb3b23b"]
    assert row[2:] == ["341", "1", "0", "0", "0", "✓"]
    assert max(len(line) for line in out.splitlines()) <= int(columns)


def test_list_json_counts_spans_and_done(capsys, work):
    store_path = work / "s.json"
    article_id = "000_abcb8c07387bfbf5"
    text = (work / "seeds" / f"{article_id}.txt").read_text()
    with Store.open(store_path) as store:
        for word, label in (("Russia", "actor"), ("Wednesday", "date"), ("Putin", "actor")):
            start = text.index(word)
            store.add(make_span(article_id, text, start, start + len(word), label, LABELS, "a"))
        store.set_done(article_id, True)
    code, out, err = run(capsys, "--store", str(store_path), "list", "--json", "seeds")
    assert code == 0, err
    rows = {row["id"]: row for row in map(json.loads, out.splitlines())}
    assert list(rows) == SEED_IDS
    assert rows[article_id]["spans"] == {"actor": 2, "demand": 0, "venue": 0, "date": 1}
    assert rows[article_id]["done"] is True
    assert rows["003_83cc758b4cb3b23b"]["done"] is False
    assert rows["003_83cc758b4cb3b23b"]["title"].startswith("Putin wants")
    assert all(row["words"] > 100 for row in rows.values())


def test_list_skips_bad_files_with_a_warning(capsys, work):
    (work / "seeds" / "zz_latin1.txt").write_bytes("Café\n".encode("latin-1"))
    code, out, err = run(capsys, "--store", "s.json", "list", "--json", "seeds")
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == SEED_IDS
    warnings = err.strip().splitlines()
    assert len(warnings) == 1 and "zz_latin1.txt" in warnings[0] and "not UTF-8" in warnings[0]


def test_list_files_and_jsonl(capsys, work):
    (work / "more.jsonl").write_text(json.dumps({"text": "JSONL title\nbody", "id": "j1"}) + "\n")
    code, out, err = run(
        capsys,
        "--store",
        "s.json",
        "list",
        "--json",
        "seeds/001_7deddba1370a0920.txt",
        "more.jsonl",
    )
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["title"]) for r in rows] == [
        ("001_7deddba1370a0920", "Russia reveals whether it’s ready for talks with NATO"),
        ("j1", "JSONL title"),
    ]


# --------------------------------------------------------------------------- user errors (1)


def test_user_error_is_one_line_exit_1(capsys, work):
    code, out, err = run(capsys, "--config", "missing.yaml", "list")
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("spantag: ") and "missing.yaml" in err


def test_what_the_file_system_refuses_is_one_line_exit_1(capsys, work):
    """An OSError no command turned into a message (here a name too long for the file
    system) is still one line naming the file, not a traceback."""
    code, out, err = run(capsys, "list", "a" * 300)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("spantag: ") and "File name too long" in err


def test_a_folder_given_as_the_store_is_one_line_exit_1(capsys, work):
    (work / "folder").mkdir()
    code, _, err = run(capsys, "--store", str(work / "folder"), "list")
    assert code == 1 and err.count("\n") == 1 and "is a folder" in err


def test_duplicate_ids_are_a_user_error(capsys, work):
    (work / "other").mkdir()
    shutil.copy(work / "seeds" / "000_abcb8c07387bfbf5.txt", work / "other")
    code, _, err = run(capsys, "--store", "s.json", "list", "seeds", "other")
    assert code == 1
    assert err.count("\n") == 1 and "000_abcb8c07387bfbf5" in err and "Traceback" not in err


def test_every_registered_command_exists():
    missing = sorted(set(COMMANDS) - set(existing_commands()))
    if missing:
        pytest.skip(f"not written yet: {', '.join(missing)}")
    for name in COMMANDS:
        module = importlib.import_module(f"tui.commands.{name}")
        for attribute in ("NAME", "HELP", "add_arguments", "run"):
            assert hasattr(module, attribute), f"{name}.{attribute}"

"""The domain (`annotations/`) never needs Textual, and the project skeleton is as the issue says.

The first half plays the role of harlequin's import-linter contract: every module under
`annotations/` imports in a fresh interpreter in which `import textual` fails.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "annotations"

BLOCKED_IMPORT = r"""
import importlib, json, pkgutil, sys

class BlockTextual:
    def find_spec(self, name, path=None, target=None):
        if name == "textual" or name.startswith("textual."):
            raise ImportError(f"textual is blocked: {name}")
        return None

sys.meta_path.insert(0, BlockTextual())
try:
    import textual  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("the blocker does not block textual")

import annotations
names = ["annotations"]
names += [m.name for m in pkgutil.walk_packages(annotations.__path__, "annotations.")]
failed = {}
for name in names:
    try:
        importlib.import_module(name)
    except Exception as error:
        failed[name] = f"{type(error).__name__}: {error}"
textual_loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(json.dumps({"imported": names, "failed": failed, "textual": textual_loaded}))
"""


def domain_modules() -> list[str]:
    names = []
    for path in sorted(DOMAIN.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_domain_module_imports_with_textual_blocked():
    import json

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failed"] == {}
    assert report["textual"] == []
    assert set(domain_modules()) <= set(report["imported"])
    assert {"annotations.config", "annotations.articles", "annotations.spans"} <= set(
        report["imported"]
    )


def test_blocker_really_blocks_textual():
    """The same finder makes an import of Textual fail (so the test above means something)."""
    code = BLOCKED_IMPORT.split("import annotations")[0] + "from textual.app import App\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode != 0
    assert "textual is blocked" in result.stderr


def imported_modules(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (
                    isinstance(node.func, ast.Name)
                    and node.func.id in {"__import__", "import_module"}
                )
            )
        ):
            names.add(node.args[0].value)
    return names


@pytest.mark.parametrize(
    "path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_textual_or_tui_import_in_the_domain(path):
    source = path.read_text(encoding="utf-8")
    for name in imported_modules(source):
        top = name.split(".")[0]
        assert top not in {"textual", "tui"}, f"{path.relative_to(ROOT)} imports {name}"
    # Belt and braces: a grep, for imports hidden in strings or exec.
    assert not re.search(r"^\s*(?:from|import)\s+(?:textual|tui)\b", source, re.M)
    assert not re.search(r"""import_module\(\s*["'](?:textual|tui)\b""", source)


def test_the_grep_finds_a_textual_import():
    assert imported_modules("from textual.app import App\n") == {"textual.app"}
    assert imported_modules("import importlib\nimportlib.import_module('textual')\n") >= {"textual"}
    assert imported_modules("def f():\n    import textual.widgets as w\n") == {"textual.widgets"}


# --------------------------------------------------------------------------- project skeleton


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0].strip().lower() for req in requirements}


def test_pyproject_distribution_and_script(pyproject):
    project = pyproject["project"]
    assert project["name"] == "spantag"
    assert project["requires-python"].replace(" ", "") == ">=3.11"
    assert project["scripts"] == {"spantag": "tui.cli:entry"}
    assert {"textual", "tinydb", "pyyaml", "filelock"} <= requirement_names(project["dependencies"])


def test_pyproject_packages(pyproject):
    packages = set(pyproject["tool"]["setuptools"]["packages"])
    assert {"annotations", "tui"} <= packages
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("annotations", "tui")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk <= packages, f"packages not listed in pyproject: {on_disk - packages}"
    assert "*.yaml" in pyproject["tool"]["setuptools"]["package-data"]["annotations"]


def test_pyproject_extras(pyproject):
    extras = pyproject["project"]["optional-dependencies"]
    assert {"pytest", "pytest-asyncio", "pytest-textual-snapshot", "hypothesis", "ruff"} <= (
        requirement_names(extras["test"])
    )
    assert "spacy" in requirement_names(extras["spacy"])


def test_top_level_config_and_seeds():
    assert (ROOT / "config.yaml").is_file()
    assert (ROOT / "config.yaml").read_bytes() == (DOMAIN / "default_config.yaml").read_bytes()
    assert len(list((ROOT / "seeds").glob("*.txt"))) == 5


def makefile_targets(text: str) -> dict[str, str]:
    """target -> its prerequisites line."""
    targets = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:(?!=)(.*)$", line)
        if match:
            targets[match.group(1)] = match.group(2)
    return targets


def test_makefile_targets_build_the_venv():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = makefile_targets(text)
    assert {"run", "test", "bench", "lint"} <= set(targets)
    assert "-m venv" in text and "python3" in text
    assert ".[test,spacy]" in text
    for target in ("run", "test", "bench", "lint"):
        assert targets[target].strip(), f"`make {target}` does not depend on installing"


def test_readme_gives_setup_commands_first():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [
        line.strip()
        for line in text.splitlines()
        if line.startswith("    ") or line.strip().startswith(("make ", "$ "))
    ]
    assert commands, "README has no commands"
    first = [c.split("#")[0].strip() for c in commands[:2]]
    assert first == ["make run", "make test"]


def test_ci_runs_make_test():
    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK)
    assert re.search(r"^\s*make test\s*$", ci.read_text(encoding="utf-8"), re.M)

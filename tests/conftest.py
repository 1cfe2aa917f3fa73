"""Fixtures shared by the app tests: a tmp project (seeds, config, store) and quiet apps.

Every app test runs the app users run (`tui.app.make_app`) on real files under `tmp_path`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from annotations.config import Config, default_config_text, load_config

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def quiet_textual(monkeypatch):
    """No animations and no blinking cursors, so Pilot tests and snapshots are stable."""
    from textual import constants

    monkeypatch.setattr(constants, "TEXTUAL_ANIMATIONS", "none")
    try:
        from tui.app import SpantagApp
    except ImportError:  # the app is not importable: its own tests will say why
        return
    monkeypatch.setattr(SpantagApp, "blink_cursor", False)


def write_config(folder: Path, extra: str = "", **replace: str) -> Path:
    """The shipped config with a fixed annotator, optional text replacements and extra YAML."""
    text = default_config_text().replace("annotator: null", "annotator: tester")
    for old, new in replace.items():
        text = text.replace(old, new)
    path = folder / "config.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder holding a copy of seeds/ and a config.yaml; the store is `annotations.json`."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    write_config(tmp_path)
    return tmp_path


@pytest.fixture
def config(project: Path) -> Config:
    return load_config(project / "config.yaml")


@pytest.fixture
def store_path(config: Config) -> Path:
    return config.store


@pytest.fixture
def make(config: Config):
    """`make(**options)` builds the app under test with `tui.app.make_app`."""
    from tui.app import make_app

    def build(cfg: Config | None = None, **options):
        return make_app(cfg or config, **options)

    return build

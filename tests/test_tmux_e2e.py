"""End to end in a real terminal: tmux runs `spantag`, a user tags and quits, export finds it.

Skipped only where tmux is not installed (`make test` installs it when apt-get is there).
The tmux server runs on its own socket, so it never touches the user's sessions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEEDS, write_config

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def spantag_command() -> list[str]:
    """The installed console script beside this Python, else `python -m tui.cli`."""
    script = Path(sys.executable).with_name("spantag")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "tui.cli"]


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def __call__(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        return result.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


@pytest.fixture
def tmux():
    server = Tmux(f"spantag-e2e-{os.getpid()}")
    yield server
    server("kill-server")
    folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
    (folder / server.socket).unlink(missing_ok=True)


def test_tag_quit_and_export_in_a_real_terminal(tmp_path: Path, tmux: Tmux):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    config = write_config(tmp_path)
    done = tmp_path / "exit-code"
    # Textual sizes itself from COLUMNS/LINES when they are set (pytest plugins set them).
    command = " ".join(["env -u COLUMNS -u LINES", *spantag_command(), "--config", str(config)])
    tmux(
        "new-session", "-d", "-s", "e2e", "-x", "120", "-y", "40", "-c", str(tmp_path),
        f"{command}; echo $? > {done}",
    )
    tmux.wait_for("Articles 5")
    tmux.wait_for("Ln 1, Col 1")
    tmux("send-keys", "-t", "e2e", "1")
    screen = tmux.wait_for("+actor")
    assert "[actor]" in screen
    tmux("send-keys", "-t", "e2e", "q")
    deadline = time.monotonic() + 20
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert done.exists(), tmux.screen()
    assert done.read_text().strip() == "0"

    result = subprocess.run(
        [*spantag_command(), "--config", str(config), "export", "--format", "doccano"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    first = sorted(SEEDS.glob("*.txt"))[0]
    text = first.read_text(encoding="utf-8")
    assert [r["id"] for r in records] == [first.stem]
    (start, end, label), = records[0]["label"]
    assert label == "actor"
    assert start == 0 and text[start:end] == text.split(":")[0] == "MOSCOW"

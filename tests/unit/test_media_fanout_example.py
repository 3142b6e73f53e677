"""examples/media_fanout.py runs offline (an in-memory fake service) and shows what it claims."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.offline import run_offline

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))

import media_fanout  # noqa: E402


def test_the_example_fans_out_then_resumes_without_submitting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with media_fanout.offline_client() as client:
        shown = media_fanout.run(client, tmp_path, poll_interval=0.01)
    assert shown["first"].counts == {"downloaded": 3}
    assert shown["first"].submitted == 3
    assert shown["second"].counts == {"downloaded": 3}
    assert shown["second"].submitted == 0  # the lost file came back, nothing was paid twice
    assert shown["files"] == ["cat.png", "heron.png", "otter.png"]
    assert (tmp_path / "out" / "otter.png").read_bytes().startswith(b"\x89PNG")
    out = capsys.readouterr().out
    assert "otter  submitted  task-2" in out
    assert "(0 submitted)" in out


def test_the_example_runs_as_a_script_offline() -> None:
    done = run_offline(str(ROOT / "examples" / "media_fanout.py"))  # a live call would fail
    assert done.returncode == 0, done.stderr[-3000:]
    assert "resume  -> 3 requests: 3 downloaded" in done.stdout
    assert "Traceback" not in done.stderr

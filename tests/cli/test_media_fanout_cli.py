"""``yescale media fan-out`` and ``yescale media resume`` against the fake media service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.faults.conftest import FaultServer, fault_server, hang_up, reply_json  # noqa: F401
from tests.faults.media_service import FakeMedia, content_for

from .support import Cli, Run

PROMPTS = [f"clip {i}" for i in range(5)]


@pytest.fixture
def fake(fault_server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> FakeMedia:  # noqa: F811
    service = FakeMedia(polls_to_finish=1)
    fault_server.script(service)
    monkeypatch.setenv("YESCALE_BASE_URL", fault_server.url)
    monkeypatch.setenv("YESCALE_SYSTEM_BASE_URL", fault_server.url)
    return service


def requests_file(tmp_path: Path, prompts: list[str] = PROMPTS) -> Path:
    path = tmp_path / "requests.jsonl"
    lines = [
        json.dumps({"model": "sora-2", "prompt": p, "key": f"k{i}"}) for i, p in enumerate(prompts)
    ]
    path.write_text("\n".join(lines) + "\n\n")
    return path


def fan_out(cli: Cli, tmp_path: Path, *extra: str) -> Run:
    return cli(
        "media",
        "fan-out",
        str(requests_file(tmp_path)),
        "--manifest",
        str(tmp_path / "m.jsonl"),
        "--out",
        str(tmp_path / "out"),
        "--poll-interval",
        "0.01",
        *extra,
    )


def resume(cli: Cli, tmp_path: Path, *extra: str) -> Run:
    return cli(
        "media",
        "resume",
        str(tmp_path / "m.jsonl"),
        "--out",
        str(tmp_path / "out"),
        "--poll-interval",
        "0.01",
        *extra,
    )


def test_fan_out_downloads_everything_and_prints_a_table(
    cli: Cli, fake: FakeMedia, tmp_path: Path
) -> None:
    run = fan_out(cli, tmp_path)
    assert run.code == 0, run.stderr
    for i, prompt in enumerate(PROMPTS):
        assert (tmp_path / "out" / f"k{i}.mp4").read_bytes() == content_for(prompt)
        assert f"k{i}" in run.stdout
    assert "5 downloaded" in run.stderr
    # a pipe gets one line per step, each with its task id
    assert "k0  submitted  task-" in run.stderr
    assert sum(fake.submits.values()) == len(PROMPTS)


def test_resume_submits_nothing_again_and_refetches_a_deleted_file(
    cli: Cli, fake: FakeMedia, tmp_path: Path
) -> None:
    assert fan_out(cli, tmp_path).code == 0
    (tmp_path / "out" / "k2.mp4").unlink()
    run = resume(cli, tmp_path, "--json")
    assert run.code == 0
    summary = run.json()
    assert summary["counts"] == {"downloaded": 5}
    assert summary["submitted"] == 0
    assert (tmp_path / "out" / "k2.mp4").read_bytes() == content_for("clip 2")
    assert sum(fake.submits.values()) == len(PROMPTS)
    assert fake.requests["file"] == len(PROMPTS) + 1


def test_an_unanswered_submit_is_exit_1_with_the_resume_command(
    cli: Cli, fake: FakeMedia, tmp_path: Path
) -> None:
    fake.fault("submit", hang_up, accept=True)
    run = fan_out(cli, tmp_path, "--no-recover", "--json")
    assert run.code == 1
    (unknown,) = [o for o in run.json()["outcomes"] if o["state"] == "unknown"]
    assert unknown["task_id"] is None
    assert f"yescale media resume {tmp_path / 'm.jsonl'} --out" in run.stderr
    again = resume(cli, tmp_path)  # recovers it from the task list
    assert again.code == 0
    assert sorted(fake.submits.values()) == [1] * len(PROMPTS)


def test_a_failed_task_is_exit_4(cli: Cli, fake: FakeMedia, tmp_path: Path) -> None:
    path = requests_file(tmp_path, ["ok", "FAIL this"])
    run = cli(
        "media", "fan-out", str(path), "-m", str(tmp_path / "m.jsonl"), "-o", str(tmp_path / "o"),
        "--poll-interval", "0.01",
    )  # fmt: skip
    assert run.code == 4
    assert "content policy" in run.stdout


def test_a_refused_key_is_exit_3_and_names_the_resume(
    cli: Cli, fake: FakeMedia, tmp_path: Path
) -> None:
    fake.fault("submit", reply_json(401, {"error": {"message": "Invalid token"}}), times=50)
    run = fan_out(cli, tmp_path)
    assert run.code == 3
    assert "yescale media resume" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"model": "sora-2", "prompt": "x"}\nnot json\n', "line 2 of"),
        ("\n\n", "holds no requests"),
        ('{"model": "sora-2", "prompt": "x"}\n{"model": "sora-2", "prompt": "x"}\n', "same key"),
        ('{"model": "gpt-4o-mini", "prompt": "x"}\n', "not a media model"),
    ],
)
def test_bad_requests_are_exit_2_before_any_request(
    cli: Cli,
    fake: FakeMedia,
    fault_server: FaultServer,  # noqa: F811
    tmp_path: Path,
    content: str,
    message: str,
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    run = cli("media", "fan-out", str(path), "-m", str(tmp_path / "m.jsonl"), "-o", str(tmp_path))
    assert run.code == 2, run.stderr
    assert message in run.words
    assert fault_server.count == 0


def test_resume_of_a_missing_manifest_is_exit_2(cli: Cli, fake: FakeMedia, tmp_path: Path) -> None:
    run = resume(cli, tmp_path)
    assert run.code == 2
    assert "no manifest" in run.words


def test_tasks_still_running_at_the_timeout_are_exit_5(
    cli: Cli, fake: FakeMedia, tmp_path: Path
) -> None:
    fake.polls_to_finish = 10_000
    run = fan_out(cli, tmp_path, "--timeout", "1", "--json")
    assert run.code == 5
    assert run.json()["counts"] == {"running": 5}
    assert "yescale media resume" in run.stderr
    fake.polls_to_finish = 0
    assert resume(cli, tmp_path).code == 0
    assert sum(fake.submits.values()) == len(PROMPTS)


def test_ctrl_c_is_exit_130_naming_the_manifest(
    cli: Cli, fake: FakeMedia, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yescale.resources.media_fanout as fanout

    def interrupted(make: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fanout, "run_blocking", interrupted)
    run = fan_out(cli, tmp_path)
    assert run.code == 130
    assert f"their ids are in {tmp_path / 'm.jsonl'}" in run.words
    assert "yescale media resume" in run.words


def test_a_terminal_gets_a_progress_bar(cli: Cli, fake: FakeMedia, tmp_path: Path) -> None:
    cli.runtime.terminal = True
    run = fan_out(cli, tmp_path)
    assert run.code == 0
    assert "media tasks" in run.stderr
    assert "5/5" in run.stderr
    assert "k0  submitted" not in run.stderr  # the bar instead of one line per step

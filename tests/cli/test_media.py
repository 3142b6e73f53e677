"""``yescale media submit|wait|get|download`` over cassettes of the media task API.

The synthesizer's tasks follow scripts chosen by the prompt (tests/synth/answers.py): a normal
one succeeds on the 4th poll, a prompt with "fail" fails on the 3rd, a "slow" one needs 6 polls.
The test's fake clock makes every wait instant, and a timeout a matter of polls.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vcr.cassette import Cassette

from tests.synth.answers import FAIL_REASON, REF_SORA_TASK, TINY_MP4, ref_json
from yescale.cli.exits import CREDENTIALS, INTERRUPTED, TASK_FAILED, TASK_RUNNING
from yescale.cli.media import parse_config

from .support import Cli

SUBMIT = ref_json("media-task-api.submit-request.json")
REF_TASK = "yescale-gpt-image-3bff624161c0"  # the reference's submit answer
SORA_URL = f"https://cdn.yescale.vip/{REF_SORA_TASK}.mp4"


def config_options(config: dict[str, object]) -> list[str]:
    options = []
    for name, value in config.items():
        text = value if isinstance(value, str) else json.dumps(value)
        options += ["--config", f"{name}={text}"]
    return options


def sent(vcr: Cassette, n: int = 0) -> object:
    return json.loads(vcr.requests[n].body)


def test_config_values_are_json_when_they_read_as_json() -> None:
    pairs = ["duration=8", "hd=true", "size=1280x720", "tags=[1, 2]", "ratio=16:9", "empty="]
    assert parse_config(pairs) == {
        "duration": 8,
        "hd": True,
        "size": "1280x720",
        "tags": [1, 2],
        "ratio": "16:9",
        "empty": "",
    }
    assert parse_config(None) == {}


# -- submit --------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_submit_prints_the_task_id(cli: Cli, vcr: Cassette) -> None:
    run = cli(
        "media", "submit", SUBMIT["model"], SUBMIT["prompt"], *config_options(SUBMIT["config"])
    )
    assert run.code == 0, run.stderr
    assert run.stdout == f"{REF_TASK}\n"  # ID=$(yescale media submit ...) works
    assert run.stderr == (
        f"Submitted media task {REF_TASK} (SUBMITTED); wait for it: yescale media wait {REF_TASK}\n"
    )
    assert sent(vcr) == SUBMIT  # the reference's payload, values typed from name=value


@pytest.mark.vcr
def test_submit_json(cli: Cli) -> None:
    run = cli("media", "submit", "sora-2", "a cat", "--config", "duration=8", "--json")
    assert run.code == 0, run.stderr
    task = run.json()
    assert task["task_id"].startswith("yescale-sora-2-")
    assert (task["status"], task["state"], task["url"]) == ("SUBMITTED", "running", None)


@pytest.mark.vcr
def test_submit_and_wait_shows_progress_and_prints_the_url(cli: Cli, vcr: Cassette) -> None:
    run = cli("media", "submit", "sora-2", "A cat surfing a big wave at sunset", "--wait")
    assert run.code == 0, run.stderr
    assert run.stdout == f"{SORA_URL}\n"
    lines = run.stderr.splitlines()
    assert lines[0] == (
        f"Submitted media task {REF_SORA_TASK}; if this wait stops, resume with: "
        f"yescale media wait {REF_SORA_TASK}"
    )
    # not a terminal: one line per change of status or progress (the repeated 50% is not shown)
    assert lines[1:4] == [
        f"{REF_SORA_TASK}  QUEUED  0%",
        f"{REF_SORA_TASK}  IN_PROGRESS  50%",
        f"{REF_SORA_TASK}  SUCCESS  100%",
    ]
    assert lines[4] == (
        f"Media task {REF_SORA_TASK} SUCCESS; the link expires 2025-11-11 14:54 UTC. "
        f"Keep it: yescale media download {REF_SORA_TASK} PATH"
    )
    assert [r.method for r in vcr.requests] == ["POST", "GET", "GET", "GET", "GET"]
    assert cli.time.sleeps == [5.0, 7.5, 11.25]  # the client's backoff, on the fake clock


@pytest.mark.vcr
def test_a_failed_task_is_exit_4_with_the_reason(cli: Cli) -> None:
    run = cli("media", "submit", "sora-2", "this one will fail", "--wait")
    assert run.code == TASK_FAILED
    assert run.stdout == ""
    task = run.stderr.split()[3].rstrip(";")
    assert task.startswith("yescale-sora-2-")
    last = run.stderr.splitlines()[-1]
    assert last.startswith(f"error: YEScale media task {task} failed (status FAILURE): ")
    # the service's reason ends in a full stop: it is not doubled
    assert f"{FAIL_REASON.rstrip('.')}. Nothing to resume: submit a new task" in last


@pytest.mark.vcr
def test_a_wait_past_its_timeout_is_exit_5_with_the_resume_command(cli: Cli) -> None:
    task = cli("media", "submit", "sora-2", "a slow sunset").stdout.strip()
    run = cli("media", "wait", task, "--timeout", "10")
    assert run.code == TASK_RUNNING
    assert run.stdout == ""
    last = run.stderr.splitlines()[-1]
    assert last.startswith(f"error: Stopped waiting for YEScale media task {task} after 10s ")
    assert "(last status IN_PROGRESS, progress 40%)" in last
    assert f"resume with `yescale media wait {task}`" in last
    assert f"check it with `yescale media get {task}`" in last
    assert cli.time.sleeps == [5.0, 5.0]  # the second sleep cut to the time left


@pytest.mark.vcr
def test_the_wait_resumes_where_it_stopped(cli: Cli) -> None:
    task = cli("media", "submit", "sora-2", "a slow sunrise").stdout.strip()
    assert cli("media", "wait", task, "--timeout", "10").code == TASK_RUNNING
    run = cli("media", "wait", task, "--json")
    assert run.code == 0, run.stderr
    done = run.json()
    assert (done["task_id"], done["status"], done["state"]) == (task, "SUCCESS", "succeeded")
    assert done["url"] == f"https://cdn.yescale.vip/{task}.mp4"


@pytest.mark.vcr
def test_ctrl_c_while_waiting_prints_the_task_and_the_resume_command(cli: Cli) -> None:
    task = cli("media", "submit", "sora-2", "a slow moonrise").stdout.strip()

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    cli.runtime.sleep = interrupted
    run = cli("media", "wait", task)
    assert run.code == INTERRUPTED
    assert run.stderr.splitlines()[-1] == (
        f"error: stopped; media task {task} goes on and is paid for: "
        f"resume with: yescale media wait {task}"
    )


@pytest.mark.vcr
def test_a_terminal_gets_a_progress_bar(cli: Cli) -> None:
    cli.runtime.terminal = True
    run = cli("media", "wait", REF_SORA_TASK)
    assert run.code == 0, run.stderr
    assert run.stdout == f"{SORA_URL}\n"
    assert REF_SORA_TASK in run.stderr
    assert "100%" in run.stderr
    assert "SUCCESS" in run.stderr
    assert "━" in run.stderr  # the bar
    assert f"{REF_SORA_TASK}  SUCCESS" not in run.stderr  # not the plain lines of a pipe


@pytest.mark.vcr
def test_a_refused_api_key_is_exit_3_naming_it(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YESCALE_API_KEY", "an-invalid-api-key")
    run = cli("media", "get", REF_SORA_TASK)
    assert run.code == CREDENTIALS
    assert run.stderr.startswith("error: the service refused the key in YESCALE_API_KEY: ")
    assert "Invalid token" in run.stderr
    assert "an-invalid-api-key" not in run.stderr


# -- get -----------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_get_shows_the_task(cli: Cli) -> None:
    run = cli("media", "get", REF_SORA_TASK)
    assert run.code == 0, run.stderr
    words = run.words
    assert f"Task {REF_SORA_TASK}" in words
    assert "Status SUCCESS (succeeded) Progress 100%" in words
    assert "Submitted 2025-10-27 14:51 UTC Finished 2025-10-27 14:54 UTC" in words
    assert f"Result {SORA_URL}" in words
    assert "Expires 2025-11-11 14:54 UTC" in words  # 21:54 GMT+7, as the service says


@pytest.mark.vcr
def test_get_json(cli: Cli) -> None:
    data = cli("media", "get", REF_SORA_TASK, "--json").json()
    assert data == {
        **ref_json("media-task-api.get-response.json"),
        "state": "succeeded",
        "url": SORA_URL,
    }


@pytest.mark.vcr
def test_get_a_failed_task_shows_why(cli: Cli) -> None:
    task = cli("media", "submit", "gpt-image", "fail this").stdout.strip()
    for _ in range(3):  # the synthesized task fails on its 3rd poll
        run = cli("media", "get", task)
    assert run.code == 0  # get reports; only wait and download judge
    assert "Status FAILURE (failed)" in run.words
    assert f"Failure {' '.join(FAIL_REASON.split())}" in run.words


@pytest.mark.vcr
def test_get_an_unknown_task(cli: Cli) -> None:
    run = cli("media", "get", "yescale-no-such-task")
    assert run.code == 1
    assert run.stderr.startswith("error: ")
    assert "task yescale-no-such-task not found" in run.stderr


# -- download ------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_download_into_a_folder(cli: Cli, tmp_path: Path, vcr: Cassette) -> None:
    run = cli("media", "download", REF_SORA_TASK, str(tmp_path))
    assert run.code == 0, run.stderr
    saved = tmp_path / f"{REF_SORA_TASK}.mp4"
    assert run.stdout == f"{saved}\n"
    assert saved.read_bytes() == TINY_MP4
    assert run.stderr == (
        f"Saved media task {REF_SORA_TASK} to {saved} ({len(TINY_MP4):,} bytes)\n"
    )
    assert [r.uri for r in vcr.requests] == [
        f"https://api.yescale.io/task/{REF_SORA_TASK}",
        SORA_URL,
    ]


@pytest.mark.vcr
def test_download_to_a_file_name(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "surf.mp4"
    run = cli("media", "download", REF_SORA_TASK, str(target))
    assert (run.code, run.stdout) == (0, f"{target}\n")
    assert target.read_bytes() == TINY_MP4


@pytest.mark.vcr
def test_download_of_a_running_task_is_exit_5(cli: Cli, tmp_path: Path) -> None:
    task = cli("media", "submit", "sora-2", "a cat on a skateboard").stdout.strip()
    run = cli("media", "download", task, str(tmp_path))
    assert run.code == TASK_RUNNING
    assert run.stderr == (
        f"error: media task {task} is still running (QUEUED, 0%): wait for it first, "
        f"yescale media wait {task}\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.vcr
def test_download_of_a_failed_task_is_exit_4(cli: Cli, tmp_path: Path) -> None:
    task = cli("media", "submit", "sora-2", "fail, please").stdout.strip()
    assert cli("media", "wait", task).code == TASK_FAILED
    run = cli("media", "download", task, str(tmp_path))
    assert run.code == TASK_FAILED
    assert run.stderr.startswith(f"error: media task {task} failed, there is nothing to download")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.vcr
def test_download_into_a_missing_folder_names_the_task(cli: Cli, tmp_path: Path) -> None:
    run = cli("media", "download", REF_SORA_TASK, str(tmp_path / "missing" / "x.mp4"))
    assert run.code == 2
    assert "does not exist" in run.stderr
    assert run.stderr.endswith(
        f"(media task {REF_SORA_TASK}; download it with: yescale media download {REF_SORA_TASK} "
        "PATH)\n"
    )

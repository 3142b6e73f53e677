"""client.media (submit, get, wait, run, download) over replayed cassettes, sync and async.

Polling never sleeps for real: the client gets a fake ``sleep`` / ``async_sleep`` that advance a
fake ``clock``, so the recorded poll sequences (and the timeouts) replay instantly.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from vcr.cassette import Cassette

from tests.synth.answers import FAIL_REASON, REF_SORA_PROMPT, TINY_MP4, ref_json
from yescale import NotFoundError, TaskFailedError, TaskTimeoutError, YEScaleClient
from yescale.types import MediaTask, TaskResult

from .client_support import (
    API_HOST,
    CDN_HOST,
    FakeTime,
    SentRequests,
    assert_all_played,
    credentials_in,
    response_body,
    sent_json,
)

#: REF: media-task-api.txt, "1. Submit a Task" request payload (answered with its 202 verbatim).
SUBMIT_REQUEST = ref_json("media-task-api.submit-request.json")
#: REF: media-task-api.txt, "2. Get Task Result" (the sora-2 task, answered verbatim).
SORA_TASK = "yescale-sora-2-eefd4aad095d"
SORA_URL = f"https://{CDN_HOST}/{SORA_TASK}.mp4"
#: "2025-11-11 21:54:21" in GMT+7, as the reference's note says.
SORA_EXPIRY = datetime(2025, 11, 11, 21, 54, 21, tzinfo=timezone(timedelta(hours=7)))

Seen = list[tuple[str, str | None]]


def progress_log(seen: Seen) -> Callable[[MediaTask], None]:
    def on_progress(task: MediaTask) -> None:
        seen.append((task.status, task.progress))

    return on_progress


# -- submit / get ---------------------------------------------------------------------------------


def check_submitted(task: MediaTask) -> None:
    assert isinstance(task, MediaTask)
    assert task.task_id == "yescale-gpt-image-3bff624161c0"
    assert task.status == "SUBMITTED"
    assert task.state == "running"
    assert task.progress == "0%"
    assert task.progress_percent == 0.0
    assert task.results == {}
    assert task.result is None
    assert task.url is None
    assert task.created_at == task.updated_at == 1763103034


@pytest.mark.vcr
def test_media_submit_reference_example(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        task = client.media.submit(
            model=SUBMIT_REQUEST["model"],
            prompt=SUBMIT_REQUEST["prompt"],
            config=SUBMIT_REQUEST["config"],
        )
    check_submitted(task)
    assert vcr.requests[0].uri == f"https://{API_HOST}/task/submit"
    assert sent_json(vcr, 0) == SUBMIT_REQUEST  # the unified payload, exactly as given
    assert vcr.responses[0]["status"]["code"] == 202


@pytest.mark.vcr
async def test_media_submit_reference_example_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        task = await client.aio.media.submit(**SUBMIT_REQUEST)
    check_submitted(task)
    assert sent_json(vcr, 0) == SUBMIT_REQUEST


def check_sora_result(task: MediaTask) -> None:
    assert task.task_id == SORA_TASK
    assert task.status == "SUCCESS"
    assert task.state == "succeeded"
    assert task.progress_percent == 100.0
    assert task.message == "YEScale - YESCALE_MEDIA - sora-2 - Task Result"
    assert (task.submit_time, task.finish_time) == (1761576676, 1761576861)
    assert task.url == SORA_URL
    result = task.task_result
    assert isinstance(result, TaskResult)
    assert result is task.result
    assert result.url_expires_at == "2025-11-11 21:54:21"
    assert result.expires_at == SORA_EXPIRY
    assert result.expires_at == datetime(2025, 11, 11, 14, 54, 21, tzinfo=timezone.utc)
    assert result.note == "Link will be removed at the specified time (GMT+7)."


@pytest.mark.vcr
def test_media_get_reference_result(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        task = client.media.get(SORA_TASK)
    check_sora_result(task)
    assert vcr.requests[0].uri == f"https://{API_HOST}/task/{SORA_TASK}"


@pytest.mark.vcr
async def test_media_get_reference_result_async() -> None:
    async with YEScaleClient() as client:
        task = await client.aio.media.get(SORA_TASK)
    check_sora_result(task)


@pytest.mark.vcr
def test_media_get_unknown_task_is_not_found() -> None:
    with YEScaleClient() as client, pytest.raises(NotFoundError) as info:
        client.media.get("yescale-sora-2-000000000000")
    assert info.value.status_code == 404
    assert "yescale-sora-2-000000000000" in str(info.value)


# -- wait / run -----------------------------------------------------------------------------------

#: The synthesized task walks QUEUED 0% -> IN_PROGRESS 50% -> IN_PROGRESS 50% -> SUCCESS.
PROGRESS = [("QUEUED", "0%"), ("IN_PROGRESS", "50%"), ("SUCCESS", "100%")]


@pytest.mark.vcr
def test_media_wait_reports_progress_until_success(vcr: Cassette) -> None:
    fake = FakeTime()
    seen: Seen = []
    started = time.monotonic()
    with fake.client() as client:
        task = client.media.submit(
            model="sora-2", prompt=REF_SORA_PROMPT, config={"duration": 4, "aspect_ratio": "16:9"}
        )
        assert task.task_id == SORA_TASK
        done = client.media.wait(
            task.task_id, poll_interval=2.0, timeout=600, on_progress=progress_log(seen)
        )
    check_sora_result(done)
    # Called when status or progress moved: not for the repeated IN_PROGRESS 50%.
    assert seen == PROGRESS
    # Backoff between the four polls (x1.5), on the fake clock only.
    assert fake.sleeps == [2.0, 3.0, 4.5]
    assert fake.elapsed == 9.5
    assert time.monotonic() - started < 5
    assert [r.method for r in vcr.requests] == ["POST", "GET", "GET", "GET", "GET"]
    assert_all_played(vcr)


@pytest.mark.vcr
async def test_media_wait_reports_progress_until_success_async(vcr: Cassette) -> None:
    fake = FakeTime()
    seen: Seen = []

    async def on_progress(task: MediaTask) -> None:  # a coroutine callback is awaited
        seen.append((task.status, task.progress))

    async with fake.client() as client:
        task = await client.aio.media.submit(model="sora-2", prompt=REF_SORA_PROMPT)
        done = await client.aio.media.wait(
            task.task_id, poll_interval=1.0, timeout=600, on_progress=on_progress
        )
    check_sora_result(done)
    assert seen == PROGRESS
    assert fake.sleeps == [1.0, 1.5, 2.25]
    assert_all_played(vcr)


RUN_PROMPT = "A paper boat drifting down a rainy street"


def check_run(task: MediaTask, seen: Seen) -> None:
    assert task.state == "succeeded"
    assert task.task_id.startswith("yescale-veo3.1-")
    assert task.url == f"https://{CDN_HOST}/{task.task_id}.mp4"
    assert task.result is not None
    assert task.result.expires_at is not None
    # The submitted task is reported first, then every change seen while polling.
    assert seen == [("SUBMITTED", "0%"), *PROGRESS]


@pytest.mark.vcr
def test_media_run_submits_and_waits(vcr: Cassette) -> None:
    fake = FakeTime()
    seen: Seen = []
    with fake.client() as client:
        task = client.media.run(
            model="veo3.1",
            prompt=RUN_PROMPT,
            config={"aspect_ratio": "16:9"},
            poll_interval=5.0,
            on_progress=progress_log(seen),
        )
    check_run(task, seen)
    assert fake.sleeps == [5.0, 7.5, 11.25]
    assert sent_json(vcr, 0) == {
        "model": "veo3.1",
        "prompt": RUN_PROMPT,
        "config": {"aspect_ratio": "16:9"},
    }
    assert_all_played(vcr)


@pytest.mark.vcr
async def test_media_run_submits_and_waits_async(vcr: Cassette) -> None:
    fake = FakeTime()
    seen: Seen = []
    async with fake.client() as client:
        task = await client.aio.media.run(
            model="veo3.1", prompt=RUN_PROMPT, poll_interval=5.0, on_progress=progress_log(seen)
        )
    check_run(task, seen)
    assert sent_json(vcr, 0) == {"model": "veo3.1", "prompt": RUN_PROMPT, "config": {}}
    assert_all_played(vcr)


FAIL_PROMPT = "A scene that will fail the content policy"


def check_failed(info: pytest.ExceptionInfo[TaskFailedError], task_id: str, seen: Seen) -> None:
    error = info.value
    assert error.task_id == task_id
    assert error.reason == FAIL_REASON
    assert task_id in str(error)
    assert FAIL_REASON in str(error)
    assert isinstance(error.task, MediaTask)
    assert error.task.status == "FAILURE"
    assert error.task.state == "failed"
    assert seen == [("QUEUED", "0%"), ("IN_PROGRESS", "30%")]


@pytest.mark.vcr
def test_media_wait_failure_raises_task_failed(vcr: Cassette) -> None:
    fake = FakeTime()
    seen: Seen = []
    with fake.client() as client:
        task = client.media.submit(model="sora-2", prompt=FAIL_PROMPT)
        with pytest.raises(TaskFailedError) as info:
            client.media.wait(task.task_id, poll_interval=1.0, on_progress=progress_log(seen))
    check_failed(info, task.task_id, seen)
    assert_all_played(vcr)


@pytest.mark.vcr
async def test_media_run_failure_raises_task_failed_async(vcr: Cassette) -> None:
    fake = FakeTime()
    seen: Seen = []
    async with fake.client() as client:
        with pytest.raises(TaskFailedError) as info:
            await client.aio.media.run(
                model="sora-2",
                prompt=FAIL_PROMPT,
                poll_interval=1.0,
                on_progress=progress_log(seen),
            )
    task_id = info.value.task_id
    assert task_id.startswith("yescale-sora-2-")
    check_failed(info, task_id, [s for s in seen if s[0] != "SUBMITTED"])
    assert seen[0] == ("SUBMITTED", "0%")
    assert_all_played(vcr)


SLOW_PROMPT = "A slow timelapse of a glacier melting"


def check_timeout(error: TaskTimeoutError, task_id: str) -> None:
    assert error.task_id == task_id
    assert task_id in str(error)
    assert f"client.media.wait({task_id!r})" in str(error)  # how to resume
    assert error.last_status == "IN_PROGRESS"
    assert error.progress == "40%"


@pytest.mark.vcr
def test_media_wait_timeout_then_resume(vcr: Cassette) -> None:
    fake = FakeTime()
    seen: Seen = []
    with fake.client() as client:
        task = client.media.submit(model="kling-v2.5-turbo", prompt=SLOW_PROMPT)
        with pytest.raises(TaskTimeoutError) as info:
            client.media.wait(task.task_id, poll_interval=1.0, timeout=2.0)
        check_timeout(info.value, task.task_id)
        assert fake.elapsed == 2.0  # gave up at the deadline, on the fake clock
        # The task was not lost: resume it by id.
        done = client.media.wait(
            info.value.task_id, poll_interval=1.0, timeout=60, on_progress=progress_log(seen)
        )
    assert done.state == "succeeded"
    assert done.url == f"https://{CDN_HOST}/{task.task_id}.mp4"
    assert seen == [("IN_PROGRESS", "60%"), ("IN_PROGRESS", "80%"), ("SUCCESS", "100%")]
    assert fake.sleeps == [1.0, 1.0, 1.0, 1.5]
    assert [r.method for r in vcr.requests].count("GET") == 6
    assert_all_played(vcr)


@pytest.mark.vcr
async def test_media_wait_timeout_then_resume_async(vcr: Cassette) -> None:
    fake = FakeTime()
    async with fake.client() as client:
        task = await client.aio.media.submit(model="kling-v2.5-turbo", prompt=SLOW_PROMPT)
        with pytest.raises(TaskTimeoutError) as info:
            await client.aio.media.wait(task.task_id, poll_interval=1.0, timeout=2.0)
        check_timeout(info.value, task.task_id)
        done = await client.aio.media.wait(info.value.task_id, poll_interval=1.0, timeout=60)
    assert done.state == "succeeded"
    assert done.progress == "100%"
    assert_all_played(vcr)


# -- download -------------------------------------------------------------------------------------


def check_download(path: Path, folder: Path, cassette: Cassette, sent: SentRequests) -> None:
    assert path.read_bytes() == TINY_MP4
    assert path.read_bytes() == response_body(cassette, 1)  # the CDN's recorded body
    assert [p.name for p in folder.iterdir()] == [path.name]  # no partial ".part" file left
    # Our key went to the API, never to the CDN.
    (api,) = sent.to(API_HOST)
    assert api.headers["authorization"] == f"Bearer {os.environ['YESCALE_API_KEY']}"
    (cdn,) = sent.to(CDN_HOST)
    assert str(cdn.url) == SORA_URL
    assert credentials_in(cdn) == []
    recorded = cassette.requests[1]
    assert recorded.host == CDN_HOST
    assert not any(name.lower() == "authorization" for name in recorded.headers)


@pytest.mark.vcr
def test_media_download_to_folder(vcr: Cassette, tmp_path: Path) -> None:
    sent = SentRequests()
    with sent.client() as http, YEScaleClient(http_client=http) as client:
        task = client.media.get(SORA_TASK)
        path = client.media.download(task, tmp_path)
    assert path == tmp_path / f"{SORA_TASK}.mp4"  # named after the URL's file
    check_download(path, tmp_path, vcr, sent)


@pytest.mark.vcr
async def test_media_download_to_file_async(vcr: Cassette, tmp_path: Path) -> None:
    sent = SentRequests()
    target = tmp_path / "clip.mp4"
    async with sent.async_client() as http, YEScaleClient(async_http_client=http) as client:
        task = await client.aio.media.get(SORA_TASK)
        assert task.result is not None
        path = await client.aio.media.download(task.result, target)
    assert path == target
    check_download(path, tmp_path, vcr, sent)


@pytest.mark.vcr
def test_media_download_expired_link_leaves_no_file(tmp_path: Path) -> None:
    url = f"https://{CDN_HOST}/yescale-sora-2-expired000000.mp4"
    with YEScaleClient() as client, pytest.raises(NotFoundError) as info:
        client.media.download(url, tmp_path)
    assert info.value.status_code == 404
    assert list(tmp_path.iterdir()) == []

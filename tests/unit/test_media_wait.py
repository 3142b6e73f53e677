"""Media task polling: statuses, failures, transient errors, deadline, backoff, progress."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from yescale import (
    AuthenticationError,
    NotFoundError,
    TaskFailedError,
    TaskTimeoutError,
    YEScaleClient,
)
from yescale.resources.media import MAX_POLL_INTERVAL, TaskWaiter
from yescale.types.media import MediaTask

from .conftest import API_KEY, FakeClock, Recorder, json_response, make_client

VIDEO_URL = "https://cdn.yescale.io/results/task-1.mp4"


def task(status: str, progress: str | None = None, **extra: Any) -> httpx.Response:
    body: dict[str, Any] = {"task_id": "task-1", "status": status, **extra}
    if progress is not None:
        body["progress"] = progress
    if status.upper() in ("SUCCESS", "COMPLETED"):
        body.setdefault("task_result", {"url": VIDEO_URL, "url_expires_at": "2030-01-01 12:00:00"})
    return json_response(body)


def error(status: int) -> httpx.Response:
    return json_response({"error": {"message": f"status {status}"}}, status)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def client_for(handler: Recorder, clock: FakeClock, max_retries: int = 0) -> YEScaleClient:
    return make_client(
        handler,
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
        clock=clock,
        max_retries=max_retries,
    )


# -- statuses -----------------------------------------------------------------------------------


def test_status_sequence_until_success(clock: FakeClock) -> None:
    handler = Recorder(
        task("NOT_START"), task("QUEUED"), task("IN_PROGRESS", "50%"), task("SUCCESS", "100%")
    )
    done = client_for(handler, clock).media.wait("task-1", poll_interval=5, timeout=900)
    assert done.status == "SUCCESS"
    assert done.url == VIDEO_URL
    assert done.state == "succeeded"
    assert handler.calls == 4
    assert clock.sleeps == [5.0, 7.5, 11.25]
    for request in handler.requests:
        assert request.method == "GET"
        assert request.url.path == "/task/task-1"
        assert request.headers["authorization"] == f"Bearer {API_KEY}"


def test_lower_case_completed_is_success(clock: FakeClock) -> None:
    handler = Recorder(task("processing"), task("completed"))
    done = client_for(handler, clock).media.wait("task-1", poll_interval=2)
    assert done.status == "completed"
    assert done.url == VIDEO_URL
    assert handler.calls == 2
    assert clock.sleeps == [2.0]


def test_unknown_statuses_are_running(clock: FakeClock) -> None:
    handler = Recorder(
        task("RENDERING"),
        task("UNKNOWN"),
        task("SUBMITTED"),
        task("something-new"),
        task("SUCCESS"),
    )
    done = client_for(handler, clock).media.wait("task-1", poll_interval=1)
    assert done.status == "SUCCESS"
    assert handler.calls == 5


def test_task_id_is_quoted(clock: FakeClock) -> None:
    handler = Recorder(task("SUCCESS"))
    client_for(handler, clock).media.wait(" a/b?c ")
    assert handler.requests[0].url.raw_path == b"/task/a%2Fb%3Fc"


def test_failure_raises_task_failed(clock: FakeClock) -> None:
    handler = Recorder(
        task("IN_PROGRESS", "20%"),
        task("FAILURE", "100%", fail_reason="Content policy violation: prompt rejected"),
    )
    with pytest.raises(TaskFailedError) as info:
        client_for(handler, clock).media.wait("task-1", poll_interval=3)
    err = info.value
    assert err.task_id == "task-1"
    assert err.reason == "Content policy violation: prompt rejected"
    assert "task-1" in str(err)
    assert "Content policy violation" in str(err)
    assert isinstance(err.task, MediaTask)
    assert err.task.status == "FAILURE"
    assert handler.calls == 2


@pytest.mark.parametrize("status", ["FAILED", "failed", "error", "CANCELLED", "expired"])
def test_failure_spellings(clock: FakeClock, status: str) -> None:
    handler = Recorder(task(status, message="upstream said no"))
    with pytest.raises(TaskFailedError, match="upstream said no") as info:
        client_for(handler, clock).media.wait("task-1")
    assert info.value.reason is None  # no fail_reason: the message is shown instead


# -- errors while polling -----------------------------------------------------------------------


def test_transient_errors_keep_polling(clock: FakeClock) -> None:
    handler = Recorder(
        task("QUEUED"),
        error(503),
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("read timed out"),
        error(429),
        error(502),
        task("IN_PROGRESS", "90%"),
        task("SUCCESS"),
    )
    done = client_for(handler, clock).media.wait("task-1", poll_interval=1, timeout=1000)
    assert done.status == "SUCCESS"
    assert handler.calls == 8
    assert all(r.url.path == "/task/task-1" for r in handler.requests)


@pytest.mark.parametrize(("retry_after", "slept"), [("8", 8.0), ("2", 5.0)])
def test_retry_after_is_honoured_between_polls(
    clock: FakeClock, retry_after: str, slept: float
) -> None:
    # A poll is sent once (the waiter polls again), after at least the pause the service asked.
    handler = Recorder(
        json_response({"error": {"message": "busy"}}, 503, **{"retry-after": retry_after}),
        task("SUCCESS"),
    )
    done = client_for(handler, clock, max_retries=2).media.wait("task-1", poll_interval=5)
    assert done.status == "SUCCESS"
    assert clock.sleeps == [slept]
    assert handler.calls == 2


@pytest.mark.parametrize(("status", "cls"), [(401, AuthenticationError), (404, NotFoundError)])
def test_permanent_error_while_polling_raises_at_once(
    clock: FakeClock, status: int, cls: type[Exception]
) -> None:
    handler = Recorder(task("QUEUED"), error(status), task("SUCCESS"))
    with pytest.raises(cls):
        client_for(handler, clock).media.wait("task-1", poll_interval=1)
    assert handler.calls == 2
    assert clock.sleeps == [1.0]


# -- deadline and backoff -----------------------------------------------------------------------


def test_timeout_keeps_task_id_and_last_state(clock: FakeClock) -> None:
    handler = Recorder(task("IN_PROGRESS", "40%"))
    with pytest.raises(TaskTimeoutError) as info:
        client_for(handler, clock).media.wait("task-1", poll_interval=5, timeout=60)
    err = info.value
    assert err.task_id == "task-1"
    assert "task-1" in str(err)
    assert "client.media.wait('task-1')" in str(err)
    assert err.last_status == "IN_PROGRESS"
    assert err.progress == "40%"
    assert "IN_PROGRESS" in str(err)
    assert isinstance(err.task, MediaTask)
    # 5, 7.5, 11.25, 16.875, then trimmed to what is left of the 60 s
    assert clock.sleeps == pytest.approx([5.0, 7.5, 11.25, 16.875, 19.375])
    assert sum(clock.sleeps) == pytest.approx(60.0)
    assert handler.calls == 6  # the last poll happens at the deadline


def test_timeout_after_only_errors(clock: FakeClock) -> None:
    handler = Recorder(error(503))
    with pytest.raises(TaskTimeoutError) as info:
        client_for(handler, clock).media.wait("task-1", poll_interval=10, timeout=30)
    err = info.value
    assert err.last_status is None
    assert err.progress is None
    assert "never polled OK" in str(err)
    assert "status 503" in str(err)
    assert err.task_id == "task-1"


def test_backoff_grows_to_the_cap(clock: FakeClock) -> None:
    handler = Recorder(*[task("IN_PROGRESS")] * 9, task("SUCCESS"))
    client_for(handler, clock).media.wait("task-1", poll_interval=10, timeout=10_000)
    assert MAX_POLL_INTERVAL == 30.0
    assert clock.sleeps == [10.0, 15.0, 22.5, 30.0, 30.0, 30.0, 30.0, 30.0, 30.0]


def test_poll_interval_above_cap_is_kept(clock: FakeClock) -> None:
    handler = Recorder(task("QUEUED"), task("QUEUED"), task("QUEUED"), task("SUCCESS"))
    client_for(handler, clock).media.wait("task-1", poll_interval=45, timeout=10_000)
    assert clock.sleeps == [45.0, 45.0, 45.0]


def test_waiter_trims_delay_to_remaining_time(clock: FakeClock) -> None:
    client = client_for(Recorder(task("QUEUED")), clock)
    waiter = TaskWaiter("task-1", client._transport, poll_interval=4, timeout=10)
    assert waiter.next_delay() == 4.0
    clock.now += 4.0
    assert waiter.next_delay() == 6.0
    clock.now += 5.5
    assert waiter.next_delay() == pytest.approx(0.5)
    clock.now += 0.5
    with pytest.raises(TaskTimeoutError):
        waiter.next_delay()


# -- progress callbacks -------------------------------------------------------------------------


def test_on_progress_only_on_change(clock: FakeClock) -> None:
    handler = Recorder(
        task("QUEUED"),
        task("QUEUED"),
        error(503),
        task("IN_PROGRESS", "10%"),
        task("IN_PROGRESS", "10%"),
        task("IN_PROGRESS", "50%"),
        task("IN_PROGRESS", "50%"),
        task("SUCCESS", "100%"),
    )
    seen: list[tuple[str, str | None]] = []
    done = client_for(handler, clock).media.wait(
        "task-1", poll_interval=1, on_progress=lambda t: seen.append((t.status, t.progress))
    )
    assert done.status == "SUCCESS"
    assert seen == [
        ("QUEUED", None),
        ("IN_PROGRESS", "10%"),
        ("IN_PROGRESS", "50%"),
        ("SUCCESS", "100%"),
    ]


def test_run_submits_then_waits(clock: FakeClock) -> None:
    handler = Recorder(task("NOT_START"), task("IN_PROGRESS", "30%"), task("SUCCESS"))
    seen: list[str] = []
    done = client_for(handler, clock).media.run(
        model="sora-2",
        prompt="a cat surfing",
        config={"seconds": "4"},
        poll_interval=2,
        on_progress=lambda t: seen.append(f"{t.status}:{t.progress}"),
    )
    assert done.url == VIDEO_URL
    submit = handler.requests[0]
    assert (submit.method, submit.url.path) == ("POST", "/task/submit")
    assert submit.read() == (
        b'{"model":"sora-2","prompt":"a cat surfing","config":{"seconds":"4"}}'
    )
    assert seen[0] == "NOT_START:None"
    assert seen[-1] == "SUCCESS:None"


def test_run_does_not_repeat_unchanged_progress(clock: FakeClock) -> None:
    handler = Recorder(task("QUEUED"), task("QUEUED"), task("SUCCESS"))
    seen: list[str] = []
    client_for(handler, clock).media.run(
        model="sora-2", prompt="x", poll_interval=1, on_progress=lambda t: seen.append(t.status)
    )
    assert seen == ["QUEUED", "SUCCESS"]


# -- async --------------------------------------------------------------------------------------


async def test_async_wait_with_async_on_progress(clock: FakeClock) -> None:
    handler = Recorder(
        task("QUEUED"),
        error(502),
        task("IN_PROGRESS", "25%"),
        task("IN_PROGRESS", "25%"),
        task("SUCCESS", "100%"),
    )
    seen: list[tuple[str, str | None]] = []

    async def on_progress(t: MediaTask) -> None:
        seen.append((t.status, t.progress))

    done = await client_for(handler, clock).aio.media.wait(
        "task-1", poll_interval=4, on_progress=on_progress
    )
    assert done.url == VIDEO_URL
    assert seen == [("QUEUED", None), ("IN_PROGRESS", "25%"), ("SUCCESS", "100%")]
    assert clock.sleeps == [4.0, 6.0, 9.0, 13.5]


async def test_async_wait_sync_callback_and_failure(clock: FakeClock) -> None:
    handler = Recorder(task("QUEUED"), task("FAILURE", fail_reason="quota"))
    seen: list[str] = []
    with pytest.raises(TaskFailedError) as info:
        await client_for(handler, clock).aio.media.wait(
            "task-1", on_progress=lambda t: seen.append(t.status)
        )
    assert info.value.reason == "quota"
    assert seen == ["QUEUED"]


async def test_async_timeout(clock: FakeClock) -> None:
    handler = Recorder(task("QUEUED", "0%"))
    with pytest.raises(TaskTimeoutError) as info:
        await client_for(handler, clock).aio.media.wait("task-1", poll_interval=10, timeout=20)
    assert info.value.task_id == "task-1"
    assert info.value.last_status == "QUEUED"
    assert info.value.progress == "0%"
    assert clock.sleeps == [10.0, 10.0]


async def test_async_401_raises_at_once(clock: FakeClock) -> None:
    handler = Recorder(error(401), task("SUCCESS"))
    with pytest.raises(AuthenticationError):
        await client_for(handler, clock).aio.media.wait("task-1")
    assert handler.calls == 1
    assert clock.sleeps == []

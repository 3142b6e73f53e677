"""Media tasks against a misbehaving server: the task is never lost, and no partial file is left.

* ``wait`` keeps polling through transient errors (500, a 502 HTML page, resets, 429, a stalled
  poll, an unreadable answer once the task is known), with or without the transport's own retries;
* a ``wait`` (or ``run``) that times out raises :class:`TaskTimeoutError` carrying the task id,
  in an attribute and in its message, and a later ``wait``/``get`` with that id picks it up;
* a download cut mid-way is retried; one that fails for good, or is cancelled, leaves neither a
  file under the final name nor a temporary file, and keeps a file that was already there.

Polling runs on a fake clock (the client's ``sleep``/``clock`` hooks), so backoff takes no time;
only the read-timeout cases spend real time, a fraction of a second each.

``test_faults.py`` has the first versions of some of these (sync wait through a 502 and a
hang-up, a download cut once): here they are extended to async, more faults and resuming.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from yescale import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    InvalidResponseError,
    TaskTimeoutError,
    YEScaleClient,
    YEScaleError,
)
from yescale.resources.media import MIN_POLL_TIME
from yescale.types.media import MediaTask

from .conftest import (
    MAX_STALL,
    FaultServer,
    Step,
    hang_up,
    partial_body,
    reply,
    reply_json,
    reset,
    stall,
)
from .support import (
    API_KEY,
    CLOUDFLARE_502,
    PAYLOAD,
    RESULT_URL,
    SUBMITTED,
    SUCCEEDED,
    TASK_ID,
    FakeClock,
    error_body,
    in_mode,
)

T = TypeVar("T")
READ = 0.2  # seconds: the read timeout of the stalled-poll cases
POLL_PATH = f"/task/{TASK_ID}"
NOT_JSON = reply(200, b"Hello, I am not JSON", {"Content-Type": "text/plain"})


def task(status: str, **extra: Any) -> Step:
    return reply_json(200, {"task_id": TASK_ID, "status": status, **extra})


def succeeded(url: str = RESULT_URL) -> Step:
    return reply_json(200, {**SUCCEEDED, "task_result": {"url": url}})


def make_client(server: FaultServer, clock: FakeClock, **kwargs: Any) -> YEScaleClient:
    kwargs.setdefault("timeout", httpx.Timeout(5.0, read=READ))
    return YEScaleClient(
        api_key=API_KEY,
        base_url=server.url,
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
        clock=clock,
        **kwargs,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def paths(server: FaultServer) -> list[str]:
    return [f"{s.method} {s.path}" for s in server.seen]


# -- wait: transient errors while polling never lose the task ----------------------------------

TRANSIENT_POLLS = [
    task("QUEUED", progress="0%"),
    reply_json(500, error_body("upstream 500")),
    reply(502, CLOUDFLARE_502, {"Content-Type": "text/html"}),
    reset,
    reply_json(429, error_body("slow down"), {"Retry-After": "0"}),
    stall(3.0),  # past the read timeout
    hang_up,
    NOT_JSON,  # a proxy's hiccup, once the task is known to exist
    task("IN_PROGRESS", progress="50%"),
    reply_json(503, error_body("upstream 503")),
    succeeded(),
]


@pytest.mark.parametrize("inner_retries", [0, 2], ids=["waiter-only", "with-transport-retries"])
def test_wait_survives_transient_poll_errors(
    fault_server: FaultServer, clock: FakeClock, inner_retries: int
) -> None:
    fault_server.script(*TRANSIENT_POLLS)
    seen: list[str] = []
    started = time.monotonic()
    with make_client(fault_server, clock, max_retries=inner_retries) as client:
        done = client.media.wait(
            TASK_ID, poll_interval=2, on_progress=lambda t: seen.append(f"{t.status} {t.progress}")
        )
    assert done.url == RESULT_URL
    assert seen == ["QUEUED 0%", "IN_PROGRESS 50%", "SUCCESS 100%"]
    assert paths(fault_server) == [f"GET {POLL_PATH}"] * len(TRANSIENT_POLLS)  # no extra calls
    assert len(clock.sleeps) == len(TRANSIENT_POLLS) - 1  # one wait between two requests
    if inner_retries == 0:  # every error reached the waiter: the poll backoff (x1.5, cap 30 s)
        assert clock.sleeps == pytest.approx(
            [2, 3, 4.5, 6.75, 10.125, 15.1875, 22.78125, 30, 30, 30]
        )
    assert time.monotonic() - started < 5.0


@pytest.mark.parametrize("inner_retries", [0, 2], ids=["waiter-only", "with-transport-retries"])
async def test_wait_survives_transient_poll_errors_async(
    fault_server: FaultServer, clock: FakeClock, inner_retries: int
) -> None:
    fault_server.script(*TRANSIENT_POLLS)
    seen: list[str] = []

    async def progress(t: MediaTask) -> None:
        seen.append(f"{t.status} {t.progress}")

    client = make_client(fault_server, clock, max_retries=inner_retries)
    try:
        done = await client.aio.media.wait(TASK_ID, poll_interval=2, on_progress=progress)
    finally:
        await client.aclose()
    assert done.url == RESULT_URL
    assert seen == ["QUEUED 0%", "IN_PROGRESS 50%", "SUCCESS 100%"]
    assert paths(fault_server) == [f"GET {POLL_PATH}"] * len(TRANSIENT_POLLS)
    assert len(clock.sleeps) == len(TRANSIENT_POLLS) - 1


def test_run_survives_unreadable_poll_answers(fault_server: FaultServer, clock: FakeClock) -> None:
    """After submit the task exists and is paid for: garbage from a proxy is a hiccup, not an
    error that would lose the task id (run() never returned it)."""
    fault_server.script(
        reply_json(200, SUBMITTED),
        NOT_JSON,
        reply(200, b"<html><body>Maintenance</body></html>", {"Content-Type": "text/html"}),
        succeeded(),
    )
    with make_client(fault_server, clock, max_retries=0) as client:
        done = client.media.run(model="sora-2", prompt="a cat surfing", poll_interval=2)
    assert done.url == RESULT_URL
    assert paths(fault_server) == ["POST /task/submit"] + [f"GET {POLL_PATH}"] * 3


async def test_run_survives_unreadable_poll_answers_async(
    fault_server: FaultServer, clock: FakeClock
) -> None:
    fault_server.script(reply_json(200, SUBMITTED), NOT_JSON, NOT_JSON, succeeded())
    client = make_client(fault_server, clock, max_retries=0)
    try:
        done = await client.aio.media.run(model="sora-2", prompt="a cat surfing", poll_interval=2)
    finally:
        await client.aclose()
    assert done.url == RESULT_URL
    assert fault_server.count == 4


def test_unreadable_first_poll_is_raised_at_once(
    fault_server: FaultServer, clock: FakeClock
) -> None:
    """With nothing known about the task yet, garbage more likely means a wrong base_url."""
    fault_server.script(NOT_JSON)
    with (
        make_client(fault_server, clock) as client,
        pytest.raises(InvalidResponseError, match="check base_url"),
    ):
        client.media.wait(TASK_ID)
    assert fault_server.count == 1
    assert clock.sleeps == []


# -- a timeout hands back the task id; a later call resumes -------------------------------------


def check_timeout(error: TaskTimeoutError, timeout: float) -> None:
    message = str(error)
    assert error.task_id == TASK_ID
    assert f"media task {TASK_ID}" in message
    assert f"client.media.wait({TASK_ID!r})" in message  # what to do
    assert "paid for" in message
    assert f"after {timeout:.0f}s" in message


def test_wait_timeout_then_resume(fault_server: FaultServer, clock: FakeClock) -> None:
    fault_server.script(task("IN_PROGRESS", progress="30%"))
    with make_client(fault_server, clock) as client:
        with pytest.raises(TaskTimeoutError) as info:
            client.media.wait(TASK_ID, poll_interval=2, timeout=10)
        error = info.value
        check_timeout(error, 10)
        assert (error.last_status, error.progress) == ("IN_PROGRESS", "30%")
        assert error.task is not None
        assert error.task.task_id == TASK_ID
        assert sum(clock.sleeps) == pytest.approx(10)  # waited exactly the timeout, no longer
        polls = fault_server.count
        assert polls >= 3

        # later: the same id picks the task up where it was
        fault_server.script(task("IN_PROGRESS", progress="80%"), succeeded())
        done = client.media.wait(error.task_id, poll_interval=2)
        assert done.url == RESULT_URL
        assert client.media.get(error.task_id).state == "succeeded"
    assert paths(fault_server) == [f"GET {POLL_PATH}"] * (polls + 3)


async def test_wait_timeout_then_resume_async(fault_server: FaultServer, clock: FakeClock) -> None:
    fault_server.script(task("IN_PROGRESS", progress="30%"))
    client = make_client(fault_server, clock)
    try:
        with pytest.raises(TaskTimeoutError) as info:
            await client.aio.media.wait(TASK_ID, poll_interval=2, timeout=10)
        check_timeout(info.value, 10)
        assert (info.value.last_status, info.value.progress) == ("IN_PROGRESS", "30%")
        fault_server.script(succeeded())
        done = await client.aio.media.wait(info.value.task_id, poll_interval=2)
        assert (await client.aio.media.get(info.value.task_id)).state == "succeeded"
    finally:
        await client.aclose()
    assert done.url == RESULT_URL
    assert {s.path for s in fault_server.seen} == {POLL_PATH}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_run_timeout_hands_back_the_submitted_task(
    fault_server: FaultServer, clock: FakeClock, mode: str
) -> None:
    """run() submits, then times out: the id it never returned is in the error."""
    fault_server.script(reply_json(200, SUBMITTED), task("QUEUED"))
    client = make_client(fault_server, clock)
    with pytest.raises(TaskTimeoutError) as info:
        in_mode(
            mode,
            client,
            lambda c: c.media.run(model="sora-2", prompt="a cat", timeout=6),
            lambda c: c.aio.media.run(model="sora-2", prompt="a cat", timeout=6),
        )
    check_timeout(info.value, 6)
    assert info.value.last_status == "QUEUED"
    assert fault_server.seen[0].json() == {"model": "sora-2", "prompt": "a cat", "config": {}}

    fault_server.script(succeeded())
    with make_client(fault_server, clock) as again:
        assert again.media.wait(info.value.task_id).url == RESULT_URL
    assert paths(fault_server).count("POST /task/submit") == 1  # resumed, not resubmitted


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_timeout_while_every_poll_fails_keeps_the_task(
    fault_server: FaultServer, clock: FakeClock, mode: str
) -> None:
    fault_server.script(reply_json(500, error_body("task store unavailable")))
    client = make_client(fault_server, clock, max_retries=0)
    with pytest.raises(TaskTimeoutError) as info:
        in_mode(
            mode,
            client,
            lambda c: c.media.wait(TASK_ID, poll_interval=2, timeout=10),
            lambda c: c.aio.media.wait(TASK_ID, poll_interval=2, timeout=10),
        )
    check_timeout(info.value, 10)
    message = str(info.value)
    assert "never polled OK" in message
    assert "last poll error" in message
    assert "HTTP 500" in message
    assert "task store unavailable" in message
    assert info.value.last_status is None

    fault_server.script(succeeded())
    with make_client(fault_server, clock) as again:
        assert again.media.wait(TASK_ID).url == RESULT_URL


def wait_out(client: YEScaleClient, mode: str, timeout: float) -> tuple[TaskTimeoutError, float]:
    """``wait`` on the task until it gives up (real time): the error, and the seconds it took."""
    started = time.monotonic()
    with pytest.raises(TaskTimeoutError) as info:
        in_mode(
            mode,
            client,
            lambda c: c.media.wait(TASK_ID, poll_interval=0.05, timeout=timeout),
            lambda c: c.aio.media.wait(TASK_ID, poll_interval=0.05, timeout=timeout),
        )
    return info.value, time.monotonic() - started


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_wait_is_bounded_when_every_poll_stalls(fault_server: FaultServer, mode: str) -> None:
    """Real time: polls that stall past the read timeout; wait gives up about when it should.

    Each poll is sent once (the wait polls again), so ``wait`` ends at most one read timeout
    after its ``timeout``.
    """
    fault_server.script(stall(3.0))
    client = YEScaleClient(
        api_key=API_KEY,
        base_url=fault_server.url,
        timeout=httpx.Timeout(5.0, read=READ),
        max_retries=1,
    )
    error, elapsed = wait_out(client, mode, timeout=0.5)
    assert error.task_id == TASK_ID
    assert "timed out" in str(error)  # the last poll error says why
    assert 0.5 <= elapsed < 0.5 + READ + 0.5  # timeout + one poll + slack
    polls = elapsed // (READ + 0.05) + 1
    assert 1 <= fault_server.count <= polls  # no retries inside a poll


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_stalled_poll_is_cut_at_the_wait_deadline(fault_server: FaultServer, mode: str) -> None:
    """Real time: a read timeout far longer than the wait; the poll gets the time left only
    (at least ``MIN_POLL_TIME``), so ``wait(timeout=...)`` is kept, not overrun by 20 s."""
    fault_server.script(stall(10.0))
    client = YEScaleClient(
        api_key=API_KEY, base_url=fault_server.url, timeout=httpx.Timeout(20.0), max_retries=2
    )
    error, elapsed = wait_out(client, mode, timeout=0.3)
    assert error.task_id == TASK_ID
    assert f"client.media.wait({TASK_ID!r})" in str(error)
    # one poll cut to the time left, but at least MIN_POLL_TIME (so about 1 s); not the poll's
    # 20 s read timeout nor the server's stall (MAX_STALL): a wide margin for a busy machine
    assert MIN_POLL_TIME <= elapsed < MAX_STALL - 1.0
    assert fault_server.count == 1


# -- downloads: retried, and never a partial file under the final name -------------------------


def download(server: FaultServer, clock: FakeClock, folder: Path, mode: str, **kwargs: Any) -> Path:
    url = f"{server.url}/files/clip.mp4"
    return in_mode(
        mode,
        make_client(server, clock, **kwargs),
        lambda c: c.media.download(url, folder),
        lambda c: c.aio.media.download(url, folder),
    )


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


CUT = partial_body(PAYLOAD[:5000], len(PAYLOAD), "video/mp4")
OK = reply(200, PAYLOAD, {"Content-Type": "video/mp4"})


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_download_cut_twice_then_complete(
    fault_server: FaultServer, clock: FakeClock, tmp_path: Path, mode: str
) -> None:
    fault_server.script(CUT, CUT, OK)
    path = download(fault_server, clock, tmp_path, mode)
    assert path == tmp_path / "clip.mp4"
    assert path.read_bytes() == PAYLOAD
    assert listing(tmp_path) == ["clip.mp4"]
    assert fault_server.count == 3
    assert len(clock.sleeps) == 2


FAILS_FOR_GOOD = [
    pytest.param(CUT, APIConnectionError, "peer closed connection", id="cut-mid-body"),
    pytest.param(
        partial_body(PAYLOAD[:5000], len(PAYLOAD), "video/mp4", stall_after=3.0),
        APITimeoutError,
        "timed out",
        id="stalls-mid-body",
    ),
    pytest.param(reset, APIConnectionError, "reset by peer", id="reset"),
    pytest.param(
        reply(503, b"Service Unavailable", {"Content-Type": "text/plain"}),
        InternalServerError,
        "HTTP 503",
        id="503",
    ),
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("fault", "error", "says"), FAILS_FOR_GOOD)
def test_failed_download_leaves_nothing(
    fault_server: FaultServer,
    clock: FakeClock,
    tmp_path: Path,
    mode: str,
    fault: Step,
    error: type[YEScaleError],
    says: str,
) -> None:
    fault_server.script(fault)
    with pytest.raises(error, match=says) as info:
        download(fault_server, clock, tmp_path, mode)
    assert type(info.value) is error
    assert "download" in str(info.value)
    assert "gave up after 3 attempts" in str(info.value)
    assert listing(tmp_path) == []  # no clip.mp4, and no .clip.mp4.*.part either
    assert fault_server.count_when_settled(3) == 3  # tried, retried twice, given up


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_failed_download_keeps_the_file_already_there(
    fault_server: FaultServer, clock: FakeClock, tmp_path: Path, mode: str
) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"the previous, complete download")
    fault_server.script(CUT)
    with pytest.raises(APIConnectionError):
        download(fault_server, clock, tmp_path, mode, max_retries=1)
    assert listing(tmp_path) == ["clip.mp4"]
    assert (tmp_path / "clip.mp4").read_bytes() == b"the previous, complete download"


def wait_for_part_file(folder: Path, within: float = 3.0) -> list[str]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        names = listing(folder)
        if any(name.endswith(".part") for name in names):
            return names
        time.sleep(0.01)
    raise AssertionError(f"no temporary file appeared in {within}s: {listing(folder)}")


@pytest.fixture
def stalled_then_ok(fault_server: FaultServer) -> FaultServer:
    """First answer: 5,000 bytes of the file, then silence for 1 s; then the whole file."""
    fault_server.script(
        partial_body(PAYLOAD[:5000], len(PAYLOAD), "video/mp4", stall_after=1.0), OK
    )
    return fault_server


def test_mid_download_only_a_hidden_temporary_file_exists(
    stalled_then_ok: FaultServer, clock: FakeClock, tmp_path: Path
) -> None:
    """While the body is arriving, the final name does not exist; then it appears whole."""
    result: list[Path | BaseException] = []

    def run() -> None:
        try:
            result.append(download(stalled_then_ok, clock, tmp_path, "sync", timeout=0.6))
        except BaseException as exc:  # pragma: no cover - reported below
            result.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    names = wait_for_part_file(tmp_path)
    assert "clip.mp4" not in names
    assert all(name.startswith(".clip.mp4.") for name in names)
    worker.join(timeout=10)
    assert result == [tmp_path / "clip.mp4"]
    assert (tmp_path / "clip.mp4").read_bytes() == PAYLOAD
    assert listing(tmp_path) == ["clip.mp4"]


async def test_cancelled_async_download_leaves_nothing(
    stalled_then_ok: FaultServer, clock: FakeClock, tmp_path: Path
) -> None:
    client = make_client(stalled_then_ok, clock, timeout=5.0)
    try:
        job = asyncio.create_task(
            client.aio.media.download(f"{stalled_then_ok.url}/files/clip.mp4", tmp_path)
        )
        names = await asyncio.to_thread(wait_for_part_file, tmp_path)
        assert "clip.mp4" not in names
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
    finally:
        await client.aclose()
    assert listing(tmp_path) == []
    assert stalled_then_ok.count == 1


# -- end to end: a fault at every step, nothing lost, nothing twice ----------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_submit_wait_download_with_a_fault_at_every_step(
    fault_server: FaultServer, clock: FakeClock, tmp_path: Path, mode: str
) -> None:
    fault_server.script(
        reply_json(429, error_body("busy"), {"Retry-After": "0"}),  # submit refused: retried
        reply_json(200, SUBMITTED),
        reset,  # poll: retried
        task("QUEUED"),
        reply(502, CLOUDFLARE_502, {"Content-Type": "text/html"}),  # poll: retried
        succeeded(f"{fault_server.url}/files/clip.mp4"),
        CUT,  # download: retried
        OK,
    )

    def sync(client: YEScaleClient) -> Path:
        done = client.media.run(model="sora-2", prompt="a cat surfing", poll_interval=2)
        return client.media.download(done, tmp_path)

    async def asynchronous(client: YEScaleClient) -> Path:
        done = await client.aio.media.run(model="sora-2", prompt="a cat surfing", poll_interval=2)
        return await client.aio.media.download(done, tmp_path)

    path = in_mode(mode, make_client(fault_server, clock), sync, asynchronous)
    assert path.read_bytes() == PAYLOAD
    assert listing(tmp_path) == ["clip.mp4"]
    assert paths(fault_server) == [
        "POST /task/submit",
        "POST /task/submit",
        f"GET {POLL_PATH}",
        f"GET {POLL_PATH}",
        f"GET {POLL_PATH}",
        f"GET {POLL_PATH}",
        "GET /files/clip.mp4",
        "GET /files/clip.mp4",
    ]
    assert "authorization" not in fault_server.seen[-1].headers


def test_submit_is_retried_when_the_connection_was_never_made(clock: FakeClock) -> None:
    """No connection, no task: repeating the submit cannot bill twice, so it is retried."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits: list[float] = []
    client = YEScaleClient(
        api_key=API_KEY, base_url=f"http://127.0.0.1:{port}", max_retries=2, sleep=waits.append
    )
    with pytest.raises(APIConnectionError, match="Could not reach YEScale") as caught:
        client.media.submit(model="sora-2", prompt="a cat surfing")
    assert len(waits) == 2  # two retries
    assert caught.value.request_unsent
    assert "not sent again" not in str(caught.value)
    client.close()


@pytest.mark.parametrize("status", [401, 403, 404])
def test_a_fatal_poll_error_keeps_the_task_id(
    fault_server: FaultServer, clock: FakeClock, status: int
) -> None:
    fault_server.script(reply_json(200, SUBMITTED), reply_json(status, error_body("no")))
    client = make_client(fault_server, clock)
    with pytest.raises(APIStatusError) as caught:
        client.media.run(model="sora-2", prompt="a cat surfing", poll_interval=2)
    assert f"client.media.wait({TASK_ID!r})" in str(caught.value)
    client.close()

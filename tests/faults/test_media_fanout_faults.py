"""Media fan-out against a misbehaving media service: no task lost, none submitted twice.

The fault server plays the media service (``media_service.FakeMedia``: tasks, polls, files, the
System API task list) and injects faults into chosen requests: errors in 2xx bodies, 429s with
``Retry-After`` in both forms, cut connections, a submit accepted but its answer lost, a download
cut short. A crash is a run cancelled half way, then resumed from its manifest. Rounds pause on
a fake clock, so polling takes no real time.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from yescale import AuthenticationError, YEScaleClient
from yescale.media_manifest import read_events
from yescale.media_plan import FanOutSummary
from yescale.resources.media_fanout import FanOutProgress

from .conftest import FaultServer, hang_up, partial_body, reply, reply_json, reset
from .media_service import FakeMedia, content_for
from .support import API_KEY, FakeClock, error_body, http_date

ACCESS_KEY = "ak-fanoutaccesskey0123456789"
N = 12


def requests(n: int = N) -> list[dict[str, Any]]:
    return [{"model": "sora-2", "prompt": f"clip {i}", "key": f"clip-{i:02d}"} for i in range(n)]


@pytest.fixture
def fake(fault_server: FaultServer) -> FakeMedia:
    service = FakeMedia(polls_to_finish=1)
    fault_server.script(service)
    return service


def client(
    server: FaultServer, clock: FakeClock, *, access: bool = True, **kw: Any
) -> YEScaleClient:
    kw.setdefault("max_retries", 0)
    return YEScaleClient(
        api_key=API_KEY,
        base_url=server.url,
        access_key=ACCESS_KEY if access else None,
        system_base_url=server.url,
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
        clock=clock,
        **kw,
    )


def options(tmp_path: Path, **kw: Any) -> dict[str, Any]:
    return {"output_dir": tmp_path / "out", "poll_interval": 1.0, "max_concurrency": 4, **kw}


def check_all_done(fake: FakeMedia, summary: FanOutSummary, tmp_path: Path, n: int = N) -> None:
    """Every request submitted exactly once, every file there with its content, no key kept."""
    assert summary.counts == {"downloaded": n}, summary
    assert sorted(fake.submits.values()) == [1] * n, fake.submits
    for i in range(n):
        assert (tmp_path / "out" / f"clip-{i:02d}.mp4").read_bytes() == content_for(f"clip {i}")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"clip-{i:02d}.mp4" for i in range(n)
    ]
    text = (tmp_path / "m.jsonl").read_text()
    assert API_KEY not in text
    assert ACCESS_KEY not in text


def events(tmp_path: Path, kind: str) -> list[dict[str, Any]]:
    return [e for e in read_events(tmp_path / "m.jsonl") if e["event"] == kind]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_fan_out_polls_every_task_from_one_poller(
    fault_server: FaultServer, fake: FakeMedia, tmp_path: Path, mode: str
) -> None:
    clock = FakeClock()
    manifest = tmp_path / "m.jsonl"
    if mode == "sync":
        with client(fault_server, clock) as c:
            summary = c.media.fan_out(requests(), manifest=manifest, **options(tmp_path))
    else:

        async def go() -> FanOutSummary:
            async with client(fault_server, clock) as c:
                return await c.aio.media.fan_out(requests(), manifest=manifest, **options(tmp_path))

        summary = asyncio.run(go())
    check_all_done(fake, summary, tmp_path)
    assert fake.requests["poll"] == 2 * N  # one poll per task per round, two rounds
    assert len(clock.sleeps) == 2  # one shared pause per round, not one per task
    assert summary.submitted == N
    assert summary.recovered == 0
    kinds = [e["event"] for e in read_events(manifest) if e["key"] == "clip-00"]
    assert kinds == ["request", "intent", "submitted", "succeeded", "downloaded"]
    # run again: nothing is submitted, polled or downloaded twice
    with client(fault_server, clock) as c:
        again = c.media.fan_out(requests(), manifest=manifest, **options(tmp_path))
    assert again.counts == {"downloaded": N}
    assert again.submitted == 0
    assert fake.requests["submit"] == N
    assert fake.requests["file"] == N


def test_errors_in_2xx_bodies_on_submit_and_poll(
    fault_server: FaultServer, fake: FakeMedia, tmp_path: Path
) -> None:
    refused = {"error": {"message": "model busy", "type": "invalid_request_error", "code": "400"}}
    fake.fault("submit", reply_json(200, refused))  # a refusal in a 200: not submitted
    fake.fault("poll", reply_json(200, error_body("upstream hiccup")), times=3)
    clock = FakeClock()
    with client(fault_server, clock) as c:
        first = c.media.fan_out(requests(), manifest=tmp_path / "m.jsonl", **options(tmp_path))
        assert first.counts.get("downloaded") == N - 1
        (rejected,) = first.where("rejected", "unknown")
        assert rejected.task_id is None
        assert "model busy" in (rejected.error or "")
        second = c.media.resume(tmp_path / "m.jsonl", **options(tmp_path))  # tries it again
    check_all_done(fake, second, tmp_path)


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_429_with_retry_after_on_submit_and_poll(
    fault_server: FaultServer, fake: FakeMedia, tmp_path: Path, form: str
) -> None:
    after = "30" if form == "seconds" else http_date(30)  # a date: less the time it takes
    slow = reply_json(429, error_body("slow down"), {"Retry-After": after})
    fake.fault("submit", slow, times=2)
    fake.fault("poll", slow, times=2)
    clock = FakeClock()
    with client(fault_server, clock) as c:
        summary = c.media.fan_out(requests(), manifest=tmp_path / "m.jsonl", **options(tmp_path))
    check_all_done(fake, summary, tmp_path)
    assert max(clock.sleeps) >= 20  # the service's pause, not our 1 s
    # the two 429s, and any submit the client itself held back while the service asked for
    # quiet: none of them reached the service, so each was simply submitted again
    assert len(events(tmp_path, "not_submitted")) >= 2


def test_cut_connections_on_poll_and_download(
    fault_server: FaultServer, fake: FakeMedia, tmp_path: Path
) -> None:
    fake.fault("poll", hang_up)
    fake.fault("poll", reset)
    fake.fault("file", partial_body(b"FAKE", 1000))
    clock = FakeClock()
    with client(fault_server, clock) as c:
        summary = c.media.fan_out(requests(), manifest=tmp_path / "m.jsonl", **options(tmp_path))
    check_all_done(fake, summary, tmp_path)


@pytest.mark.parametrize("cut", [hang_up, reset, reply(502, b"<html>bad gateway</html>")])
def test_a_lost_submit_answer_is_recovered_from_the_task_list(
    fault_server: FaultServer, fake: FakeMedia, tmp_path: Path, cut: Any
) -> None:
    fake.fault("submit", cut, accept=True)  # the service took it; the answer never came
    clock = FakeClock()
    with client(fault_server, clock) as c:
        summary = c.media.fan_out(requests(), manifest=tmp_path / "m.jsonl", **options(tmp_path))
    check_all_done(fake, summary, tmp_path)  # found, polled and downloaded in the same run
    assert summary.recovered == 1
    assert summary.submitted == N - 1
    assert fake.requests["tasks"] == 1  # one look at the task list, once the rest was done
    (found,) = [e for e in events(tmp_path, "submitted") if e.get("recovered")]
    (lost,) = events(tmp_path, "unknown")
    assert found["key"] == lost["key"]
    assert "not sent again automatically" in lost["error"]


def test_a_lost_submit_answer_is_recovered_by_the_resume(
    fault_server: FaultServer, fake: FakeMedia, tmp_path: Path
) -> None:
    fake.fault("submit", hang_up, accept=True)
    clock = FakeClock()
    with client(fault_server, clock) as c:
        first = c.media.fan_out(
            requests(), manifest=tmp_path / "m.jsonl", recover=False, **options(tmp_path)
        )
        (unknown,) = first.where("unknown")
        assert unknown.task_id is None
        assert fake.requests["tasks"] == 0
        second = c.media.resume(tmp_path / "m.jsonl", **options(tmp_path))
    check_all_done(fake, second, tmp_path)
    assert second.recovered == 1
    assert second.submitted == 0


def test_without_the_task_list_an_unknown_submit_waits_for_the_caller(
    fault_server: FaultServer, fake: FakeMedia, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("YESCALE_ACCESS_KEY")  # no access key: no task list to look in
    fake.fault("submit", hang_up, accept=True)
    clock = FakeClock()
    with client(fault_server, clock, access=False) as c:
        c.media.fan_out(requests(), manifest=tmp_path / "m.jsonl", **options(tmp_path))
        again = c.media.resume(tmp_path / "m.jsonl", **options(tmp_path))
        (unknown,) = again.where("unknown")
        assert sum(fake.submits.values()) == N  # never submitted again on its own
        last = c.media.resume(tmp_path / "m.jsonl", resubmit_unknown=True, **options(tmp_path))
    assert last.counts == {"downloaded": N}
    assert sorted(fake.submits.values()) == [1] * (N - 1) + [2]  # the caller asked for it
    assert [e["key"] for e in events(tmp_path, "resubmit")] == [unknown.key]
    assert fake.requests["tasks"] == 0


def test_a_crash_half_way_then_resume_submits_nothing_twice(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fake = FakeMedia(polls_to_finish=1, submit_delay=0.01)
    fault_server.script(fake)
    n, manifest = 40, tmp_path / "m.jsonl"
    clock = FakeClock()

    async def crash() -> None:
        submitted = 0

        def die_half_way(update: FanOutProgress) -> None:
            nonlocal submitted
            submitted += update.event == "submitted"
            if submitted == n // 2:
                run.cancel()  # the process dies: submits in flight lose their answers

        async with client(fault_server, clock) as c:
            run = asyncio.ensure_future(
                c.aio.media.fan_out(
                    requests(n), manifest=manifest, on_progress=die_half_way, **options(tmp_path)
                )
            )
            with pytest.raises(asyncio.CancelledError):
                await run

    asyncio.run(crash())
    fake.settle()  # the service finishes what the dead process sent
    half = len(events(tmp_path, "submitted"))
    assert half == n // 2
    with client(fault_server, clock) as c:
        summary = c.media.resume(manifest, **options(tmp_path))
        # an intent whose request was cancelled before it left: the service never saw it, but
        # nothing can prove that, so it waits for the caller (who may check the dashboard)
        unseen = summary.where("unknown")
        assert all(fake.submits[f"clip {int(o.key[5:])}"] == 0 for o in unseen)
        assert summary.submitted + summary.recovered + len(unseen) == n - half
        if unseen:
            summary = c.media.resume(manifest, resubmit_unknown=True, **options(tmp_path))
    check_all_done(fake, summary, tmp_path, n)


def test_a_refused_key_stops_the_run_and_keeps_every_task_id(
    fault_server: FaultServer, fake: FakeMedia, tmp_path: Path
) -> None:
    clock = FakeClock()
    with client(fault_server, clock) as c:
        c.media.fan_out(requests(3), manifest=tmp_path / "m.jsonl", **options(tmp_path))
    fake.fault("submit", reply_json(401, error_body("Invalid token")), times=100)
    more = requests(6)
    with client(fault_server, clock) as c, pytest.raises(AuthenticationError) as caught:
        c.media.fan_out(more, manifest=tmp_path / "m.jsonl", **options(tmp_path))
    error = caught.value
    assert "client.media.resume(" in str(error)
    assert "3 task ids" in str(error)
    assert sorted(error.task_ids) == sorted(fake.tasks)  # type: ignore[attr-defined]
    assert API_KEY not in str(error)
    fake.faults.clear()
    with client(fault_server, clock) as c:
        summary = c.media.resume(tmp_path / "m.jsonl", **options(tmp_path))
    check_all_done(fake, summary, tmp_path, 6)


def test_bad_input_is_refused_before_any_request(
    fault_server: FaultServer, fake: FakeMedia, tmp_path: Path
) -> None:
    from yescale import InvalidRequestError

    clock = FakeClock()
    cases = [
        ({"max_concurrency": 0}, requests(), tmp_path / "m.jsonl", "max_concurrency"),
        ({}, requests() + requests(1), tmp_path / "m.jsonl", "same key"),
        ({}, requests(), tmp_path / "missing" / "m.jsonl", "does not exist"),
        ({}, [{"model": "gpt-4o-mini", "prompt": "x"}], tmp_path / "m.jsonl", "not a media"),
        ({}, [{"model": "sora-2", "prompt": f"use {API_KEY}"}], tmp_path / "m.jsonl", "holds"),
    ]
    with client(fault_server, clock) as c:
        for extra, given, manifest, message in cases:
            with pytest.raises(InvalidRequestError, match=message):
                c.media.fan_out(given, manifest=manifest, **options(tmp_path, **extra))
        with pytest.raises(InvalidRequestError, match="no manifest"):
            c.media.resume(tmp_path / "none.jsonl", **options(tmp_path))
    assert fault_server.count == 0
    assert not (tmp_path / "m.jsonl").exists() or API_KEY not in (tmp_path / "m.jsonl").read_text()


def test_a_failed_task_is_final_and_not_resubmitted(
    fault_server: FaultServer, fake: FakeMedia, tmp_path: Path
) -> None:
    given = [*requests(3), {"model": "sora-2", "prompt": "FAIL me", "key": "bad"}]
    clock = FakeClock()
    with client(fault_server, clock) as c:
        first = c.media.fan_out(given, manifest=tmp_path / "m.jsonl", **options(tmp_path))
        again = c.media.resume(tmp_path / "m.jsonl", **options(tmp_path))
    for summary in (first, again):
        (failed,) = summary.where("failed")
        assert failed.key == "bad"
        assert failed.task_id
        assert failed.error == "content policy"
    assert fake.submits["FAIL me"] == 1
    assert json.loads((tmp_path / "m.jsonl").read_text().splitlines()[0])["v"] == 1


def test_a_sync_only_http_client_is_refused_rather_than_bypassed(
    fault_server: FaultServer, fake: FakeMedia, tmp_path: Path
) -> None:
    from yescale import InvalidRequestError

    with (
        httpx.Client() as own,
        YEScaleClient(api_key=API_KEY, base_url=fault_server.url, http_client=own) as c,
        pytest.raises(InvalidRequestError, match="async_http_client"),
    ):
        c.media.fan_out(requests(), manifest=tmp_path / "m.jsonl", **options(tmp_path))
    assert fault_server.count == 0


def test_a_download_refused_for_good_is_polled_again_by_the_resume(
    fault_server: FaultServer, fake: FakeMedia, tmp_path: Path
) -> None:
    fake.fault("file", reply_json(404, error_body("link expired")))
    clock = FakeClock()
    with client(fault_server, clock) as c:
        first = c.media.fan_out(requests(), manifest=tmp_path / "m.jsonl", **options(tmp_path))
        (stuck,) = first.where("succeeded")
        assert stuck.task_id
        assert "link expired" in (stuck.error or "")
        polls = fake.requests["poll"]
        second = c.media.resume(tmp_path / "m.jsonl", **options(tmp_path))
    check_all_done(fake, second, tmp_path)
    assert fake.requests["poll"] == polls + 1  # its URL asked for again, then downloaded
    assert second.submitted == 0


def test_the_first_tasks_are_polled_while_later_ones_are_submitted(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    fake = FakeMedia(polls_to_finish=0, submit_delay=0.005)
    fault_server.script(fake)
    n = 40
    with YEScaleClient(api_key=API_KEY, base_url=fault_server.url, max_retries=0) as c:
        summary = c.media.fan_out(
            requests(n),
            manifest=tmp_path / "m.jsonl",
            output_dir=tmp_path / "out",
            max_concurrency=2,  # submits go in steps of 8
            poll_interval=0.001,
            max_poll_interval=0.01,
        )
    check_all_done(fake, summary, tmp_path, n)
    kinds = [e["event"] for e in read_events(tmp_path / "m.jsonl")]
    last_submit = len(kinds) - 1 - kinds[::-1].index("submitted")
    assert "downloaded" in kinds[:last_submit]  # not every submit before the first poll

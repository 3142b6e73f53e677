"""The media fan-out planner and manifest, without HTTP: keys, events, verdicts, resume state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from yescale._retry import RetryPolicy
from yescale.errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    InvalidRequestError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    YEScaleError,
)
from yescale.media_manifest import Manifest, read_events
from yescale.media_plan import (
    FanOutPlan,
    MediaRequest,
    Rounds,
    file_name,
    make_requests,
    match_tasks,
    request_key,
    submit_verdict,
)

REQUESTS = [{"model": "sora-2", "prompt": f"clip {i}"} for i in range(3)]


def replay(events: list[dict[str, object]], requests: object = REQUESTS) -> FanOutPlan:
    plan = FanOutPlan(make_requests(requests))  # type: ignore[arg-type]
    for e in plan.request_events(1.0):
        plan.apply(e)
    for e in events:
        plan.apply(e)
    return plan


def keys() -> list[str]:
    return [r.key for r in make_requests(REQUESTS)]


def test_request_key_is_stable_and_depends_on_every_field() -> None:
    a = request_key("sora-2", "cat", {"duration": 8, "hd": True})
    assert a == request_key("sora-2", "cat", {"hd": True, "duration": 8})  # order of config
    assert a != request_key("sora-2", "cat", {"duration": 4, "hd": True})
    assert a != request_key("veo3.1", "cat", {"duration": 8, "hd": True})
    assert a != request_key("sora-2", "dog", {"duration": 8, "hd": True})
    assert a == "r" + a[1:]
    assert len(a) == 21


def test_duplicate_and_bad_keys_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="requests 0 and 1 have the same key"):
        make_requests([REQUESTS[0], dict(REQUESTS[0])])
    with pytest.raises(InvalidRequestError, match="same key 'a'"):
        make_requests([{**REQUESTS[0], "key": "a"}, {**REQUESTS[1], "key": "a"}])
    with pytest.raises(InvalidRequestError, match="not usable"):
        make_requests([{**REQUESTS[0], "key": "../etc/passwd"}])
    with pytest.raises(InvalidRequestError, match="unknown fields"):
        make_requests([{**REQUESTS[0], "promt": "typo"}])
    with pytest.raises(InvalidRequestError, match="empty"):
        make_requests([])
    with pytest.raises(InvalidRequestError, match="not a single one"):
        make_requests(REQUESTS[0])  # type: ignore[arg-type]
    assert make_requests([MediaRequest("sora-2", "x", key="k1")])[0].key == "k1"


def test_file_name_is_the_key_with_the_urls_extension() -> None:
    assert file_name("k", "https://cdn.example.com/a/b/clip.MP4?sig=1") == "k.mp4"
    assert file_name("k", "https://cdn.example.com/download") == "k"
    assert file_name("k", "https://cdn.example.com/x.tar.gz/../evil") == "k"
    assert file_name("k", "https://cdn.example.com/x.ab$cd") == "k"


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (AuthenticationError("no", status_code=401), "fatal"),
        (RateLimitError("slow", status_code=429), "retry"),
        (BadRequestError("bad", status_code=400), "rejected"),
        (NotFoundError("no model", status_code=404), "rejected"),
        (InternalServerError("oops", status_code=502), "unknown"),
        (APIConnectionError("cut"), "unknown"),
        (InvalidResponseError("garbage in a 200"), "unknown"),
        (BadRequestError("refused in a 200", status_code=None), "rejected"),
        (InternalServerError("5xx-kind error in a 200", status_code=None), "unknown"),
    ],
)
def test_submit_verdicts(error: YEScaleError, verdict: str) -> None:
    assert submit_verdict(error, RetryPolicy().is_retryable(error)) == verdict


def test_a_connection_never_made_is_retried() -> None:
    error = APIConnectionError("refused")
    error.request_unsent = True
    assert submit_verdict(error, True) == "retry"


def test_resume_never_resubmits_a_key_with_a_task_id_or_an_open_intent() -> None:
    k0, k1, k2 = keys()
    plan = replay(
        [
            {"event": "intent", "key": k0, "t": 5},
            {"event": "submitted", "key": k0, "task_id": "t-0"},
            {"event": "intent", "key": k1, "t": 6},  # killed before the answer
        ]
    )
    assert [k.request.key for k in plan.to_submit()] == [k2]
    assert [k.request.key for k in plan.unknown()] == [k1]
    assert [k.task_id for k in plan.to_poll()] == ["t-0"]
    plan.apply({"event": "resubmit", "key": k1})  # only when the caller says so
    assert [k.request.key for k in plan.to_submit()] == [k1, k2]


def test_a_submit_that_certainly_failed_is_submitted_again() -> None:
    k0, _, _ = keys()
    plan = replay([{"event": "intent", "key": k0}, {"event": "not_submitted", "key": k0}])
    assert k0 in [k.request.key for k in plan.to_submit()]


def test_states_through_a_whole_life_and_the_summary(tmp_path: Path) -> None:
    k0, k1, k2 = keys()
    plan = replay(
        [
            {"event": "intent", "key": k0},
            {"event": "submitted", "key": k0, "task_id": "t-0"},
            {"event": "succeeded", "key": k0, "task_id": "t-0", "url": "http://h/a.mp4"},
            {"event": "downloaded", "key": k0, "task_id": "t-0", "file": f"{k0}.mp4"},
            {"event": "intent", "key": k1},
            {"event": "submitted", "key": k1, "task_id": "t-1"},
            {"event": "failed", "key": k1, "task_id": "t-1", "reason": "policy"},
            {"event": "intent", "key": k2},
            {"event": "submitted", "key": k2, "task_id": "t-2"},
            {"event": "succeeded", "key": k2, "task_id": "t-2", "url": "http://h/b.mp4"},
        ]
    )
    assert not plan.to_submit()
    assert not plan.to_poll()
    assert [k.request.key for k in plan.to_download()] == [k2]
    plan.missing_files([k0])  # the file was deleted: download it again
    assert [k.request.key for k in plan.to_download()] == [k0, k2]
    summary = plan.summary(tmp_path / "m.jsonl", tmp_path)
    assert summary.counts == {"succeeded": 2, "failed": 1}
    assert summary.where("failed")[0].error == "policy"
    assert not summary.complete


def test_a_key_in_the_manifest_with_another_payload_is_refused() -> None:
    k0 = keys()[0]
    plan = FanOutPlan(make_requests([{"model": "sora-2", "prompt": "other", "key": k0}]))
    plan.apply({"event": "request", "key": k0, "model": "sora-2", "prompt": "clip 0"})
    with pytest.raises(InvalidRequestError, match="another model, prompt or config"):
        plan.request_events(1.0)


def test_rounds_share_one_backoff_and_honour_retry_after() -> None:
    rounds = Rounds(1.0, 3.0, start=0.0, deadline=12.0, batch=8)
    assert not rounds.polls_due(0.0)  # a fresh fan-out submits first
    assert rounds.pause(0.0, submits=False, polls=True) == 1.0
    rounds.polled(1.0)
    assert rounds.pause(1.0, submits=False, polls=True) == 1.5
    error = RateLimitError("slow", status_code=429)
    error.retry_after = 7.0
    rounds.note(error)
    rounds.polled(2.5)
    assert rounds.next_poll == 9.5  # the longest Retry-After of the round
    rounds.polled(9.5)
    assert rounds.next_poll == 12.5  # x1.5 each round, capped at 3
    assert rounds.pause(9.5, submits=False, polls=True) is None  # would pass the deadline
    assert rounds.pause(12.0, submits=True, polls=False) is None  # the deadline has come


def test_submits_go_back_to_back_and_wait_after_a_refusal() -> None:
    rounds = Rounds(2.0, 30.0, start=0.0, deadline=100.0, batch=8)
    assert rounds.pause(0.5, submits=True, polls=True) == 0.0  # more submits: no pause
    error = RateLimitError("slow", status_code=429)
    error.retry_after = 5.0
    rounds.refused(0.5, error)
    assert not rounds.submits_due(1.0)
    assert rounds.pause(1.0, submits=True, polls=False) == 4.5
    assert rounds.pause(1.0, submits=True, polls=True) == 1.0  # the polls come first
    assert Rounds(2.0, 30.0, start=0.0, deadline=9.0, batch=8, poll_now=True).polls_due(0.0)


def test_match_tasks_takes_only_unambiguous_unclaimed_tasks() -> None:
    a, b, c = make_requests(
        [
            {"model": "sora-2", "prompt": "a", "key": "a"},
            {"model": "sora-2", "prompt": "b", "key": "b"},
            {"model": "sora-2", "prompt": "c", "key": "c"},
        ]
    )
    listed: list[dict[str, Any]] = [
        {"task_id": "t-a", "properties": json.dumps({"model": "sora-2", "prompt": "a"})},
        {"task_id": "t-b1", "data": {"model": "sora-2", "prompt": "b"}},
        {"task_id": "t-b2", "data": {"model": "sora-2", "prompt": "b"}},  # two candidates
        {"task_id": "t-c", "data": {"model": "sora-2", "prompt": "c"}},  # already claimed
        {"task_id": "t-x", "data": {"model": "veo3.1", "prompt": "a"}},  # other model
    ]
    assert match_tasks([a, b, c], listed, claimed={"t-c"}) == {"a": "t-a"}


# -- the manifest file --------------------------------------------------------------------------


def test_a_torn_last_line_is_ignored_and_cut_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    with Manifest(path) as manifest:
        manifest.append({"v": 1, "event": "intent", "key": "a"})
    with path.open("ab") as f:
        f.write(b'{"v":1,"event":"submitted","key":"a","task_')  # the crash
    assert [e["event"] for e in read_events(path)] == ["intent"]
    with Manifest(path) as manifest:
        assert [e["event"] for e in manifest.events] == ["intent"]
        manifest.append({"v": 1, "event": "submitted", "key": "a", "task_id": "t"})
    assert [e["event"] for e in read_events(path)] == ["intent", "submitted"]
    assert path.read_bytes().count(b"\n") == 2


def test_a_damaged_line_in_the_middle_is_refused_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('{"v":1,"event":"intent","key":"a"}\nnot json\n{"v":1,"event":"x"}\n')
    with pytest.raises(InvalidRequestError, match="Line 2 of the manifest"):
        read_events(path)
    path.write_text('{"v":9,"event":"intent","key":"a"}\n')
    with pytest.raises(InvalidRequestError, match="newer version"):
        read_events(path)


def test_manifest_folder_problems_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="does not exist"):
        Manifest(tmp_path / "nope" / "m.jsonl")
    with pytest.raises(InvalidRequestError, match="is a folder"):
        Manifest(tmp_path)
    with pytest.raises(InvalidRequestError, match="no manifest at"):
        read_events(tmp_path / "missing.jsonl")


def test_errors_written_to_the_manifest_are_scrubbed(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    with Manifest(path, secrets=["sk-secretsecret123"]) as manifest:
        manifest.append({"event": "unknown", "key": "a", "error": "bad sk-secretsecret123"})
    assert "sk-secretsecret123" not in path.read_text()


def test_a_damaged_event_is_refused_not_guessed() -> None:
    plan = FanOutPlan()
    with pytest.raises(InvalidRequestError, match="no model or prompt"):
        plan.apply({"event": "request", "key": "a", "prompt": "x"})
    plan.apply({"event": "request", "key": "a", "model": "sora-2", "prompt": "x"})
    with pytest.raises(InvalidRequestError, match="has no task id"):
        plan.apply({"event": "submitted", "key": "a"})


def test_counts_follow_every_event() -> None:
    k0, k1, _ = keys()
    plan = replay(
        [
            {"event": "intent", "key": k0},
            {"event": "submitted", "key": k0, "task_id": "t-0"},
            {"event": "intent", "key": k1},
        ]
    )
    assert {s: n for s, n in plan.counts.items() if n} == {"running": 1, "unknown": 1, "new": 1}
    plan.apply({"event": "succeeded", "key": k0, "url": "http://h/a.mp4"})
    plan.apply({"event": "downloaded", "key": k0, "file": "a.mp4"})
    plan.missing_files([k0])
    assert plan.counts["succeeded"] == 1
    assert plan.counts["downloaded"] == 0

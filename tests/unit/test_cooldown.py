"""The shared 429 cooldown (yescale._http.cooldown): pure decisions, times given, waits returned."""

from __future__ import annotations

import random
from typing import Any

import pytest

from yescale import RateLimitError, RetryPolicy, YEScaleClient
from yescale._http import cooldown
from yescale._http.call import Call
from yescale._http.cooldown import CallHold, Cooldowns, scope_of
from yescale._settings import ClientSettings
from yescale.errors import error_from_response

SCOPE = ("https://api.yescale.io", b"digest", "gpt-4o-mini")


def limited(retry_after: str | None = None) -> RateLimitError:
    headers = {} if retry_after is None else {"retry-after": retry_after}
    error = error_from_response(429, headers, b'{"error": {"message": "slow down"}}')
    assert isinstance(error, RateLimitError)
    return error


def test_nothing_armed_holds_no_one() -> None:
    cooldowns = Cooldowns()
    assert cooldowns.wait(SCOPE, 100.0, cooldown.NEVER).seconds == 0.0
    assert len(cooldowns) == 0


def test_the_first_to_ask_probes_at_the_moment_the_others_follow_spread() -> None:
    cooldowns = Cooldowns()
    cooldowns.arm(SCOPE, 100.0, 4.0)  # "Retry-After: 4" at t=100: nothing before 104
    probe = cooldowns.wait(SCOPE, 100.5, cooldown.NEVER)
    assert probe.probe
    assert probe.seconds == pytest.approx(3.5)  # at the moment itself
    assert probe.honoured == 104.0
    others = [cooldowns.wait(SCOPE, 100.5, cooldown.NEVER) for _ in range(200)]
    assert not any(h.probe for h in others)
    releases = [100.5 + h.seconds for h in others]
    assert all(105.0 <= t <= 106.0 for t in releases)  # a quarter of the hold later, over a quarter
    assert len({round(t, 3) for t in releases}) > 100  # spread, not one moment
    # the probe got through: at its turn, each of the others goes, and is not held again
    cooldowns.cleared(SCOPE, 104.0)
    turn = cooldowns.wait(SCOPE, 105.5, others[0].honoured)
    assert turn.seconds == 0.0
    assert cooldowns.wait(SCOPE, 105.5, turn.honoured).seconds == 0.0


def test_at_its_turn_a_call_looks_again_a_few_times_for_the_probes_answer() -> None:
    """A busy event loop reads the probe's 429 late: a call whose turn came with no answer
    through since the moment looks again, a few times, before it goes anyway."""
    cooldowns = Cooldowns()
    cooldowns.arm(SCOPE, 100.0, 4.0)
    cooldowns.wait(SCOPE, 100.0, cooldown.NEVER)  # the probe
    call = CallHold(cooldowns, SCOPE, RetryPolicy(), where="x")
    now = 100.0 + call.wait(100.0)  # its turn, in the window
    looks = []
    while wait := call.wait(now):
        looks.append(wait)
        now += wait
    assert len(looks) == cooldown.POLLS
    assert all(0.5 <= w <= 1.5 for w in looks)  # half to one and a half spreads apart
    # had the probe been refused meanwhile, the call would wait for the new moment instead
    other = CallHold(cooldowns, SCOPE, RetryPolicy(), where="x")
    now = 100.0 + other.wait(100.0)
    cooldowns.arm(SCOPE, now, 4.0)
    assert now + other.wait(now) >= now + 4.0


def test_a_probe_refused_again_holds_the_others_for_the_new_moment() -> None:
    cooldowns = Cooldowns()
    cooldowns.arm(SCOPE, 100.0, 1.0)
    held = cooldowns.wait(SCOPE, 100.0, cooldown.NEVER)  # the probe
    other = cooldowns.wait(SCOPE, 100.0, cooldown.NEVER)
    cooldowns.arm(SCOPE, 101.0, 1.0)  # the probe met the storm: nothing before 102
    assert held.probe
    again = cooldowns.wait(SCOPE, 100.0 + other.seconds, other.honoured)
    assert again.honoured == 102.0
    assert again.probe  # the first to ask for the new moment
    assert 100.0 + other.seconds + again.seconds == pytest.approx(102.0)


def test_an_earlier_moment_never_shortens_a_later_one() -> None:
    cooldowns = Cooldowns()
    cooldowns.arm(SCOPE, 100.0, 10.0)
    cooldowns.arm(SCOPE, 101.0, 1.0)
    assert cooldowns.wait(SCOPE, 101.0, cooldown.NEVER).honoured == 110.0


def test_late_arrivals_go_once_through_and_a_finished_cooldown_is_forgotten() -> None:
    cooldowns = Cooldowns()
    cooldowns.arm(SCOPE, 100.0, 4.0)  # moment 104, spread 1 s: release over by 106
    cooldowns.wait(SCOPE, 100.0, cooldown.NEVER)  # the probe
    cooldowns.cleared(SCOPE, 103.9)  # an answer to a request sent before the moment: no news
    assert cooldowns.wait(SCOPE, 105.2, cooldown.NEVER).seconds > 0  # not yet known through
    cooldowns.cleared(SCOPE, 104.0)  # the probe got through
    assert cooldowns.wait(SCOPE, 105.2, cooldown.NEVER).seconds == 0.0
    assert len(cooldowns) == 1
    assert cooldowns.wait(SCOPE, 106.0, cooldown.NEVER).seconds == 0.0
    assert len(cooldowns) == 0


def test_a_cooldown_nobody_cleared_is_forgotten_once_stale() -> None:
    cooldowns = Cooldowns()
    cooldowns.arm(SCOPE, 100.0, 4.0)
    assert cooldowns.wait(SCOPE, 104.0 + cooldown.STALE, cooldown.NEVER).seconds == 0.0
    assert len(cooldowns) == 0


def test_retry_after_0_arms_nothing() -> None:
    cooldowns = Cooldowns()
    cooldowns.arm(SCOPE, 100.0, 0.0)
    assert len(cooldowns) == 0


def test_memory_is_bounded() -> None:
    cooldowns = Cooldowns(limit=8)
    for i in range(1000):
        cooldowns.arm(("h", b"k", f"model-{i}"), 100.0 + i, 30.0)
        assert len(cooldowns) <= 8
    # the most recent scopes are the ones kept
    assert cooldowns.wait(("h", b"k", "model-999"), 1100.0, cooldown.NEVER).seconds > 0


def test_no_limit_means_no_cooldowns() -> None:
    cooldowns = Cooldowns(limit=0)
    cooldowns.arm(SCOPE, 100.0, 5.0)
    assert cooldowns.wait(SCOPE, 100.0, cooldown.NEVER).seconds == 0.0


# -- scopes -------------------------------------------------------------------------------------


def settings(key: str = "sk-tenant-a-0123456789", base: str = "https://api.yescale.io") -> Any:
    return ClientSettings.resolve(api_key=key, base_url=base, access_key="ak-system-0123456789")


def chat(model: str = "gpt-4o-mini") -> Call[bytes]:
    return Call("POST", "/v1/chat/completions", bytes, json={"model": model, "messages": []})


def test_a_scope_is_base_url_key_and_model_and_holds_no_key() -> None:
    a = scope_of(settings(), chat())
    assert a == scope_of(settings(), chat())
    assert a != scope_of(settings("sk-tenant-b-0123456789"), chat())  # another tenant
    assert a != scope_of(settings(base="https://api.yescale.vip"), chat())  # another host
    assert a != scope_of(settings(), chat("claude-sonnet-4-5"))  # another model's limit
    assert "sk-tenant-a" not in repr(a)
    gemini = Call("POST", "/v1beta/models/gemini-2.5-flash:generateContent", bytes, json={})
    assert scope_of(settings(), gemini) == (*a[:2], "gemini-2.5-flash")  # type: ignore[index]
    system = Call("GET", "/yescale/user/token", bytes)
    assert scope_of(settings(), system) != scope_of(settings(), Call("GET", "/v1/models", bytes))
    assert scope_of(settings(), Call("GET", "https://cdn/x.mp4", bytes, what="download")) is None


def test_clients_on_the_process_clock_share_the_process_cooldowns() -> None:
    assert YEScaleClient(api_key="sk-x")._transport.cooldowns is cooldown.SHARED
    own = YEScaleClient(api_key="sk-x", clock=lambda: 0.0, sleep=lambda s: None)
    assert own._transport.cooldowns is not cooldown.SHARED
    sleeps_only = YEScaleClient(api_key="sk-x", sleep=lambda s: None)._transport.cooldowns
    assert sleeps_only.limit == 0  # its sleeps do not pass its clock's time: nothing held


# -- one call's side ----------------------------------------------------------------------------


def hold(cooldowns: Cooldowns, **kwargs: Any) -> CallHold:
    policy = kwargs.pop("policy", RetryPolicy())
    return CallHold(cooldowns, SCOPE, policy, where="chat completion (POST /x)", **kwargs)


def test_a_429_arms_with_its_retry_after_or_the_calls_backoff() -> None:
    cooldowns = Cooldowns()
    hold(cooldowns).observed(limited("3"), 100.0, 3.4)
    assert cooldowns.wait(SCOPE, 100.0, cooldown.NEVER).honoured == 103.0
    other = Cooldowns()
    hold(other).observed(limited(), 100.0, 0.45)  # no Retry-After: the backoff it waits
    assert other.wait(SCOPE, 100.0, cooldown.NEVER).honoured == pytest.approx(100.45)


def test_what_arms_nothing() -> None:
    cooldowns = Cooldowns()
    calls = hold(cooldowns)
    calls.observed(limited("3600"), 100.0, None)  # past max_retry_after: each finds it out
    quota = b'{"error": {"message": "x", "code": "insufficient_quota"}}'
    calls.observed(error_from_response(429, {"retry-after": "5"}, quota), 100.0, None)
    calls.observed(error_from_response(503, {"retry-after": "5"}, b"{}"), 100.0, 5.0)
    assert len(cooldowns) == 0


def test_a_call_probes_once_at_most() -> None:
    cooldowns = Cooldowns()
    call = hold(cooldowns)
    cooldowns.arm(SCOPE, 100.0, 1.0)
    assert call.wait(100.0) == pytest.approx(1.0)  # the probe, at the moment
    call.observed(limited("1"), 101.0, 1.1)  # refused again: nothing before 102
    waits = call.wait(102.1)  # after its own wait, it joins the others: not the probe again
    assert 102.25 <= 102.1 + waits <= 102.5
    assert hold(cooldowns).wait(102.1) == pytest.approx(0.0)  # a fresh call probes


@pytest.mark.parametrize(
    "kwargs", [{"time_left": 30.0}, {"policy": RetryPolicy(max_retries=0)}], ids=["poll", "0"]
)
def test_a_caller_with_its_own_waits_is_refused_unsent_not_held(kwargs: dict[str, Any]) -> None:
    cooldowns = Cooldowns()
    cooldowns.arm(SCOPE, 100.0, 5.0)
    with pytest.raises(RateLimitError) as refused:
        hold(cooldowns, **kwargs).wait(101.0)
    assert refused.value.request_unsent is True
    assert refused.value.status_code == 429
    assert refused.value.retry_after == pytest.approx(4.0)  # until the moment
    assert "was not sent" in str(refused.value)
    assert cooldowns.wait(SCOPE, 101.0, cooldown.NEVER).probe  # it did not take the probe's turn
    assert hold(cooldowns, **kwargs).wait(105.1) == 0.0  # past the moment: sent


def test_a_call_is_held_max_retry_after_at_most_in_all() -> None:
    cooldowns = Cooldowns()
    call = hold(cooldowns, policy=RetryPolicy(max_retry_after=10.0))
    now = 100.0

    def again() -> None:  # the service asks for 4 s more, and the call is held for them
        nonlocal now
        cooldowns.arm(SCOPE, now, 4.0)
        now += call.wait(now)

    again()
    again()
    assert call.held <= 10.0
    with pytest.raises(RateLimitError, match="already held") as refused:
        again()
    assert refused.value.request_unsent is True


def test_jitter_uses_the_module_random(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "random", lambda: 0.5)
    cooldowns = Cooldowns()
    cooldowns.arm(SCOPE, 100.0, 4.0)
    cooldowns.wait(SCOPE, 100.0, cooldown.NEVER)
    assert cooldowns.wait(SCOPE, 100.0, cooldown.NEVER).seconds == pytest.approx(5.5)

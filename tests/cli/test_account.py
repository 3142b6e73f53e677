"""``yescale quota``, ``yescale logs`` and ``yescale tasks`` over cassettes of the System API.

The account, keys, tasks and logs are the synthesizer's (tests/synth/answers.py: the reference's
documented user and key verbatim, the gateway's task and log rows).
"""

from __future__ import annotations

import pytest
from vcr.cassette import Cassette

from tests.synth.answers import FAIL_REASON, REF_SORA_TASK
from yescale.cli.exits import CREDENTIALS

from .support import NOW, Cli

DAY = 86400
#: The synthesized logs: five rounds of three calls (41, 55 and 2 credits).
LOGGED_CREDITS = (41 + 55 + 2) * 5


def query(vcr: Cassette, n: int = 0) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(vcr.requests[n].uri).query))


# -- quota ---------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_quota_shows_the_balance_and_every_key_in_usd(cli: Cli, vcr: Cassette) -> None:
    run = cli("quota")
    assert run.code == 0, run.stderr
    words = run.words
    assert "Account your_username (Your Display Name)" in words
    assert "Remaining $17,328.80" in words  # 8,664,402,091 credits / 500,000
    assert "Used $2,920.03 in 213,527 requests" in words  # 1,460,014,143 credits
    assert "ID Name Status Group Remaining Used Expires" in words
    assert "7136 dsdfs active normal unlimited $0.77 never" in words  # used 386,223 credits
    assert "XXXXX" not in run.stdout + run.stderr  # the token and the key are never shown
    assert [r.path for r in vcr.requests] == ["/yescale/user", "/yescale/apikeylist"]


@pytest.mark.vcr
def test_quota_json(cli: Cli) -> None:
    run = cli("quota", "--json")
    assert run.code == 0, run.stderr
    data = run.json()
    assert data["user"] == {
        "username": "your_username",
        "display_name": "Your Display Name",
        "email": "your.email@example.com",
        "quota": 8664402091,
        "used_quota": 1460014143,
        "request_count": 213527,
        "quota_usd": 8664402091 / 500_000,
        "used_quota_usd": 1460014143 / 500_000,
    }
    [key] = data["keys"]
    assert key["id"] == 7136
    assert key["name"] == "dsdfs"
    assert key["unlimited_quota"] is True
    assert key["remain_quota_usd"] == 113777 / 500_000
    assert "key" not in key
    assert "access_token" not in data["user"]
    assert run.stderr == ""


@pytest.mark.vcr
def test_quota_of_keys_by_name(cli: Cli, vcr: Cassette) -> None:
    run = cli("quota", "--key", "nothing-like-it")
    assert run.code == 0
    assert "Remaining $17,328.80" in run.words
    assert run.stderr == "No API key whose name contains 'nothing-like-it'.\n"
    assert query(vcr, 1) == {"keyword": "nothing-like-it"}


@pytest.mark.vcr
def test_a_refused_access_key_is_exit_3_naming_it(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YESCALE_ACCESS_KEY", "an-invalid-access-key")
    run = cli("quota")
    assert run.code == CREDENTIALS
    assert run.stdout == ""
    assert run.stderr.startswith("error: the service refused the key in YESCALE_ACCESS_KEY: ")
    assert "Unauthorized: the access token is invalid." in run.stderr
    assert "an-invalid-access-key" not in run.stderr
    assert run.stderr.count("\n") == 1


# -- logs ----------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_logs_in_a_window_with_usd(cli: Cli, vcr: Cassette) -> None:
    run = cli("logs", "--since", "2025-10-27", "--until", "2025-10-28T00:00Z")
    assert run.code == 0, run.stderr
    assert query(vcr) == {"start_timestamp": str(NOW - DAY), "end_timestamp": str(NOW)}
    words = run.words
    assert "Time (UTC) Model Key In Out Credits USD" in words
    assert "2025-10-27 14:40 gpt-4o-mini dsdfs 9 9 41 $0.000082" in words
    assert "2025-10-27 14:41 gemini-2.5-flash dsdfs 9 9 55 $0.00011" in words
    assert words.count(" dsdfs ") == 15
    assert (
        f"15 requests, {LOGGED_CREDITS} credits = $0.00098 "
        "(2025-10-27 00:00 to 2025-10-28 00:00 UTC)" in words
    )


@pytest.mark.vcr
def test_logs_of_one_model_as_json(cli: Cli, vcr: Cassette) -> None:
    run = cli("logs", "--since", "2d", "--model", "gpt-4o-mini", "--key", "dsdfs", "--json")
    assert run.code == 0, run.stderr
    assert query(vcr) == {
        "start_timestamp": str(NOW - 2 * DAY),
        "end_timestamp": str(NOW),
        "model_name": "gpt-4o-mini",
        "token_name": "dsdfs",
    }
    data = run.json()
    assert (data["since"], data["until"]) == (NOW - 2 * DAY, NOW)
    assert {row["model_name"] for row in data["logs"]} == {"gpt-4o-mini"}
    assert len(data["logs"]) == 5
    assert data["total_quota"] == 5 * 41
    assert data["total_usd"] == 5 * 41 / 500_000


@pytest.mark.vcr
def test_logs_pages(cli: Cli, vcr: Cassette) -> None:
    run = cli("logs", "--since", "1w", "--page", "2", "--page-size", "10")
    assert run.code == 0, run.stderr
    assert query(vcr)["p"] == "2"
    assert query(vcr)["page_size"] == "10"
    assert "5 requests" in run.words


# -- tasks ---------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_tasks_of_the_last_day(cli: Cli, vcr: Cassette) -> None:
    run = cli("tasks", "--since", "1d")
    assert run.code == 0, run.stderr
    assert query(vcr) == {"start_timestamp": str(NOW - DAY), "end_timestamp": str(NOW)}
    words = run.words
    assert "Submitted (UTC) Task Status Progress USD Failure" in words
    assert f"2025-10-27 14:51 {REF_SORA_TASK} SUCCESS 100% $0.50" in words  # 250,000 credits
    assert "2025-10-27 15:46 yescale-gpt-image-3bff624161c0 FAILURE 100% $0.04" in words
    assert " ".join(FAIL_REASON.split()) in words
    assert "2 tasks (2025-10-27 00:00 to 2025-10-28 00:00 UTC)" in words


@pytest.mark.vcr
def test_tasks_as_json(cli: Cli) -> None:
    run = cli("tasks", "--since", "1761576000", "--until", "1761578000", "--json")
    assert run.code == 0, run.stderr
    data = run.json()
    assert (data["since"], data["until"]) == (1761576000, 1761578000)
    assert [t["task_id"] for t in data["tasks"]] == [REF_SORA_TASK]
    assert data["tasks"][0]["quota"] == 250000


@pytest.mark.vcr
def test_no_tasks_in_the_window(cli: Cli) -> None:
    run = cli("tasks", "--since", "2h")
    assert run.code == 0
    assert run.stdout == ""
    assert run.stderr == "No media task between 2025-10-27 22:00 and 2025-10-28 00:00 UTC.\n"

"""``yescale chat`` over cassettes: the answer streamed to stdout, the cost on stderr."""

from __future__ import annotations

import json

import pytest
from vcr.cassette import Cassette

from yescale.cli.chat import describe_cost
from yescale.cli.exits import CREDENTIALS
from yescale.costs import Cost

from .support import Cli

ANSWER = "Hello! How can I help you today?"  # the synthesizer's streamed answer, 7 words


def body(vcr: Cassette, n: int = 0) -> dict[str, object]:
    sent = json.loads(vcr.requests[n].body)
    assert isinstance(sent, dict)
    return sent


@pytest.mark.vcr
def test_chat_streams_the_answer(cli: Cli, vcr: Cassette) -> None:
    run = cli("chat", "Say hello.")
    assert run.code == 0, run.stderr
    assert run.stdout == f"{ANSWER}\n"
    assert run.stderr == ""
    sent = body(vcr)
    assert sent["model"] == "gpt-4o-mini"
    assert sent["messages"] == [{"role": "user", "content": "Say hello."}]
    assert sent["stream"] is True
    assert vcr.requests[0].uri == "https://api.yescale.io/v1/chat/completions"


@pytest.mark.vcr
def test_chat_options_reach_the_request(cli: Cli, vcr: Cassette) -> None:
    run = cli(
        "chat", "Say hello.", "-m", "gemini-2.5-flash", "--system", "Be brief.",
        "--temperature", "0.2", "--max-tokens", "50",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert run.stdout == f"{ANSWER}\n"
    sent = body(vcr)
    assert sent["model"] == "gemini-2.5-flash"
    assert sent["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Say hello."},
    ]
    assert (sent["temperature"], sent["max_tokens"]) == (0.2, 50)


@pytest.mark.vcr
def test_chat_reads_the_prompt_from_stdin(cli: Cli, vcr: Cassette) -> None:
    run = cli("chat", "-", stdin="Say hello.\n")
    assert (run.code, run.stdout) == (0, f"{ANSWER}\n")
    assert body(vcr)["messages"] == [{"role": "user", "content": "Say hello.\n"}]


@pytest.mark.vcr
def test_chat_cost_is_printed_on_stderr(cli: Cli, vcr: Cassette) -> None:
    run = cli("chat", "Say hello.", "--cost")
    assert run.code == 0, run.stderr
    assert run.stdout == f"{ANSWER}\n"  # the answer alone: the cost does not mix into it
    # 9 tokens in at $0.15 and 7 out at $0.60 per million (the test catalog's gpt-4o-mini)
    usd = (9 * 0.15 + 7 * 0.6) / 1_000_000
    assert run.stderr == f"cost: ${usd:.7f} (gpt-4o-mini: 9 tokens in, 7 out)\n"
    assert [r.path for r in vcr.requests] == ["/yescale/models", "/v1/chat/completions"]


@pytest.mark.vcr
def test_chat_cost_of_a_model_without_a_price_is_unknown(cli: Cli) -> None:
    run = cli("chat", "Say hello.", "-m", "claude-sonnet-4-5", "--cost")
    assert run.code == 0, run.stderr
    assert run.stderr == (
        "cost: unknown (the catalog (service) has no price for 'claude-sonnet-4-5')\n"
    )


@pytest.mark.vcr
def test_a_refused_api_key_is_exit_3_naming_it(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YESCALE_API_KEY", "an-invalid-api-key")
    run = cli("chat", "Say hello.")
    assert run.code == CREDENTIALS
    assert run.stdout == ""
    assert run.stderr.startswith("error: the service refused the key in YESCALE_API_KEY: ")
    assert "an-invalid-api-key" not in run.stderr


def test_the_cost_line() -> None:
    tokens = Cost("m", 0.0123, "tokens", input_tokens=1200, output_tokens=30)
    assert describe_cost(tokens, "m") == "cost: $0.012 (m: 1,200 tokens in, 30 out)"
    request = Cost("imagen4-fast", 0.1, "request", units=2)
    assert describe_cost(request, "imagen4-fast") == "cost: $0.10 (imagen4-fast: 2 requests)"
    unknown = Cost.unknown("m", "no prices loaded")
    assert describe_cost(unknown, "m") == "cost: unknown (no prices loaded)"
    assert describe_cost(None, "m").startswith("cost: unknown (m: the answer did not say")

"""``yescale models`` over a cassette of the model catalog (tests/synth/answers_cli.py: the
reference's imagen4-fast entry verbatim, and assumed entries with token and request prices)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.synth.answers_cli import CATALOG
from yescale.costs import PriceTable

from .support import Cli

ALL = len(CATALOG)


def names(run_stdout: str) -> list[str]:
    """The model names of a table, in order: the first word of each row under the header."""
    lines = run_stdout.splitlines()
    rule = next((n for n, line in enumerate(lines) if line.strip().startswith("──")), None)
    if rule is None:
        return []
    found = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            break
        if not line.startswith("  "):  # a name, not the wrapped rest of a row
            found.append(line.split()[0])
    return found


@pytest.mark.vcr
def test_models_with_prices_uptime_and_deprecation(cli: Cli) -> None:
    run = cli("models")
    assert run.code == 0, run.stderr
    words = run.words
    assert "Model Provider Category Price Up Status" in words
    # REF: $0.04 per request, group ratio 1.25
    assert "imagen4-fast Google Image, Dall-e $0.05 / request up active" in words
    assert "gpt-4o-mini OpenAI Text Generation $0.15 / $0.6 per 1M tokens up active" in words
    # the group ratio applies to token prices too
    assert "gemini-2.5-flash Google Text Generation $0.375 / $3.125 per 1M tokens" in words
    assert "sora-2 OpenAI Video $0.5 / request up active" in words
    assert "gpt-4-turbo OpenAI Text Generation $10 / $30 per 1M tokens up deprecated" in words
    assert "gpt-3.5-turbo-0301 OpenAI Text Generation $1.5 / $2 per 1M tokens up retired" in words
    assert "kling-v2 Kuaishou Video $0.3 / request down active" in words
    # a model without a price is "unknown", never $0
    assert "claude-sonnet-4-5 Anthropic Text Generation unknown up active" in words
    assert f"{ALL} of {ALL} models. Prices in USD, group ratio applied" in words
    assert names(run.stdout) == [m["model_name"] for m in CATALOG]


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("GPT-4",), ["gpt-4o-mini", "gpt-4-turbo"]),
        (("--provider", "google"), ["imagen4-fast", "gemini-2.5-flash"]),
        (("-c", "video"), ["sora-2", "kling-v2"]),
        (("--category", "image", "-p", "openai"), []),
        (
            ("--available",),
            [m["model_name"] for m in CATALOG if m["uptime"] and m["is_deprecation"] < 2],
        ),
        (("gpt", "--available", "--provider", "OpenAI"), ["gpt-4o-mini", "gpt-4-turbo"]),
    ],
    ids=["search", "provider", "category", "nothing", "available", "together"],
)
def test_search_and_filters(cli: Cli, args: tuple[str, ...], expected: list[str]) -> None:
    run = cli("models", *args)
    assert run.code == 0, run.stderr
    assert names(run.stdout) == expected
    if expected:
        assert f"{len(expected)} of {ALL} models" in run.words
    else:
        assert run.stderr == f"No model of the {ALL} in the catalog matches.\n"
    assert "retired" not in run.stdout or "--available" not in args


@pytest.mark.vcr
def test_models_json_is_a_saved_catalog_the_price_table_loads(cli: Cli, tmp_path: Path) -> None:
    run = cli("models", "--json")
    assert run.code == 0, run.stderr
    data = run.json()
    assert [row["model_name"] for row in data["data"]] == [m["model_name"] for m in CATALOG]
    assert isinstance(data["fetched_at"], float)
    assert all("provider_logo" not in row for row in data["data"])  # an inline SVG each
    saved = tmp_path / "prices.json"
    saved.write_text(run.stdout, encoding="utf-8")
    table = PriceTable.load(saved)  # what yescale.costs.use_prices("prices.json") reads
    assert len(table) == ALL - 1  # claude-sonnet-4-5 has no price
    imagen = table.price("imagen4-fast")
    assert imagen is not None
    assert imagen.describe() == "$0.05 / request"
    mini = table.price("gpt-4o-mini")
    assert mini is not None
    assert (mini.input_per_mtok, mini.output_per_mtok) == (0.15, 0.6)
    assert "claude-sonnet-4-5" not in table


@pytest.mark.vcr
def test_models_json_of_a_search(cli: Cli) -> None:
    data = cli("models", "flash", "--json").json()
    assert [row["model_name"] for row in data["data"]] == ["gemini-2.5-flash"]

"""The LlamaIndex agent example runs (offline, from its cassette) and shows what it claims."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.offline import run_offline

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))


@pytest.mark.vcr
@pytest.mark.default_cassette("llamaindex_agent.yaml")
async def test_llamaindex_agent_example() -> None:
    import llamaindex_agent

    shown = await llamaindex_agent.run()
    assert shown["calls"] == [
        {"name": "get_weather", "kwargs": {"city": "Hanoi"}, "output": "Sunny, 30°C in Hanoi"},
        {"name": "convert_c_to_f", "kwargs": {"celsius": 30.0}, "output": "86.0"},
    ]
    assert "86.0" in shown["answer"]
    tokens = shown["tokens"]
    assert tokens["prompt"] > 0
    assert tokens["completion"] > 0
    assert tokens["total"] == tokens["prompt"] + tokens["completion"]


def test_example_replays_offline_as_a_script() -> None:
    """``python examples/llamaindex_agent.py`` without a key replays this test's cassette."""
    assert (ROOT / "cassettes/integration/test_llamaindex_examples/llamaindex_agent.yaml").is_file()
    result = run_offline(str(ROOT / "examples" / "llamaindex_agent.py"), base_url=None)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "running OFFLINE" in result.stdout
    assert "answer      -> Here is what I found: Sunny, 30°C in Hanoi; 86.0." in result.stdout

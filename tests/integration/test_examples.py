"""The examples run (offline, from their cassettes) and show what they claim."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))


@pytest.mark.vcr
@pytest.mark.default_cassette("quickstart.yaml")
def test_quickstart() -> None:
    import quickstart

    shown = quickstart.run()
    invoke, stream, ainvoke = shown["invoke"], shown["stream"], shown["ainvoke"]
    assert invoke.content
    assert invoke.usage_metadata is not None
    assert invoke.usage_metadata["total_tokens"] > 0
    assert stream.content == invoke.content
    assert stream.usage_metadata is not None
    assert stream.usage_metadata["output_tokens"] > 0
    assert ainvoke.content == invoke.content
    assert invoke.response_metadata["finish_reason"] == "stop"

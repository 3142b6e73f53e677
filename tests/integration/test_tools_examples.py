"""The agent-tools example runs (offline, from its cassette) and shows what it claims."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from langchain_core.messages import ToolMessage

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))


@pytest.mark.vcr
@pytest.mark.default_cassette("agent_tools.yaml")
def test_agent_tools_example(tmp_path: Path) -> None:
    import agent_tools

    shown = agent_tools.run(replaying=True, output_dir=tmp_path)

    image = shown["image_message"]
    assert isinstance(image, ToolMessage)
    (saved,) = shown["saved"]
    assert saved.parent == tmp_path
    assert saved.read_bytes().startswith(b"\x89PNG")
    assert str(saved) in image.content
    assert "base64" not in str(image.content)

    tools = [m for m in shown["agent_messages"] if isinstance(m, ToolMessage)]
    assert [m.name for m in tools] == ["yescale_image_generation", "yescale_media_task"]
    video = tools[1].artifact
    assert video["state"] == "succeeded"
    assert video["url"] in shown["answer"]
    assert [e["status"] for e in shown["progress"]] == ["SUBMITTED", "IN_PROGRESS", "SUCCESS"]

    assert shown["person"] == {"name": "Ada Lovelace", "age": 36, "city": "London"}


def test_example_offline_cassette_exists() -> None:
    cassettes = Path(__file__).resolve().parents[2] / "cassettes" / "integration"
    assert (cassettes / "test_tools_examples" / "agent_tools.yaml").is_file()

"""The agent-tools example runs (offline, from its cassette) and shows what it claims."""

from __future__ import annotations

import sys
import tempfile
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


@pytest.mark.vcr
@pytest.mark.default_cassette("agent_tools.yaml")
def test_agent_tools_example_removes_the_folder_it_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without output_dir the image goes to a temporary folder, gone when run() returns."""
    import agent_tools

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shown = agent_tools.run(replaying=True)

    (saved,) = shown["saved"]
    assert saved.parent.parent.resolve() == tmp_path.resolve()  # it was made in the temp dir
    assert saved.parent.name.startswith("yescale-images-")
    assert not saved.parent.exists()
    assert list(tmp_path.glob("yescale-images-*")) == []


def test_example_offline_cassette_exists() -> None:
    cassettes = Path(__file__).resolve().parents[2] / "cassettes" / "integration"
    assert (cassettes / "test_tools_examples" / "agent_tools.yaml").is_file()

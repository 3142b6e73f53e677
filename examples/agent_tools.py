"""Agent tools: images, a video and typed extraction through YEScale, in a LangChain agent.

python examples/agent_tools.py            # offline: replays recorded answers
YESCALE_API_KEY=... python examples/agent_tools.py   # live (makes an image and a video: costs)

1. ``YEScaleImageGenerationTool`` on its own: the image is saved to a folder (here a temporary
   one, removed at the end) and the tool's text (what a model would read) holds the path, never
   base64.
2. A ``langchain.agents.create_agent`` agent with the image tool and ``YEScaleMediaTaskTool``:
   it draws, then animates; media progress arrives as custom events.
3. ``YEScaleGeminiStructuredOutputTool``: text in, a dict valid against a pydantic model out.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

with _offline.exit_if_missing(__name__):  # run as a script: one line naming what to install
    from langchain.agents import create_agent  # the langchain package: not in the extras
    from langchain_core.callbacks import BaseCallbackHandler
    from langchain_core.messages import ToolMessage
    from pydantic import BaseModel

    from langchain_yescale import (
        ChatYEScale,
        YEScaleGeminiStructuredOutputTool,
        YEScaleImageGenerationTool,
        YEScaleMediaTaskTool,
    )


class Person(BaseModel):
    """A person mentioned in the text."""

    name: str
    age: int
    city: str | None = None


class ShowProgress(BaseCallbackHandler):
    """Prints the media tool's progress events."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        if name == "yescale_media_progress":
            self.events.append(data)
            print(f"  progress: task {data['task_id']} {data['status']} {data['progress']}")


def _no_sleep(seconds: float) -> None:
    return None


def run(replaying: bool = True, output_dir: Path | None = None) -> dict[str, Any]:
    """The demo; returns what it showed so the test suite can check it.

    ``replaying``: answers come from a recording, so polling need not wait between polls.
    ``output_dir``: where the image tool saves its image, kept. Without it, a temporary folder
    that is removed when the demo ends (with the files ``saved`` lists).
    """
    if output_dir is None:
        with tempfile.TemporaryDirectory(prefix="yescale-images-") as temporary:
            return run(replaying, Path(temporary))
    fast: dict[str, Any] = {"sleep": _no_sleep} if replaying else {}

    print("1) The image tool on its own")
    image_tool = YEScaleImageGenerationTool(model="gpt-image-1", output_dir=output_dir)
    message = image_tool.invoke(
        {
            "type": "tool_call",
            "id": "demo-1",
            "name": image_tool.name,
            "args": {"prompt": "A paper crane on a desk", "size": "1024x1024", "quality": "low"},
        }
    )
    print(f"  the model reads: {message.content}")
    saved = [Path(i["path"]) for i in message.artifact["images"]]
    print(f"  files: {[str(p) for p in saved]}\n")

    print("2) An agent that draws, then animates")
    # No output_dir here: images stay in memory (the artifact) and the video stays a URL.
    agent = create_agent(
        model=ChatYEScale(model="gpt-4o-mini", temperature=0),
        tools=[YEScaleImageGenerationTool(), YEScaleMediaTaskTool(**fast)],
        system_prompt="You make images and videos with the tools you have.",
    )
    progress = ShowProgress()
    state = agent.invoke(
        {"messages": [{"role": "user", "content": "Draw a lighthouse, then animate it."}]},
        config={"callbacks": [progress]},
    )
    for msg in state["messages"]:
        if isinstance(msg, ToolMessage):
            print(f"  tool {msg.name}: {msg.content}")
    answer = state["messages"][-1].content
    print(f"  agent: {answer}\n")

    print("3) Typed extraction with Gemini")
    extract = YEScaleGeminiStructuredOutputTool(schema=Person, thinking_budget=0)
    person = extract.invoke({"text": "Ada Lovelace, 36, lived in London."})
    print(f"  {person}")
    return {
        "image_message": message,
        "saved": saved,
        "agent_messages": state["messages"],
        "answer": answer,
        "progress": progress.events,
        "person": person,
    }


if __name__ == "__main__":
    # This example's recordings are its test's: cassettes/integration/test_tools_examples/.
    with _offline.live_or_replay("agent_tools", "test_tools_examples") as live:
        run(replaying=not live)

"""Gemini beyond text: an image made and then edited across turns (LangChain, then LlamaIndex),
speech saved as a WAV file, the code Gemini ran with its output, and a grounded answer with its
sources as citations.

python examples/gemini_outputs.py            # offline: replays recorded answers
YESCALE_API_KEY=... python examples/gemini_outputs.py   # live
"""

from __future__ import annotations

import base64
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

with _offline.exit_if_missing(__name__):  # run as a script: one line naming what to install
    from langchain_core.messages import BaseMessage, HumanMessage
    from llama_index.core.llms import ChatMessage, ImageBlock

    from langchain_yescale import ChatYEScaleGemini
    from llama_index_yescale.llms import YEScaleGemini


def save(folder: Path, name: str, b64: str) -> Path:
    path = folder / name
    path.write_bytes(base64.b64decode(b64))
    return path


def run(folder: Path) -> dict[str, Any]:
    """The demo itself; returns what it showed so the test suite can check it."""
    shown: dict[str, Any] = {}

    # 1. nano-banana in LangChain: an image, then the same image edited on the next turn
    artist = ChatYEScaleGemini(model="gemini-2.5-flash-image", aspect_ratio="16:9")
    history: list[BaseMessage] = [HumanMessage("Draw a red square on a white background.")]
    first = artist.invoke(history)
    image = next(b for b in first.content_blocks if b["type"] == "image")
    shown["first"] = save(folder, "square.png", image["base64"])  # type: ignore[typeddict-item]
    history += [first, HumanMessage("Make the square blue.")]
    edited = artist.invoke(history)  # the first image goes back, with its thought signature
    image = next(b for b in edited.content_blocks if b["type"] == "image")
    shown["edited"] = save(folder, "square-blue.png", image["base64"])  # type: ignore[typeddict-item]
    print(f"image        -> {shown['first']} ({first.text!r}), edited -> {shown['edited']}")

    # 2. speech: Gemini TTS answers raw PCM; it arrives as a playable WAV
    speaker = ChatYEScaleGemini(model="gemini-2.5-flash-preview-tts", voice="Kore")
    spoken = speaker.invoke("Say cheerfully: have a wonderful day!")
    audio = next(b for b in spoken.content_blocks if b["type"] == "audio")
    shown["speech"] = save(folder, "hello.wav", audio["base64"])  # type: ignore[typeddict-item]
    print(f"speech       -> {shown['speech']} ({audio['mime_type']})")

    # 3. code execution: the code Gemini ran and its output, as server-tool blocks
    coder = ChatYEScaleGemini(model="gemini-2.5-flash", code_execution=True)
    worked = coder.invoke("What is the sum of the numbers from 1 to 100? Run code.")
    for block in worked.content_blocks:
        if block["type"] == "server_tool_call":
            print(f"code ran     -> {block['args']['code']}")
        elif block["type"] == "server_tool_result":
            print(f"its output   -> {block['output'].strip()} ({block['status']})")
    print(f"answer       -> {worked.text.strip()}")
    shown["code"] = worked

    # 4. grounding with Google Search: the sources as citations on the text they support
    searcher = ChatYEScaleGemini(model="gemini-2.5-flash", google_search=True)
    grounded = searcher.invoke("Who won Euro 2024?")
    text = next(b for b in grounded.content_blocks if b["type"] == "text")
    print(f"grounded     -> {text['text']}")
    for citation in text.get("annotations", []):
        print(f"  [{citation.get('title')}] {citation.get('url')}: {citation.get('cited_text')!r}")
    shown["grounded"] = grounded

    # 5. the same image round trip in LlamaIndex: ImageBlocks, edited on the next turn
    llm = YEScaleGemini(model="gemini-2.5-flash-image", aspect_ratio="4:3")
    chat = [ChatMessage(role="user", content="Draw a red square on a white background.")]
    made = llm.chat(chat)
    chat += [made.message, ChatMessage(role="user", content="Make the square blue.")]
    again = llm.chat(chat)
    blocks = [b for b in again.message.blocks if isinstance(b, ImageBlock)]
    data = blocks[0].resolve_image(as_base64=True).read().decode()
    shown["llamaindex"] = save(folder, "llamaindex-square-blue.png", data)
    print(f"llama-index  -> {shown['llamaindex']} ({again.message.content!r})")
    return shown


if __name__ == "__main__":
    with _offline.live_or_replay("gemini_outputs") as live:
        out = Path(tempfile.mkdtemp(prefix="yescale-gemini-"))
        run(out)

"""Nano-banana through Gemini's native ``generateContent``, end to end over replayed cassettes:
:class:`yescale.tools.ImageGenerator`, the LangChain image tool and the LlamaIndex tool spec.

The cassettes are synthesized from the public Gemini wire format (``tests/synth/
answers_nano_banana.py``; the YEScale reference lists these endpoints without bodies). Every
``generateContent`` body the tools send is checked with google-genai's own types
(:func:`tests.peers.support.check_gemini_image_body`) and the URL names the Gemini model.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import ToolMessage
from llama_index.core.base.llms.types import ImageBlock, TextBlock

from langchain_yescale import YEScaleImageGenerationTool, YEScaleImageNotGeneratedToolError
from llama_index_yescale import YEScaleToolSpec
from tests.peers.support import check_gemini_image_body
from tests.synth.answers_nano_banana import BLOCK_REASON, NOTE, TEXT_ONLY
from tests.synth.answers_tools import TINY_PNG, TINY_PNG_B64
from yescale import YEScaleClient
from yescale.costs import PriceTable, track_costs, use_prices
from yescale.tools import ImageGenerator, ImageNotGeneratedError
from yescale.types.system import ModelInfo

BASE = "https://api.yescale.io/v1beta/models"


class Sent:
    """The requests a client sends (httpx event hooks, sync and async)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def hook(self, request: httpx.Request) -> None:
        self.requests.append(request)

    async def ahook(self, request: httpx.Request) -> None:
        self.requests.append(request)

    def clients(self) -> dict[str, Any]:
        return {
            "http_client": httpx.Client(event_hooks={"request": [self.hook]}),
            "async_http_client": httpx.AsyncClient(event_hooks={"request": [self.ahook]}),
        }

    def bodies(self, model: str) -> list[dict[str, Any]]:
        """The JSON bodies sent, each checked with google-genai's types, all to ``model``."""
        posts = [r for r in self.requests if r.method == "POST"]
        for request in posts:
            assert str(request.url) == f"{BASE}/{model}:generateContent"
        bodies = [json.loads(r.content) for r in posts]
        for body in bodies:
            check_gemini_image_body(body)
        return bodies


@pytest.fixture
def sent() -> Sent:
    return Sent()


@pytest.fixture
def prices() -> Iterator[None]:
    use_prices(
        PriceTable.from_models(
            [
                ModelInfo(
                    model_name="gemini-2.5-flash-image",
                    billing_type="pay-per-token",
                    input_price=0.3,
                    output_price=30.0,
                )
            ]
        )
    )
    yield
    use_prices(None)


def inline_parts(body: dict[str, Any]) -> list[dict[str, Any]]:
    (content,) = body["contents"]
    return [p["inlineData"] for p in content["parts"] if "inlineData" in p]


# -- yescale.tools.ImageGenerator ---------------------------------------------------------------


@pytest.mark.vcr
def test_generate_saves_the_image_with_the_note_and_cost(
    tmp_path: Path, sent: Sent, prices: None
) -> None:
    client = YEScaleClient(**sent.clients())
    generator = ImageGenerator(client, model="nano-banana", output_dir=tmp_path)
    with track_costs() as tracker:  # the client's meter counts it like any Gemini call
        result = generator.run("A red fox in the snow", aspect_ratio="16:9")

    (body,) = sent.bodies("gemini-2.5-flash-image")  # the alias is sent as the Gemini name
    assert body == {
        "contents": [{"role": "user", "parts": [{"text": "A red fox in the snow"}]}],
        "generationConfig": {
            "responseModalities": ["TEXT", "IMAGE"],
            "imageConfig": {"aspectRatio": "16:9"},
        },
    }
    (saved,) = result.paths
    assert saved == tmp_path / "nano-banana_a-red-fox-in-the-snow_1.png"
    assert saved.read_bytes() == TINY_PNG
    assert result.note == NOTE
    assert result.operation == "generate"
    assert result.params == {"aspect_ratio": "16:9"}
    assert result.usage is not None
    assert result.usage["candidatesTokenCount"] == 1299
    assert result.cost is not None
    assert result.cost.model == "gemini-2.5-flash-image"
    assert result.cost.usd == pytest.approx((12 * 0.3 + 1299 * 30.0) / 1e6)
    summary = result.summary()
    assert str(saved) in summary
    assert f"The model's note: {NOTE}" in summary
    assert TINY_PNG_B64[:24] not in summary
    artifact = result.artifact()
    assert artifact["note"] == NOTE
    assert artifact["cost"]["usd"] == pytest.approx(result.cost.usd)
    assert tracker.requests == 1
    assert tracker.total_cost == pytest.approx(result.cost.usd)
    assert list(tracker.by_model) == ["gemini-2.5-flash-image"]


@pytest.mark.vcr
async def test_edit_async_in_memory_sends_images_as_inline_data(sent: Sent) -> None:
    client = YEScaleClient(**sent.clients())
    generator = ImageGenerator(client, model="gemini-2.5-flash-image")
    result = await generator.arun(
        "Put a wizard hat on the fox", images=[TINY_PNG, TINY_PNG_B64], aspect_ratio="1:1"
    )

    (body,) = sent.bodies("gemini-2.5-flash-image")
    (content,) = body["contents"]
    assert content["parts"][0] == {"text": "Put a wizard hat on the fox"}  # the prompt first
    assert inline_parts(body) == [{"mimeType": "image/png", "data": TINY_PNG_B64}] * 2
    assert result.operation == "edit"
    (image,) = result.images
    assert image.data == TINY_PNG
    assert image.path is None
    assert result.summary().startswith(
        "Edited 1 image with gemini-2.5-flash-image from 2 input images:"
    )


@pytest.mark.vcr
def test_text_only_answer_is_a_typed_error_with_the_text(tmp_path: Path) -> None:
    generator = ImageGenerator(YEScaleClient(), model="nano-banana", output_dir=tmp_path)
    with pytest.raises(ImageNotGeneratedError) as info:
        generator.run("A harbour at night, text only please")
    error = info.value
    assert error.model_text == TEXT_ONLY
    assert error.finish_reason == "STOP"
    assert "answered with text only" in str(error)
    assert TEXT_ONLY[:40] in str(error)
    assert list(tmp_path.iterdir()) == []


# -- LangChain ------------------------------------------------------------------------------------


def call(tool: Any, args: dict[str, Any]) -> ToolMessage:
    message = tool.invoke({"type": "tool_call", "id": "call-1", "name": tool.name, "args": args})
    assert isinstance(message, ToolMessage)
    return message


@pytest.mark.vcr
def test_langchain_tool_edits_with_path_and_url_inputs(tmp_path: Path, sent: Sent) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "fox.png").write_bytes(TINY_PNG)
    clients = sent.clients()
    tool = YEScaleImageGenerationTool(
        model="nano-banana",
        output_dir=tmp_path / "out",
        allowed_input_dirs=[inputs],
        http_client=clients["http_client"],
    )
    message = call(
        tool,
        {
            "prompt": "Make it winter",
            "images": ["fox.png", "https://cdn.yescale.vip/yescale-gpt-image-e3cb4a854f7e.png"],
            "aspect_ratio": "4:3",
        },
    )
    assert message.status == "success"
    fetch = sent.requests[0]
    assert fetch.url.host == "cdn.yescale.vip"
    assert "x-goog-api-key" not in fetch.headers  # our key never goes to the image's host
    (body,) = sent.bodies("gemini-2.5-flash-image")
    assert len(inline_parts(body)) == 2
    assert body["generationConfig"]["imageConfig"] == {"aspectRatio": "4:3"}
    assert isinstance(message.content, str)
    assert message.content.startswith("Edited 1 image with nano-banana from 2 input images")
    assert TINY_PNG_B64[:24] not in message.content
    (image,) = message.artifact["images"]
    assert Path(image["path"]).read_bytes() == TINY_PNG
    assert message.artifact["note"] == NOTE


@pytest.mark.vcr
async def test_langchain_tool_pro_model_async_skips_thought_drafts(sent: Sent) -> None:
    clients = sent.clients()
    tool = YEScaleImageGenerationTool(
        model="gemini-3-pro-image-preview", http_async_client=clients["async_http_client"]
    )
    message = await tool.ainvoke(
        {
            "type": "tool_call",
            "id": "call-1",
            "name": tool.name,
            "args": {"prompt": "A lighthouse at dawn", "aspect_ratio": "21:9", "image_size": "2K"},
        }
    )
    assert isinstance(message, ToolMessage)
    (body,) = sent.bodies("gemini-3-pro-image-preview")
    assert body["generationConfig"]["imageConfig"] == {"aspectRatio": "21:9", "imageSize": "2K"}
    (image,) = message.artifact["images"]  # the blue draft (a thought) is not a result
    assert image["data"] == TINY_PNG
    assert message.artifact["note"] == NOTE  # the thought text is not the note


@pytest.mark.vcr
def test_langchain_tool_blocked_prompt_is_read_by_the_model() -> None:
    tool = YEScaleImageGenerationTool(model="nano-banana")
    message = call(tool, {"prompt": "Something blocked"})
    assert message.status == "error"
    assert isinstance(message.content, str)
    assert f"promptFeedback.blockReason={BLOCK_REASON}" in message.content
    assert "Rephrase the prompt" in message.content

    strict = YEScaleImageGenerationTool(model="nano-banana", handle_tool_error=False)
    with pytest.raises(YEScaleImageNotGeneratedToolError) as info:
        strict.invoke({"prompt": "Something blocked"})
    assert isinstance(info.value, ImageNotGeneratedError)
    assert info.value.block_reason == BLOCK_REASON


# -- LlamaIndex -----------------------------------------------------------------------------------


@pytest.mark.vcr
def test_llamaindex_generate_image_saves_and_returns_blocks(tmp_path: Path, sent: Sent) -> None:
    spec = YEScaleToolSpec(image_model="nano-banana", output_dir=tmp_path, **sent.clients())
    tool = next(t for t in spec.to_tool_list() if t.metadata.name == "generate_image")
    output = tool.call(prompt="A banana wearing sunglasses", aspect_ratio="9:16")
    (body,) = sent.bodies("gemini-2.5-flash-image")
    assert body["generationConfig"]["imageConfig"] == {"aspectRatio": "9:16"}
    text, image = output.raw_output
    assert isinstance(text, TextBlock)
    assert isinstance(image, ImageBlock)
    (saved,) = tmp_path.iterdir()
    assert image.path == saved
    assert saved.read_bytes() == TINY_PNG
    assert str(saved) in text.text
    assert NOTE in text.text


@pytest.mark.vcr
async def test_llamaindex_agenerate_image_edits_with_base64(sent: Sent) -> None:
    spec = YEScaleToolSpec(image_model="gemini-3-pro-image-preview", **sent.clients())
    blocks = await spec.agenerate_image(
        "Make it blue",
        images=[f"data:image/png;base64,{TINY_PNG_B64}"],
        image_size="1K",
    )
    (body,) = sent.bodies("gemini-3-pro-image-preview")
    assert inline_parts(body) == [{"mimeType": "image/png", "data": TINY_PNG_B64}]
    assert body["generationConfig"]["imageConfig"] == {"imageSize": "1K"}
    text, image = blocks
    assert isinstance(text, TextBlock)
    assert text.text.startswith("Edited 1 image with gemini-3-pro-image-preview from 1 input")
    assert isinstance(image, ImageBlock)
    assert isinstance(image.image, bytes)
    assert base64.b64decode(image.image) == TINY_PNG

"""Nano-banana through the image tools before any request is sent, and what the LangChain tool
and the LlamaIndex tool spec show an agent for it (the rules, bodies and answers themselves are
in ``test_nano_banana_images.py``)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
import pytest
from langchain_core.messages import ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_yescale import YEScaleImageGenerationTool
from llama_index_yescale import YEScaleToolSpec
from yescale import BudgetExceededError, InvalidRequestError, YEScaleClient
from yescale.costs import track_costs
from yescale.models.images import ImageParameterError
from yescale.tools import ImageGenerator
from yescale.tools.inputs import InputImageError

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
#: An 8 MB "PNG": two of them pass Gemini's 20 MB of inline data once base64-encoded.
BIG = b"\x89PNG\r\n\x1a\n" + b"\x00" * (8 * 1000 * 1000)
FLASH = "gemini-2.5-flash-image"
PRO = "gemini-3-pro-image-preview"


# -- before any request ------------------------------------------------------------------------


class Recorded:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(500)

    def client(self) -> YEScaleClient:
        transport = httpx.MockTransport(self)
        return YEScaleClient(
            api_key="sk-test-key-0123456789",
            http_client=httpx.Client(transport=transport),
            async_http_client=httpx.AsyncClient(transport=transport),
            max_retries=0,
        )


BAD_CALLS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"aspect_ratio": "16:10"}, ImageParameterError, "aspect_ratio='16:10' is not allowed"),
    ({"n": 3}, ImageParameterError, "one image per request"),
    ({"size": "1024x1024"}, ImageParameterError, "give aspect_ratio"),
    ({"mask": PNG, "images": [PNG]}, ImageParameterError, "takes no mask"),
    ({"images": ["/etc/passwd"]}, InputImageError, "reading local files is disabled"),
    ({"images": [BIG, BIG]}, InputImageError, "at most 20 MB of inline data per request"),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD_CALLS)
def test_bad_calls_are_refused_before_any_request(
    call: dict[str, Any], error: type[Exception], message: str
) -> None:
    recorded = Recorded()
    generator = ImageGenerator(recorded.client(), model="nano-banana")
    with pytest.raises(error, match=message):
        generator.run("A fox", **call)
    with pytest.raises(error, match=message):
        asyncio.run(generator.arun("A fox", **call))
    assert recorded.requests == []


def test_a_spent_budget_stops_the_call_before_it_is_sent() -> None:
    recorded = Recorded()
    generator = ImageGenerator(recorded.client(), model="nano-banana")
    with track_costs(budget_usd=0.0), pytest.raises(BudgetExceededError) as info:
        generator.run("A fox")
    assert info.value.model == FLASH  # the Gemini name, as the catalog prices it
    assert recorded.requests == []


def test_a_blank_prompt_is_refused_before_any_request() -> None:
    recorded = Recorded()
    with pytest.raises(InvalidRequestError, match="`prompt` must be a non-empty string"):
        ImageGenerator(recorded.client(), model="nano-banana").run("  ")
    assert recorded.requests == []


def test_image_params_defaults_are_checked_like_arguments() -> None:
    generator = ImageGenerator(Recorded().client(), model=PRO, defaults={"image_size": "2K"})
    assert generator.check("A fox", {"aspect_ratio": "1:1"}) == {
        "image_size": "2K",
        "aspect_ratio": "1:1",
    }
    wrong = ImageGenerator(Recorded().client(), model=FLASH, defaults={"image_size": "2K"})
    with pytest.raises(ImageParameterError, match="takes image_size"):
        wrong.check("A fox", {})


# -- what an agent is shown --------------------------------------------------------------------


def properties(tool: Any) -> list[str]:
    return list(convert_to_openai_tool(tool)["function"]["parameters"]["properties"])


def test_langchain_tool_shows_aspect_ratio_for_nano_banana() -> None:
    flash = YEScaleImageGenerationTool(model="nano-banana", api_key="sk-test")
    assert properties(flash) == ["prompt", "aspect_ratio", "n", "images"]
    assert "aspect_ratio: 1:1, 2:3" in flash.description
    assert "size: 1024x1024" not in flash.description
    pro = YEScaleImageGenerationTool(model=PRO, api_key="sk-test")
    assert properties(pro) == ["prompt", "aspect_ratio", "n", "images", "image_size"]
    assert "image_size: 1K, 2K, 4K" in pro.description
    default = YEScaleImageGenerationTool(api_key="sk-test")
    assert "size" in properties(default)
    assert "aspect_ratio" not in properties(default)


def test_langchain_tool_refuses_size_for_nano_banana_with_what_to_give() -> None:
    recorded = Recorded()
    http = httpx.Client(transport=httpx.MockTransport(recorded))
    tool = YEScaleImageGenerationTool(model="nano-banana", api_key="sk-test", http_client=http)
    args = {"prompt": "A fox", "size": "1024x1024"}
    message = tool.invoke({"type": "tool_call", "id": "1", "name": tool.name, "args": args})
    assert isinstance(message, ToolMessage)
    assert message.status == "error"
    assert "give aspect_ratio (e.g. '16:9') instead" in str(message.content)
    assert recorded.requests == []


def llama_schema(model: str) -> tuple[str, list[str]]:
    spec = YEScaleToolSpec(api_key="sk-test", image_model=model)
    tool = next(t for t in spec.to_tool_list() if t.metadata.name == "generate_image")
    parameters = tool.metadata.get_parameters_dict()
    return tool.metadata.description, list(parameters["properties"])


def test_llamaindex_spec_shows_aspect_ratio_for_nano_banana() -> None:
    description, names = llama_schema("nano-banana")
    assert names == ["prompt", "aspect_ratio", "n", "images"]
    assert "aspect_ratio: 1:1" in description
    description, names = llama_schema(PRO)
    assert names == ["prompt", "aspect_ratio", "image_size", "n", "images"]
    assert "image_size: 1K, 2K, 4K" in description
    description, names = llama_schema("gpt-image-1")
    assert "size" in names
    assert "aspect_ratio" not in names
    assert "image_size" not in names

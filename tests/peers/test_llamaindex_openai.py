"""``llama_index_yescale`` against its peer ``llama_index.llms.openai.OpenAI``: the same
LlamaIndex inputs through ``YEScale`` and through the peer, against the local recorder, send the
same body; and ``YEScaleGemini``'s bodies pass google-genai's own types (the recorder checks
every Gemini body: see ``support.check_gemini_body``).

Where the bodies differ on purpose, a function named after the difference turns the peer's body
into ours, with the reason in its docstring; everything else must be equal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, MessageRole, TextBlock
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from llama_index.llms.openai import OpenAI
from pydantic import BaseModel, Field

from llama_index_yescale import YEScale, YEScaleGemini

from .support import FAKE_KEY, GEMINI_MODEL, OPENAI_MODEL, PNG, Recorder

Body = dict[str, Any]


def get_weather(city: str, unit: str = "C") -> str:
    """Get the current weather in a city."""
    return f"31 {unit}"


def configure(options: dict) -> str:  # type: ignore[type-arg]
    """Apply free-form options."""
    return "ok"


WEATHER = FunctionTool.from_defaults(get_weather)
CONFIGURE = FunctionTool.from_defaults(configure)


class Joke(BaseModel):
    """A joke."""

    setup: str = Field(description="The setup")
    punchline: str | None = None


JOKE_JSON = json.dumps({"setup": "Why?", "punchline": "Because."})
PROMPT = PromptTemplate("Tell a joke about {topic}.")
TOOL_CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Hanoi"}'},
}
HISTORY = [
    ChatMessage(role=MessageRole.SYSTEM, content="Answer briefly."),
    ChatMessage(role=MessageRole.USER, content="Weather in Hanoi?"),
    ChatMessage(
        role=MessageRole.ASSISTANT, content=None, additional_kwargs={"tool_calls": [TOOL_CALL]}
    ),
    ChatMessage(
        role=MessageRole.TOOL, content="31 C", additional_kwargs={"tool_call_id": "call_1"}
    ),
    ChatMessage(role=MessageRole.USER, content="And in Hue?"),
]
IMAGE_URL = "https://example.com/cat.png"


def user(*blocks: Any) -> list[ChatMessage]:
    return [ChatMessage(role=MessageRole.USER, blocks=[TextBlock(text="What is this?"), *blocks])]


# -- the deliberate differences (each turns the peer's body into ours) ---------------------------


def stream_false_left_out(peer: Body) -> Body:
    """The peer sends ``"stream": false`` on every call that does not stream; we send
    ``stream`` only when streaming (false is the API's default)."""
    if peer.get("stream") is False:
        del peer["stream"]
    return peer


def no_default_temperature(peer: Body) -> Body:
    """The peer sends its own default ``temperature`` (0.1) when none was set; we send none,
    so the model's default applies (reasoning models refuse any other than theirs)."""
    assert peer.pop("temperature") == 0.1
    return peer


def tools_not_closed(peer: Body) -> Body:
    """Tools without ``strict``: the peer still closes every tool's schema
    (``additionalProperties: false``) and sends ``"strict": false``; we send the tool's schema
    as the tool describes it and no ``strict``: the same meaning, and other models behind
    YEScale (Claude, Gemini, DeepSeek, ...) may not take OpenAI's ``strict`` field."""
    for tool in peer.get("tools", []):
        function = tool["function"]
        assert function.pop("strict") is False
        assert function["parameters"].pop("additionalProperties") is False
    return peer


def strict_tools_fully_required(peer: Body) -> Body:
    """``strict=True``: the peer sends the tool's ``required`` as it is; OpenAI's strict mode
    wants every property listed there (and refuses the schema otherwise), so we list them all
    (an optional argument keeps its default)."""
    for tool in peer.get("tools", []):
        parameters = tool["function"]["parameters"]
        parameters["required"] = list(parameters["properties"])
    return peer


def usage_asked_on_streams(peer: Body) -> Body:
    """We ask for token usage at the end of a stream (``stream_usage=True`` by default), so
    LlamaIndex's token counting works on streamed calls too; the peer does not ask."""
    peer["stream_options"] = {"include_usage": True}
    return peer


def _without_titles(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_titles(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_without_titles(v) for v in schema]
    return schema


def response_format_spelled_our_way(peer: Body) -> Body:
    """The same strict schema, spelled differently: the peer hands the class to openai-python,
    which drops pydantic's ``"default": null`` and puts the class's title and description in
    the schema; we send pydantic's schema (defaults kept, properties' titles kept) with the
    class's description beside it, where ``json_schema`` has a field for it."""
    spec = peer["response_format"]["json_schema"]
    schema = spec["schema"]
    del schema["title"]
    spec["description"] = schema.pop("description")
    for name, info in Joke.model_fields.items():
        if not info.is_required() and info.default is None:
            schema["properties"][name]["default"] = None
    return peer


# -- the cases -------------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    call: Callable[[FunctionCallingLLM], object]
    settings: dict[str, Any] = field(default_factory=dict)
    peer_settings: dict[str, Any] = field(default_factory=dict)
    our_settings: dict[str, Any] = field(default_factory=dict)
    differences: tuple[Callable[[Body], Body], ...] = (no_default_temperature,)
    answer: dict[str, Any] | None = None


def with_tools(**kwargs: Any) -> Callable[[FunctionCallingLLM], object]:
    return lambda llm: llm.chat_with_tools([WEATHER], user_msg="Weather in Hanoi?", **kwargs)


CASES = [
    Case("chat: system and user", lambda llm: llm.chat(HISTORY[:2])),
    Case("multi-turn with a tool call and its result", lambda llm: llm.chat(HISTORY)),
    Case("complete", lambda llm: llm.complete("Paris is the capital of")),
    Case("image by URL", lambda llm: llm.chat(user(ImageBlock(url=IMAGE_URL)))),
    Case(
        "image as bytes",
        lambda llm: llm.chat(user(ImageBlock(image=PNG, image_mimetype="image/png"))),
    ),
    Case(
        "settings",
        lambda llm: llm.chat(HISTORY[1:2]),
        settings={"temperature": 0.2, "max_tokens": 64},
        peer_settings={"additional_kwargs": {"stop": ["END"], "seed": 7, "top_p": 0.5}},
        our_settings={"stop": ["END"], "seed": 7, "top_p": 0.5},
        differences=(),
    ),
    Case(
        "chat_with_tools",
        with_tools(),
        differences=(no_default_temperature, tools_not_closed),
    ),
    Case(
        "chat_with_tools: required, parallel",
        with_tools(tool_required=True, allow_parallel_tool_calls=True),
        differences=(no_default_temperature, tools_not_closed),
    ),
    Case(
        "chat_with_tools: a tool by name",
        with_tools(tool_choice="get_weather"),
        differences=(no_default_temperature, tools_not_closed),
    ),
    Case(
        "chat_with_tools: strict",
        with_tools(),
        settings={"strict": True},
        differences=(no_default_temperature, strict_tools_fully_required),
    ),
    Case(
        "structured_predict",
        lambda llm: llm.structured_predict(Joke, PROMPT, topic="cats"),
        differences=(no_default_temperature, response_format_spelled_our_way),
        answer={"role": "assistant", "content": JOKE_JSON},
    ),
    Case(
        "stream_chat",
        lambda llm: list(llm.stream_chat(HISTORY[1:2])),
        differences=(no_default_temperature, usage_asked_on_streams),
    ),
]


def peer_llm(recorder: Recorder, **settings: Any) -> OpenAI:
    return OpenAI(
        model=OPENAI_MODEL,
        api_key=FAKE_KEY,
        api_base=f"{recorder.url}/v1",
        max_retries=0,
        **settings,
    )


def our_llm(recorder: Recorder, **settings: Any) -> YEScale:
    return YEScale(
        model=OPENAI_MODEL, api_key=FAKE_KEY, base_url=recorder.url, max_retries=0, **settings
    )


def bodies(recorder: Recorder, call: Callable[[], object]) -> list[Body]:
    recorder.take()
    call()
    return [request.json() for request in recorder.take()]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_body_as_llamaindex_openai(recorder: Recorder, case: Case) -> None:
    if case.answer is not None:
        recorder.openai_message = case.answer
    peer = bodies(
        recorder, lambda: case.call(peer_llm(recorder, **case.settings, **case.peer_settings))
    )
    ours = bodies(
        recorder, lambda: case.call(our_llm(recorder, **case.settings, **case.our_settings))
    )
    assert peer
    expected = []
    for body in peer:
        body = stream_false_left_out(body)
        for difference in case.differences:
            body = difference(body)
        expected.append(body)
    assert ours == expected


async def test_same_body_async(recorder: Recorder) -> None:
    recorder.take()
    await peer_llm(recorder, temperature=0.3).achat(HISTORY)
    peer = [stream_false_left_out(p.json()) for p in recorder.take()]
    await our_llm(recorder, temperature=0.3).achat(HISTORY)
    assert [p.json() for p in recorder.take()] == peer


def test_same_tool_calls_read_back(recorder: Recorder) -> None:
    """``get_tool_calls_from_response`` reads the same selections from the same answer."""
    recorder.openai_message = {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]}
    selections = []
    for llm in (peer_llm(recorder), our_llm(recorder)):
        response = llm.chat_with_tools([WEATHER], user_msg="Weather in Hanoi?")
        selections.append(
            [
                (s.tool_id, s.tool_name, s.tool_kwargs)
                for s in llm.get_tool_calls_from_response(response)
            ]
        )
    assert selections[0] == selections[1] == [("call_1", "get_weather", {"city": "Hanoi"})]


# -- YEScaleGemini: every body passes google-genai's types -----------------------------------------

SIGNATURE = "c2lnbmF0dXJlLW9mLXRoZS10ZXh0"


def gemini_llm(recorder: Recorder, **settings: Any) -> YEScaleGemini:
    return YEScaleGemini(
        model=GEMINI_MODEL, api_key=FAKE_KEY, base_url=recorder.url, max_retries=0, **settings
    )


GEMINI_CALLS: list[tuple[str, Callable[[YEScaleGemini], object]]] = [
    ("chat", lambda llm: llm.chat(HISTORY[:2])),
    ("multi-turn with a tool call and its result", lambda llm: llm.chat(HISTORY)),
    (
        "image as bytes",
        lambda llm: llm.chat(user(ImageBlock(image=PNG, image_mimetype="image/png"))),
    ),
    ("stream_chat", lambda llm: list(llm.stream_chat(HISTORY[1:2]))),
    ("chat_with_tools", with_tools(tool_choice="get_weather")),
    (
        "a tool with a free-form dict argument",
        lambda llm: llm.chat_with_tools(
            [CONFIGURE, WEATHER], user_msg="Set it", tool_required=True
        ),
    ),
    ("structured_predict", lambda llm: llm.structured_predict(Joke, PROMPT, topic="cats")),
]


@pytest.mark.parametrize(
    "call", [c for _, c in GEMINI_CALLS], ids=[name for name, _ in GEMINI_CALLS]
)
def test_yescale_gemini_bodies_pass_google_genai_types(
    recorder: Recorder, call: Callable[[YEScaleGemini], object]
) -> None:
    recorder.gemini_parts = [{"text": JOKE_JSON}]
    sent = bodies(
        recorder,
        lambda: call(gemini_llm(recorder, temperature=0.2, max_tokens=64, thinking_budget=0)),
    )
    assert sent  # each one checked by the recorder
    config = sent[0]["generationConfig"]
    assert config["temperature"] == 0.2
    assert config["thinkingConfig"] == {"thinkingBudget": 0}


def test_yescale_gemini_image_url_fetched(recorder: Recorder) -> None:
    body = recorder.sent(
        lambda: gemini_llm(recorder).chat(user(ImageBlock(url=f"{recorder.url}/cat.png")))
    )
    assert body["contents"][0]["parts"][1]["inlineData"]["mimeType"] == "image/png"


def test_yescale_gemini_sends_a_text_signature_back(recorder: Recorder) -> None:
    """Our LlamaIndex Gemini class keeps a text part's thought signature, as ChatYEScaleGemini
    now does (see test_langchain_gemini)."""
    recorder.gemini_parts = [{"text": "Hello!", "thoughtSignature": SIGNATURE}]
    llm = gemini_llm(recorder)
    answer = llm.chat(HISTORY[1:2]).message
    body = recorder.sent(
        lambda: llm.chat([*HISTORY[1:2], answer, ChatMessage(role="user", content="And then?")])
    )
    assert body["contents"][1] == {
        "role": "model",
        "parts": [{"text": "Hello!", "thoughtSignature": SIGNATURE}],
    }

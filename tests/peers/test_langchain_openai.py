"""``ChatYEScale`` against its peer ``langchain_openai.ChatOpenAI``: the same LangChain inputs
through both, against the local recorder, send the same request body.

Each case runs one framework call through both classes and compares the two bodies. Where they
differ on purpose, the case says so with a function named after the difference that turns the
peer's body into ours, and whose docstring gives the reason; everything else must be equal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_yescale import ChatYEScale
from yescale import InvalidRequestError

from .support import FAKE_KEY, OPENAI_MODEL, PNG_B64, Recorder

Body = dict[str, Any]


class GetWeather(BaseModel):
    """Get the current weather in a city."""

    city: str = Field(description="City, e.g. Hanoi")
    unit: str | None = None


def convert(amount: float, currency: str = "USD") -> str:
    """Convert an amount of money."""
    return f"{amount} {currency}"


LOOKUP = {
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look a word up.",
        "parameters": {
            "type": "object",
            "properties": {"word": {"type": "string"}},
            "required": ["word"],
        },
    },
}


class Joke(BaseModel):
    """A joke."""

    setup: str = Field(description="The setup")
    punchline: str | None = None


class JokeDict(TypedDict):
    """A joke."""

    setup: str
    punchline: str


JOKE_JSON = json.dumps({"setup": "Why?", "punchline": "Because."})
HISTORY = [
    SystemMessage("Answer briefly."),
    HumanMessage("Weather in Hanoi?"),
    AIMessage("", tool_calls=[{"name": "GetWeather", "args": {"city": "Hanoi"}, "id": "call_1"}]),
    ToolMessage('{"temperature": 31}', tool_call_id="call_1"),
    HumanMessage("And in Hue?"),
]
IMAGE_URL = "https://example.com/cat.png"


def image_message(block: dict[str, Any]) -> list[HumanMessage]:
    return [HumanMessage([{"type": "text", "text": "What is this?"}, block])]


# -- the deliberate differences (each turns the peer's body into ours) ---------------------------


def stream_false_left_out(peer: Body) -> Body:
    """ChatOpenAI sends ``"stream": false`` on every call that does not stream; we send
    ``stream`` only when streaming (false is the API's default)."""
    if peer.get("stream") is False:
        del peer["stream"]
    return peer


def max_tokens_as_max_tokens(peer: Body) -> Body:
    """Newer langchain-openai sends ``max_tokens`` as ``max_completion_tokens`` to every model;
    we do so only for the models that refuse ``max_tokens`` (o-series, gpt-5): most models
    behind YEScale (Claude, DeepSeek, Qwen, ...) take ``max_tokens`` only."""
    if "max_completion_tokens" in peer:
        peer["max_tokens"] = peer.pop("max_completion_tokens")
    return peer


def no_empty_tools(peer: Body) -> Body:
    """``bind_tools([])``: ChatOpenAI sends ``"tools": []``, which OpenAI refuses (an empty
    array is below its minimum length); we leave ``tools`` out, as our Gemini and LlamaIndex
    classes do, and with it any ``tool_choice`` / ``parallel_tool_calls``."""
    assert peer.pop("tools") == []
    peer.pop("tool_choice", None)
    peer.pop("parallel_tool_calls", None)
    return peer


def no_parallel_tool_calls_for_structured_output(peer: Body) -> Body:
    """``with_structured_output(method="function_calling")``: ChatOpenAI also sends
    ``parallel_tool_calls: false``; we do not, because not every model behind YEScale takes
    that parameter (o1 refuses it) and the parser reads the first call only anyway."""
    assert peer.pop("parallel_tool_calls") is False
    return peer


def _without_titles(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_titles(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_without_titles(v) for v in schema]
    return schema


def response_format_spelled_our_way(peer: Body) -> Body:
    """The same schema, strict alike, spelled differently: ChatOpenAI hands a pydantic class to
    openai-python, which keeps pydantic's titles and puts the description inside the schema;
    we send LangChain's own conversion (the one tools use: no titles) and the description
    beside the schema, where OpenAI's ``json_schema`` object has a field for it."""
    spec = peer["response_format"]["json_schema"]
    schema = _without_titles(spec.pop("schema"))
    description = schema.pop("description", None)
    if description:
        spec["description"] = description
    spec["schema"] = schema
    peer["response_format"]["json_schema"] = {
        k: spec[k] for k in ("name", "description", "schema", "strict") if k in spec
    }
    return peer


def null_defaults_kept(peer: Body) -> Body:
    """openai-python's strict schema drops pydantic's ``"default": null``; we keep it, as
    langchain-openai's own strict tools do (the "strict tools" case): the API takes both."""
    schema = peer["response_format"]["json_schema"]["schema"]
    for name, info in Joke.model_fields.items():
        if not info.is_required() and info.default is None:
            schema["properties"][name]["default"] = None
    return peer


def strict_for_openai_models(peer: Body) -> Body:
    """A dict / TypedDict schema: ChatOpenAI sends it with ``"strict": false`` (it makes only
    pydantic classes strict); we make the schema strict for every kind of schema on OpenAI
    models (``yescale.models.families.json_schema_strict``), closed and fully required as
    strict mode wants, so the answer always follows it. Explicit ``strict=False`` still wins."""
    spec = peer["response_format"]["json_schema"]
    assert spec["strict"] is False
    spec["strict"] = True
    schema = spec["schema"]
    schema["additionalProperties"] = False
    schema["required"] = list(schema["properties"])
    return peer


# -- the cases -------------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    call: Callable[[BaseChatModel], object]
    settings: dict[str, Any] = field(default_factory=dict)
    #: the peer's settings where the two classes spell one setting differently
    peer_settings: dict[str, Any] = field(default_factory=dict)
    differences: tuple[Callable[[Body], Body], ...] = ()
    answer: dict[str, Any] | None = None


def structured(schema: Any, **kwargs: Any) -> Callable[[BaseChatModel], object]:
    return lambda m: m.with_structured_output(schema, **kwargs).invoke("Tell a joke")


CASES = [
    Case("plain text", lambda m: m.invoke("Hi")),
    Case("system and user", lambda m: m.invoke([("system", "Be brief."), ("human", "Hi")])),
    Case("multi-turn with tool calls and a tool result", lambda m: m.invoke(HISTORY)),
    Case(
        "image by URL (standard block)",
        lambda m: m.invoke(image_message({"type": "image", "url": IMAGE_URL})),
    ),
    Case(
        "image by URL (OpenAI block)",
        lambda m: m.invoke(image_message({"type": "image_url", "image_url": {"url": IMAGE_URL}})),
    ),
    Case(
        "image as base64",
        lambda m: m.invoke(
            image_message({"type": "image", "base64": PNG_B64, "mime_type": "image/png"})
        ),
    ),
    Case(
        "tools: pydantic, function and dict, choice by name",
        lambda m: m.bind_tools([GetWeather, convert, LOOKUP], tool_choice="convert").invoke("Hi"),
    ),
    Case(
        "tool_choice any",
        lambda m: m.bind_tools([GetWeather, LOOKUP], tool_choice="any").invoke("Hi"),
    ),
    Case(
        "tool_choice auto, no parallel calls",
        lambda m: m.bind_tools([GetWeather], tool_choice="auto", parallel_tool_calls=False).invoke(
            "Hi"
        ),
    ),
    Case(
        "tool_choice none and True",
        lambda m: (
            m.bind_tools([GetWeather], tool_choice="none").invoke("Hi"),
            m.bind_tools([GetWeather], tool_choice=True).invoke("Hi"),
        ),
    ),
    Case("strict tools", lambda m: m.bind_tools([GetWeather, convert], strict=True).invoke("Hi")),
    Case("no tools", lambda m: m.bind_tools([]).invoke("Hi"), differences=(no_empty_tools,)),
    Case(
        "no tools, with a tool choice",
        lambda m: m.bind_tools([], tool_choice="auto").invoke("Hi"),
        differences=(no_empty_tools,),
    ),
    Case(
        "structured output: json_schema, pydantic",
        structured(Joke, method="json_schema"),
        differences=(response_format_spelled_our_way, null_defaults_kept),
        answer={"role": "assistant", "content": JOKE_JSON},
    ),
    Case(
        "structured output: json_schema, TypedDict",
        structured(JokeDict, method="json_schema"),
        differences=(strict_for_openai_models,),
        answer={"role": "assistant", "content": JOKE_JSON},
    ),
    Case(
        "structured output: json_schema, not strict",
        structured(JokeDict, method="json_schema", strict=False),
        answer={"role": "assistant", "content": JOKE_JSON},
    ),
    Case(
        "structured output: function_calling",
        structured(Joke, method="function_calling"),
        differences=(no_parallel_tool_calls_for_structured_output,),
    ),
    Case(
        "structured output: json_mode",
        structured(Joke, method="json_mode"),
        answer={"role": "assistant", "content": JOKE_JSON},
    ),
    Case(
        "sampling and length settings",
        lambda m: m.invoke("Hi"),
        settings={"temperature": 0.2, "max_tokens": 64, "stop": ["END"], "seed": 7, "top_p": 0.5},
        differences=(max_tokens_as_max_tokens,),
    ),
    Case(
        "the same settings per call",
        lambda m: m.invoke("Hi", temperature=0.2, stop=["END"], seed=7, top_p=0.5),
    ),
    Case(
        "streaming with usage", lambda m: list(m.stream("Hi")), peer_settings={"stream_usage": True}
    ),
]


def peer_model(recorder: Recorder, **settings: Any) -> ChatOpenAI:
    return ChatOpenAI(
        model=OPENAI_MODEL,
        api_key=FAKE_KEY,  # type: ignore[arg-type]
        base_url=f"{recorder.url}/v1",
        max_retries=0,
        **settings,
    )


def our_model(recorder: Recorder, **settings: Any) -> ChatYEScale:
    return ChatYEScale(
        model=OPENAI_MODEL, api_key=FAKE_KEY, base_url=recorder.url, max_retries=0, **settings
    )


def bodies(recorder: Recorder, call: Callable[[], object]) -> list[Body]:
    """The JSON bodies of the requests ``call`` makes."""
    recorder.take()
    call()
    return [request.json() for request in recorder.take()]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_body_as_chatopenai(recorder: Recorder, case: Case) -> None:
    if case.answer is not None:
        recorder.openai_message = case.answer
    peer = bodies(
        recorder, lambda: case.call(peer_model(recorder, **case.settings, **case.peer_settings))
    )
    ours = bodies(recorder, lambda: case.call(our_model(recorder, **case.settings)))
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
    await peer_model(recorder).ainvoke(HISTORY)
    async for _ in peer_model(recorder, stream_usage=True).astream("Hi"):
        pass
    peer = [stream_false_left_out(p.json()) for p in recorder.take()]
    await our_model(recorder).ainvoke(HISTORY)
    async for _ in our_model(recorder).astream("Hi"):
        pass
    assert [p.json() for p in recorder.take()] == peer


# -- what the peer sends and we refuse before any request ------------------------------------------


def test_invalid_base64_image_refused_before_any_request(recorder: Recorder) -> None:
    """ChatOpenAI sends a data URL whose base64 is broken (the API answers 400); we refuse it
    before sending, naming the message and the part."""
    message = image_message({"type": "image", "base64": "not base64!", "mime_type": "image/png"})
    assert "not base64!" in json.dumps(recorder.sent(lambda: peer_model(recorder).invoke(message)))
    with pytest.raises(InvalidRequestError) as info:
        our_model(recorder).invoke(message)
    assert recorder.take() == []
    text = str(info.value)
    assert "messages[0].content[1]" in text
    assert "base64" in text


@pytest.mark.parametrize("text", [5, b"hi"], ids=["int", "bytes"])
def test_text_part_not_a_string_refused_naming_it(recorder: Recorder, text: Any) -> None:
    """A text part whose ``text`` is not a string: ChatOpenAI sends it (or fails serialising
    it); we say which message and part, and what type the text was."""
    message = [HumanMessage("First"), HumanMessage([{"type": "text", "text": text}])]
    with pytest.raises(InvalidRequestError) as info:
        our_model(recorder).invoke(message)
    assert recorder.take() == []
    message_text = str(info.value)
    assert "messages[1].content[0]" in message_text
    assert "must be a str" in message_text
    assert type(text).__name__ in message_text
    assert "empty" not in message_text

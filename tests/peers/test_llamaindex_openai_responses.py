"""``llama_index_yescale.YEScaleResponses`` against its peer
``llama_index.llms.openai.OpenAIResponses``: the same LlamaIndex inputs through both, against the
local recorder (which answers ``/responses`` like OpenAI: see ``support.responses_answer``), send
the same ``/v1/responses`` body.

The two classes represent an answer differently (the peer keeps reasoning in ``ThinkingBlock``
``additional_information`` and tool calls in ``ToolCallBlock`` s; we keep the items in
``additional_kwargs["extra_content"]``), so round trips feed each class its *own* answer and
compare only the request bodies. Where they differ on purpose, a function named after the
difference turns the peer's body into ours, with the reason in its docstring; everything else
must be equal. The recorder numbers its answers (``resp_peer1``...) and is reset before each
side, so the ids each class sends back are comparable.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ImageBlock,
    MessageRole,
    TextBlock,
)
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from llama_index.llms.openai import OpenAIResponses
from pydantic import BaseModel, Field

from llama_index_yescale import YEScaleResponses

from .support import FAKE_KEY, OPENAI_MODEL, PNG, Recorder

Body = dict[str, Any]
REASONING_MODEL = "gpt-5-mini"
REASONING = {"effort": "low", "summary": "auto"}
ENCRYPTED = "RU5DUllQVEVELXJlYXNvbmluZw=="


def get_weather(city: str, unit: str = "C") -> str:
    """Get the current weather in a city."""
    return f"31 {unit}"


WEATHER = FunctionTool.from_defaults(get_weather)


class Joke(BaseModel):
    """A joke."""

    setup: str = Field(description="The setup")
    punchline: str | None = None


JOKE_JSON = json.dumps({"setup": "Why?", "punchline": "Because."})
PROMPT = PromptTemplate("Tell a joke about {topic}.")
SYSTEM_AND_USER = [
    ChatMessage(role=MessageRole.SYSTEM, content="Answer briefly."),
    ChatMessage(role=MessageRole.USER, content="Weather in Hanoi?"),
]
IMAGE_URL = "https://example.com/cat.png"
WEB_SEARCH = {"type": "web_search"}


def user(*blocks: Any) -> list[ChatMessage]:
    return [ChatMessage(role=MessageRole.USER, blocks=[TextBlock(text="What is this?"), *blocks])]


# -- what the recorder answers ---------------------------------------------------------------------


def message_item(text: str, item_id: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": item_id,
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


#: the ``id`` of each answer text the recorder gives (what we send back with it when stored)
ANSWER_IDS = {"Hello!": "msg_peer", "Let me check.": "msg_1"}
REASONING_ITEM = {
    "type": "reasoning",
    "id": "rs_1",
    "summary": [{"type": "summary_text", "text": "The user wants the weather."}],
    "encrypted_content": ENCRYPTED,
}
STORED_REASONING_ITEM = {k: v for k, v in REASONING_ITEM.items() if k != "encrypted_content"}
FUNCTION_CALL = {
    "type": "function_call",
    "id": "fc_1",
    "call_id": "call_1",
    "name": "get_weather",
    "arguments": '{"city": "Hanoi"}',
    "status": "completed",
}


# -- the deliberate differences (each turns the peer's body into ours) ---------------------------


def stream_false_left_out(peer: Body) -> Body:
    """The peer sends ``"stream": false`` on every call that does not stream; we send
    ``stream`` only when streaming (false is the API's default)."""
    if peer.get("stream") is False:
        del peer["stream"]
    return peer


def nulls_left_out(peer: Body) -> Body:
    """The peer sends every field it knows, ``null`` when unset (``include``, ``instructions``,
    ``max_output_tokens``, ``metadata``, ``previous_response_id``, ``user``); we send only the
    fields that are set (the same request)."""
    return {k: v for k, v in peer.items() if v is not None}


def no_default_temperature(peer: Body) -> Body:
    """The peer sends its own default ``temperature`` (0.1) when none was set (not with
    ``reasoning_options``); we send none, so the model's default applies (reasoning models
    refuse any other), as our chat-completions class does."""
    if "reasoning" not in peer:
        assert peer.pop("temperature") == 0.1
    return peer


def api_defaults_left_out(peer: Body) -> Body:
    """The peer sends ``top_p: 1.0`` (not with ``reasoning_options``) and
    ``truncation: "disabled"`` when they were not set: the API's own defaults; we leave them
    out."""
    if peer.get("top_p") == 1.0:
        del peer["top_p"]
    if peer.get("truncation") == "disabled":
        del peer["truncation"]
    return peer


def store_left_to_the_service(peer: Body) -> Body:
    """``store`` not set: the peer sends its own default ``store: false``; we leave ``store``
    to the service (which keeps the response: what ``previous_response_id`` and stored item
    ids need), as ``ChatYEScale`` and langchain-openai do. ``store=False`` is sent when asked."""
    assert peer.pop("store") is False
    return peer


def no_empty_tools(peer: Body) -> Body:
    """No tools: the peer sends ``"tools": []``; we leave ``tools`` out, as our other classes
    do (an empty list says nothing)."""
    if peer.get("tools") == []:
        del peer["tools"]
    return peer


def no_tool_choice_without_tools(peer: Body) -> Body:
    """``structured_predict``: the peer sends ``tool_choice: "none"`` with no tools at all; we
    send no ``tool_choice`` (there is nothing to choose from: the answer is text either way)."""
    assert "tools" not in peer
    assert peer.pop("tool_choice") == "none"
    return peer


def tool_choice_in_the_responses_shape(peer: Body) -> Body:
    """A tool chosen by name: the peer sends the chat-completions shape
    ``{"type": "function", "function": {"name": ...}}``, which the Responses API does not take
    (its ``tool_choice`` is flat); we send ``{"type": "function", "name": ...}``, as
    langchain-openai does."""
    choice = peer["tool_choice"]
    assert choice == {"type": "function", "function": {"name": "get_weather"}}
    peer["tool_choice"] = {"type": "function", "name": "get_weather"}
    return peer


def input_as_typed_items(peer: Body) -> Body:
    """The peer sends a lone user message as a bare ``input`` string, and messages as
    ``{"role", "content"}`` without a type (an assistant's text as a plain string); we always
    send a list of ``{"type": "message", ...}`` items, an assistant's text as ``output_text``
    (with its ``msg_`` id when the answer gave one and ``store`` is not false), as
    langchain-openai does: the same input to the API."""
    given = peer["input"]
    if isinstance(given, str):
        given = [{"role": "user", "content": given}]
    items = []
    for item in given:
        if "type" not in item and "role" in item:
            item = {"type": "message", **item}
            if item["role"] == "assistant" and isinstance(item["content"], str):
                text = item["content"]
                item["content"] = [{"type": "output_text", "text": text, "annotations": []}]
                if text in ANSWER_IDS and peer.get("store") is not False:
                    item["id"] = ANSWER_IDS[text]
        items.append(item)
    peer["input"] = items
    return peer


def system_kept_as_system(peer: Body) -> Body:
    """The peer turns a system message into a ``developer`` one; we keep ``system`` (the
    Responses API takes both, langchain-openai keeps ``system`` too, and models behind YEScale
    other than OpenAI's know ``system`` only)."""
    for item in peer["input"]:
        if item.get("role") == "developer":
            item["role"] = "system"
    return peer


def image_detail_auto_left_out(peer: Body) -> Body:
    """The peer adds ``"detail": "auto"`` to every image; we send ``detail`` only when the
    image block asks for one (``auto`` is the API's default)."""
    for item in peer["input"]:
        for part in item.get("content") or []:
            if isinstance(part, dict) and part.get("detail") == "auto":
                del part["detail"]
    return peer


#: what every body of the peer needs to read as ours
COMMON = (
    stream_false_left_out,
    nulls_left_out,
    no_default_temperature,
    api_defaults_left_out,
    no_empty_tools,
    input_as_typed_items,
    system_kept_as_system,
    image_detail_auto_left_out,
)
DEFAULT = (*COMMON, store_left_to_the_service)


def _without_titles(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_titles(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_without_titles(v) for v in schema]
    return schema


def text_format_spelled_our_way(peer: Body) -> Body:
    """The same strict schema, spelled differently: the peer hands the class to openai-python,
    which drops pydantic's ``"default": null`` and puts the class's title and description in
    the schema; we send pydantic's schema (defaults kept, properties' titles kept) with the
    class's description beside it, where ``text.format`` has a field for it (as our
    chat-completions class does with ``response_format``)."""
    spec = peer["text"]["format"]
    schema = spec["schema"]
    del schema["title"]
    spec["description"] = schema.pop("description")
    for name, info in Joke.model_fields.items():
        if not info.is_required() and info.default is None:
            schema["properties"][name]["default"] = None
    return peer


def reasoning_sent_back_whole(peer: Body) -> Body:
    """A reasoning item of the answer fed back: with ``store=False`` the peer drops it (the
    ``ThinkingBlock`` it keeps is not sent), so the model loses its reasoning between tool
    turns; we send the item as the answer gave it, with its ``encrypted_content`` (what
    ``include=["reasoning.encrypted_content"]`` is for), right before the call it led to."""
    items = peer["input"]
    assert not any(i.get("type") == "reasoning" for i in items)
    at = next(n for n, i in enumerate(items) if i.get("type") == "function_call")
    items.insert(at, dict(REASONING_ITEM))
    return peer


def function_call_ids_sent_back(peer: Body) -> Body:
    """The function calls of the answer fed back: the peer sends them without their item id;
    we send the ``fc_`` id the answer gave (``extra_content["openai"]["item_id"]``), as
    langchain-openai does, so the call is the same item the service made."""
    for item in peer["input"]:
        if item.get("type") == "function_call":
            assert "id" not in item
            item["id"] = FUNCTION_CALL["id"]
    return peer


def store_not_forced_by_tracking(peer: Body) -> Body:
    """``track_previous_responses=True``: the peer forces ``store: true``; we leave ``store``
    to the service, whose default (true) already keeps the response to chain on."""
    assert peer.pop("store") is True
    return peer


def previous_response_id_from_the_history(peer: Body) -> Body:
    """``track_previous_responses=True``, second turn with the whole history: the peer sends
    the whole history again *and* the id it keeps in the object, so the service sees the first
    turn twice (its stored copy and the input); we send only the messages after the last
    answer in the history, with that answer's id (read from the history, so one LLM serves
    many conversations)."""
    items = peer["input"]
    last_answer = max(n for n, i in enumerate(items) if i.get("role") == "assistant")
    peer["input"] = items[last_answer + 1 :]
    return peer


# -- the cases -------------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    call: Callable[[FunctionCallingLLM], object]
    settings: dict[str, Any] = field(default_factory=dict)
    differences: tuple[Callable[[Body], Body], ...] = DEFAULT
    output: list[dict[str, Any]] | None = None


def with_tools(**kwargs: Any) -> Callable[[FunctionCallingLLM], object]:
    return lambda llm: llm.chat_with_tools([WEATHER], user_msg="Weather in Hanoi?", **kwargs)


CASES = [
    Case("chat: system and user", lambda llm: llm.chat(SYSTEM_AND_USER)),
    Case("complete", lambda llm: llm.complete("Paris is the capital of")),
    Case(
        "temperature and max_output_tokens",
        lambda llm: llm.chat(SYSTEM_AND_USER),
        settings={"temperature": 0.2, "max_output_tokens": 64},
        differences=tuple(d for d in DEFAULT if d is not no_default_temperature),
    ),
    Case(
        "reasoning_options",
        lambda llm: llm.chat(SYSTEM_AND_USER),
        settings={"model": REASONING_MODEL, "reasoning_options": REASONING},
    ),
    Case(
        "include encrypted reasoning, store=False",
        lambda llm: llm.chat(SYSTEM_AND_USER),
        settings={
            "model": REASONING_MODEL,
            "reasoning_options": REASONING,
            "include": ["reasoning.encrypted_content"],
            "store": False,
        },
        differences=COMMON,
    ),
    Case(
        "store=True",
        lambda llm: llm.chat(SYSTEM_AND_USER),
        settings={"store": True},
        differences=COMMON,
    ),
    Case(
        "instructions and truncation",
        lambda llm: llm.chat(SYSTEM_AND_USER),
        settings={"instructions": "Be terse.", "truncation": "auto"},
    ),
    Case(
        "built_in_tools",
        lambda llm: llm.chat(SYSTEM_AND_USER),
        settings={"built_in_tools": [WEB_SEARCH]},
    ),
    Case(
        "built_in_tools beside a function tool",
        with_tools(),
        settings={"built_in_tools": [WEB_SEARCH, {"type": "code_interpreter"}]},
    ),
    Case("chat_with_tools", with_tools()),
    Case("chat_with_tools: required", with_tools(tool_required=True)),
    Case(
        "chat_with_tools: a tool by name",
        with_tools(tool_choice="get_weather"),
        differences=(*DEFAULT, tool_choice_in_the_responses_shape),
    ),
    Case(
        "chat_with_tools: parallel calls allowed",
        with_tools(allow_parallel_tool_calls=True),
    ),
    Case("image by URL", lambda llm: llm.chat(user(ImageBlock(url=IMAGE_URL)))),
    Case(
        "image as bytes",
        lambda llm: llm.chat(user(ImageBlock(image=PNG, image_mimetype="image/png"))),
    ),
    Case("stream_chat", lambda llm: list(llm.stream_chat(SYSTEM_AND_USER))),
    Case(
        "stream_chat with reasoning",
        lambda llm: list(llm.stream_chat(SYSTEM_AND_USER)),
        settings={"model": REASONING_MODEL, "reasoning_options": REASONING},
        output=[REASONING_ITEM, message_item("Hello!", "msg_peer")],
    ),
    Case(
        "structured_predict -> text.format",
        lambda llm: llm.structured_predict(Joke, PROMPT, topic="cats"),
        differences=(
            nulls_left_out,
            input_as_typed_items,
            store_left_to_the_service,
            no_tool_choice_without_tools,
            text_format_spelled_our_way,
        ),
        output=[message_item(JOKE_JSON, "msg_j")],
    ),
]


def peer_llm(recorder: Recorder, **settings: Any) -> OpenAIResponses:
    settings = {"model": OPENAI_MODEL, **copy.deepcopy(settings)}
    return OpenAIResponses(
        api_key=FAKE_KEY, api_base=f"{recorder.url}/v1", max_retries=0, **settings
    )


def our_llm(recorder: Recorder, **settings: Any) -> YEScaleResponses:
    settings = {"model": OPENAI_MODEL, **copy.deepcopy(settings)}
    return YEScaleResponses(api_key=FAKE_KEY, base_url=recorder.url, max_retries=0, **settings)


def bodies(recorder: Recorder, call: Callable[[], object]) -> list[Body]:
    """The JSON bodies of the requests ``call`` makes, all to ``/v1/responses`` (the
    recorder's answers numbered from ``resp_peer1`` again)."""
    recorder.take()
    recorder.responses_made = 0
    call()
    sent = recorder.take()
    assert all(r.path == "/v1/responses" for r in sent), [r.path for r in sent]
    return [r.json() for r in sent]


def expected(peer: list[Body], differences: tuple[Callable[[Body], Body], ...]) -> list[Body]:
    out = []
    for body in peer:
        for difference in differences:
            body = difference(body)
        out.append(body)
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_body_as_openai_responses(recorder: Recorder, case: Case) -> None:
    if case.output is not None:
        recorder.responses_output = case.output
    peer = bodies(recorder, lambda: case.call(peer_llm(recorder, **case.settings)))
    ours = bodies(recorder, lambda: case.call(our_llm(recorder, **case.settings)))
    assert peer
    assert ours == expected(peer, case.differences)


def test_settings_reach_the_body(recorder: Recorder) -> None:
    """The fields the cases above compare are really in our body (not both left out alike)."""
    body = recorder.sent(
        lambda: our_llm(
            recorder,
            model=REASONING_MODEL,
            reasoning_options=REASONING,
            include=["reasoning.encrypted_content"],
            store=False,
            instructions="Be terse.",
            truncation="auto",
            built_in_tools=[WEB_SEARCH],
        ).chat(SYSTEM_AND_USER)
    )
    assert body["reasoning"] == REASONING
    assert body["include"] == ["reasoning.encrypted_content"]
    assert body["store"] is False
    assert body["instructions"] == "Be terse."
    assert body["truncation"] == "auto"
    assert body["tools"] == [WEB_SEARCH]


# -- a tool round trip with reasoning: each class's own answer fed back ----------------------------


@dataclass
class RoundTrip:
    id: str
    output: list[dict[str, Any]]
    settings: dict[str, Any]
    differences: tuple[Callable[[Body], Body], ...]
    stream: bool = False


NOT_STORED = {
    "model": REASONING_MODEL,
    "reasoning_options": REASONING,
    "include": ["reasoning.encrypted_content"],
    "store": False,
}
STORED = {"model": REASONING_MODEL, "reasoning_options": REASONING, "store": True}
ROUND_TRIPS = [
    RoundTrip(
        "reasoning and a call, store=False, encrypted reasoning",
        [REASONING_ITEM, FUNCTION_CALL],
        NOT_STORED,
        (*COMMON, reasoning_sent_back_whole, function_call_ids_sent_back),
    ),
    RoundTrip(
        "reasoning and a call, store=False, streamed",
        [REASONING_ITEM, FUNCTION_CALL],
        NOT_STORED,
        (*COMMON, reasoning_sent_back_whole, function_call_ids_sent_back),
        stream=True,
    ),
    RoundTrip(
        "reasoning, text and a call, stored",
        [STORED_REASONING_ITEM, message_item("Let me check.", "msg_1"), FUNCTION_CALL],
        STORED,
        (*COMMON, function_call_ids_sent_back),
    ),
]


def _round_trip(recorder: Recorder, llm: FunctionCallingLLM, trip: RoundTrip) -> list[Body]:
    asked = [ChatMessage(role=MessageRole.USER, content="Weather in Hanoi?")]
    answers: list[ChatResponse] = []

    def first() -> None:
        if trip.stream:
            answers.append(list(llm.stream_chat_with_tools([WEATHER], chat_history=asked))[-1])
        else:
            answers.append(llm.chat_with_tools([WEATHER], chat_history=asked))

    sent = bodies(recorder, first)
    answer = answers[0]
    calls = llm.get_tool_calls_from_response(answer)
    assert [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("call_1", "get_weather", {"city": "Hanoi"})
    ]
    results = [
        ChatMessage(
            role=MessageRole.TOOL,
            content="31 C",
            additional_kwargs={"tool_call_id": c.tool_id, "name": c.tool_name},
        )
        for c in calls
    ]
    recorder.responses_output = [message_item("Hello!", "msg_peer")]
    sent += bodies(
        recorder,
        lambda: llm.chat_with_tools([WEATHER], chat_history=[*asked, answer.message, *results]),
    )
    return sent


@pytest.mark.parametrize("trip", ROUND_TRIPS, ids=[t.id for t in ROUND_TRIPS])
def test_tool_round_trip_same_follow_up(recorder: Recorder, trip: RoundTrip) -> None:
    recorder.responses_output = trip.output
    peer = _round_trip(recorder, peer_llm(recorder, **trip.settings), trip)
    recorder.responses_output = trip.output
    ours = _round_trip(recorder, our_llm(recorder, **trip.settings), trip)
    assert len(peer) == len(ours) == 2
    assert ours[0] == expected(peer[:1], COMMON)[0]
    assert ours[1] == expected(peer[1:], trip.differences)[0]
    follow_up = ours[1]["input"]
    assert [i.get("type") for i in follow_up][-2:] == ["function_call", "function_call_output"]
    reasoning = [i for i in follow_up if i.get("type") == "reasoning"]
    assert [r["id"] for r in reasoning] == ["rs_1"]
    if trip.settings.get("include"):
        assert reasoning[0]["encrypted_content"] == ENCRYPTED


# -- previous responses: the peer keeps the id in the object, we read it from the history ----------


def test_track_previous_responses_two_turns(recorder: Recorder) -> None:
    first = list(SYSTEM_AND_USER)

    def two_turns(llm: FunctionCallingLLM) -> None:
        answer = llm.chat(first)
        llm.chat([*first, answer.message, ChatMessage(role=MessageRole.USER, content="Again")])

    peer = bodies(recorder, lambda: two_turns(peer_llm(recorder, track_previous_responses=True)))
    ours = bodies(recorder, lambda: two_turns(our_llm(recorder, track_previous_responses=True)))
    common = (*COMMON, store_not_forced_by_tracking)
    assert ours[0] == expected(peer[:1], common)[0]
    assert ours[1] == expected(peer[1:], (*common, previous_response_id_from_the_history))[0]
    assert ours[1]["previous_response_id"] == "resp_peer1"
    assert ours[1]["input"] == [{"type": "message", "role": "user", "content": "Again"}]


def test_track_previous_responses_only_new_messages(recorder: Recorder) -> None:
    """The peer's own way: the second call gives only the new message and the object adds the
    id it kept; ours keeps nothing in the object, so the same call sends no
    ``previous_response_id`` (the history given is all there is): a deliberate difference."""
    again = [ChatMessage(role=MessageRole.USER, content="Again")]
    sent = []
    for make in (peer_llm, our_llm):
        llm = make(recorder, track_previous_responses=True)
        sent.append(bodies(recorder, lambda llm=llm: (llm.chat(SYSTEM_AND_USER), llm.chat(again))))
    peer, ours = sent
    assert peer[1]["previous_response_id"] == "resp_peer1"
    assert peer[1]["input"] == "Again"
    assert "previous_response_id" not in ours[1]
    assert ours[1]["input"] == [{"type": "message", "role": "user", "content": "Again"}]


# -- async -----------------------------------------------------------------------------------------


async def test_same_body_async(recorder: Recorder) -> None:
    async def run(llm: FunctionCallingLLM) -> list[Body]:
        recorder.take()
        recorder.responses_made = 0
        await llm.achat(SYSTEM_AND_USER)
        async for _ in await llm.astream_chat(SYSTEM_AND_USER):
            pass
        return [r.json() for r in recorder.take()]

    settings = {"model": REASONING_MODEL, "reasoning_options": REASONING, "store": True}
    peer = await run(peer_llm(recorder, **settings))
    ours = await run(our_llm(recorder, **settings))
    assert len(peer) == 2
    assert ours == expected(peer, COMMON)

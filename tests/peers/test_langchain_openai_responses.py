"""``ChatYEScale(use_responses_api=True)`` against its peer ``ChatOpenAI(use_responses_api=True)``:
the same LangChain inputs through both, against the local recorder (which answers ``/responses``
like OpenAI's Responses API: see ``support.responses_answer`` / ``support.responses_events``),
send the same ``/v1/responses`` body.

Where the bodies differ on purpose, the case says so with a function named after the difference
that turns the peer's body into ours, and whose docstring gives the reason; everything else must
be equal. Round trips feed each class its *own* answer to the first call (reasoning items with
``encrypted_content``, function calls with their ``fc_`` ids, built-in tool items, citations) and
compare the follow-up bodies. The recorder numbers its answers (``resp_peer1``...) and is reset
before each side, so the ids each class sends back are comparable.

Tests marked ``xfail(strict=True)`` show a suspected bug of ours (the reason says which); they
pass once it is fixed, and strict makes that visible.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from langchain_yescale import ChatYEScale
from yescale import InvalidRequestError

from .support import FAKE_KEY, OPENAI_MODEL, PNG_B64, RESPONSES_HELLO, Recorder

Body = dict[str, Any]
REASONING_MODEL = "gpt-5-mini"
REASONING = {"effort": "low", "summary": "auto"}
ENCRYPTED = "RU5DUllQVEVELXJlYXNvbmluZw=="


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
WEB_SEARCH = {"type": "web_search"}
IMAGE_GENERATION = {"type": "image_generation", "quality": "low"}
CODE_INTERPRETER = {"type": "code_interpreter", "container": {"type": "auto"}}


class Joke(BaseModel):
    """A joke."""

    setup: str = Field(description="The setup")
    punchline: str | None = None


JOKE_JSON = json.dumps({"setup": "Why?", "punchline": "Because."})
HISTORY = [
    SystemMessage("Answer briefly."),
    HumanMessage("Weather in Hanoi?"),
    AIMessage("", tool_calls=[{"name": "GetWeather", "args": {"city": "Hanoi"}, "id": "call_1"}]),
    ToolMessage('{"temperature": 31}', tool_call_id="call_1"),
    AIMessage("31 degrees."),
    HumanMessage("And in Hue?"),
]
IMAGE_URL = "https://example.com/cat.png"


def image_message(block: dict[str, Any]) -> list[HumanMessage]:
    return [HumanMessage([{"type": "text", "text": "What is this?"}, block])]


# -- what the recorder answers ---------------------------------------------------------------------


def message_item(text: str, item_id: str = "msg_1", annotations: Any = ()) -> dict[str, Any]:
    return {
        "type": "message",
        "id": item_id,
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": list(annotations)}],
    }


REASONING_ITEM = {
    "type": "reasoning",
    "id": "rs_1",
    "summary": [{"type": "summary_text", "text": "The user wants the weather."}],
    "encrypted_content": ENCRYPTED,
}
FUNCTION_CALL = {
    "type": "function_call",
    "id": "fc_1",
    "call_id": "call_1",
    "name": "GetWeather",
    "arguments": '{"city": "Hanoi"}',
    "status": "completed",
}
JOKE_CALL = {**FUNCTION_CALL, "name": "Joke", "arguments": JOKE_JSON}
CITATION = {
    "type": "url_citation",
    "url": "https://example.com/euro",
    "title": "Euro 2024",
    "start_index": 0,
    "end_index": 20,
}
WEB_SEARCH_ANSWER = [
    {
        "type": "web_search_call",
        "id": "ws_1",
        "status": "completed",
        "action": {"type": "search", "query": "euro 2024 winner"},
    },
    message_item("Spain won Euro 2024.", "msg_2", [CITATION]),
]
IMAGE_ANSWER = [
    {"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": PNG_B64}
]


# -- the deliberate differences (each turns the peer's body into ours) ---------------------------


def stream_false_left_out(peer: Body) -> Body:
    """ChatOpenAI sends ``"stream": false`` on every call that does not stream; we send
    ``stream`` only when streaming (false is the API's default)."""
    if peer.get("stream") is False:
        del peer["stream"]
    return peer


def _without_titles(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_titles(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_without_titles(v) for v in schema]
    return schema


def text_format_spelled_our_way(peer: Body) -> Body:
    """The same schema, strict alike, spelled differently (as on /chat/completions): ChatOpenAI
    hands the pydantic class to openai-python, which keeps pydantic's titles and puts the
    description inside the schema and drops ``"default": null``; we send LangChain's own
    conversion (the one tools use: no titles, defaults kept) with the description beside the
    schema, where the Responses ``text.format`` has a field for it."""
    spec = peer["text"]["format"]
    schema = _without_titles(spec.pop("schema"))
    description = schema.pop("description", None)
    for name, info in Joke.model_fields.items():
        if not info.is_required() and info.default is None:
            schema["properties"][name]["default"] = None
    out = {"type": "json_schema", "name": spec["name"]}
    if description:
        out["description"] = description
    peer["text"]["format"] = {**out, "schema": schema, "strict": spec["strict"]}
    return peer


def strict_false_honoured(peer: Body) -> Body:
    """``with_structured_output(Joke, method="json_schema", strict=False)``: on the Responses
    API ChatOpenAI still makes a pydantic schema strict (openai-python's ``text_format`` always
    is), closing it and requiring every field; we send what was asked for: ``strict: false``
    and the schema as pydantic gives it (only ``setup`` required, not closed)."""
    spec = peer["text"]["format"]
    assert spec["strict"] is True
    spec["strict"] = False
    schema = spec["schema"]
    del schema["additionalProperties"]
    schema["required"] = [n for n, info in Joke.model_fields.items() if info.is_required()]
    return peer


def no_parallel_tool_calls_for_structured_output(peer: Body) -> Body:
    """``with_structured_output(method="function_calling")``: ChatOpenAI also sends
    ``parallel_tool_calls: false``; we do not (as on /chat/completions): not every model behind
    YEScale takes that parameter, and the parser reads the first call only anyway."""
    assert peer.pop("parallel_tool_calls") is False
    return peer


def function_call_status_left_out(peer: Body) -> Body:
    """A function call of an earlier (not streamed) answer: ChatOpenAI sends it back with the
    ``status`` the answer gave (``completed``), which it does not have after a stream; we send
    the call without ``status`` either way (the API does not need it on input items: the
    ``call_id``, name, arguments and ``fc_`` id say it all)."""
    for item in peer["input"]:
        if item.get("type") == "function_call":
            assert item.pop("status") == "completed"
    return peer


def o_pro_models_served_on_responses_only(peer: Body) -> Body:
    """``o1-pro`` / ``o3-pro`` with ``use_responses_api`` left open: ChatOpenAI sends them to
    /chat/completions (its list of Responses-only models has the gpt-5 ``-pro`` models only),
    where OpenAI answers that the model is not supported there; OpenAI serves both on the
    Responses API only, so we go there (``yescale.integration.chat_params``). Turns the peer's
    chat body into the Responses body (only a user message here)."""
    assert [m["role"] for m in peer.pop("messages")] == ["user"]
    peer["input"] = [{"type": "message", "role": "user", "content": "Hi"}]
    return peer


# -- the cases -------------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    call: Callable[[BaseChatModel], object]
    settings: dict[str, Any] = field(default_factory=dict)
    #: where the two classes spell one setting differently
    peer_settings: dict[str, Any] = field(default_factory=dict)
    our_settings: dict[str, Any] = field(default_factory=dict)
    differences: tuple[Callable[[Body], Body], ...] = ()
    output: list[dict[str, Any]] | None = None


def structured(schema: Any, **kwargs: Any) -> Callable[[BaseChatModel], object]:
    return lambda m: m.with_structured_output(schema, **kwargs).invoke("Tell a joke")


def tools(*bound: Any, **kwargs: Any) -> Callable[[BaseChatModel], object]:
    return lambda m: m.bind_tools(list(bound), **kwargs).invoke("Hi")


#: store=False: ChatOpenAI has a ``store`` field (``model_kwargs`` store is moved there with a
#: warning); ChatYEScale takes it in ``model_kwargs``.
PEER_NOT_STORED = {"store": False}
OURS_NOT_STORED = {"model_kwargs": {"store": False}}

CASES = [
    Case("plain text", lambda m: m.invoke("Hi")),
    Case("system and human", lambda m: m.invoke([("system", "Be brief."), ("human", "Hi")])),
    Case("multi-turn with tool calls and a tool result", lambda m: m.invoke(HISTORY)),
    Case(
        "temperature, top_p, max_tokens -> max_output_tokens",
        lambda m: m.invoke("Hi"),
        settings={"temperature": 0.2, "top_p": 0.5, "max_tokens": 64},
    ),
    Case(
        "the same settings per call",
        lambda m: m.invoke("Hi", temperature=0.2, top_p=0.5, max_tokens=64),
    ),
    Case(
        "reasoning effort and summary",
        lambda m: m.invoke("Hi"),
        settings={"model": REASONING_MODEL, "reasoning": REASONING},
    ),
    Case(
        "reasoning_effort -> reasoning.effort",
        lambda m: m.invoke("Hi"),
        settings={"model": REASONING_MODEL, "reasoning_effort": "low"},
    ),
    Case(
        "include encrypted reasoning, not stored",
        lambda m: m.invoke("Hi"),
        settings={"model": REASONING_MODEL, "include": ["reasoning.encrypted_content"]},
        peer_settings=PEER_NOT_STORED,
        our_settings=OURS_NOT_STORED,
    ),
    Case(
        "tools: pydantic, function and dict, choice by name",
        tools(GetWeather, convert, LOOKUP, tool_choice="convert"),
    ),
    Case("tool_choice any", tools(GetWeather, LOOKUP, tool_choice="any")),
    Case("tool_choice required", tools(GetWeather, tool_choice="required")),
    Case(
        "tool_choice auto, no parallel calls",
        tools(GetWeather, tool_choice="auto", parallel_tool_calls=False),
    ),
    Case(
        "tool_choice none and True",
        lambda m: (
            m.bind_tools([GetWeather], tool_choice="none").invoke("Hi"),
            m.bind_tools([GetWeather], tool_choice=True).invoke("Hi"),
        ),
    ),
    Case(
        "tool_choice as an OpenAI dict",
        tools(GetWeather, tool_choice={"type": "function", "function": {"name": "GetWeather"}}),
    ),
    Case("strict tools", tools(GetWeather, convert, strict=True)),
    Case("built-in tool: web_search", tools(WEB_SEARCH)),
    Case("built-in tool: image_generation", tools(IMAGE_GENERATION)),
    Case(
        "built-in tool: image_generation, streamed (partial_images)",
        lambda m: list(m.bind_tools([IMAGE_GENERATION]).stream("Draw a cat")),
    ),
    Case("built-in tool: code_interpreter, beside a function", tools(CODE_INTERPRETER, GetWeather)),
    Case(
        "structured output: json_schema -> text.format",
        structured(Joke, method="json_schema"),
        differences=(text_format_spelled_our_way,),
        output=[message_item(JOKE_JSON)],
    ),
    Case(
        "structured output: json_schema, not strict",
        structured(Joke, method="json_schema", strict=False),
        differences=(strict_false_honoured, text_format_spelled_our_way),
        output=[message_item(JOKE_JSON)],
    ),
    Case(
        "structured output: function_calling",
        structured(Joke, method="function_calling"),
        differences=(no_parallel_tool_calls_for_structured_output,),
        output=[JOKE_CALL],
    ),
    Case(
        "structured output: json_mode",
        lambda m: m.with_structured_output(Joke, method="json_mode").invoke("A joke as JSON"),
        output=[message_item(JOKE_JSON)],
    ),
    Case(
        "image by URL (standard block)",
        lambda m: m.invoke(image_message({"type": "image", "url": IMAGE_URL})),
    ),
    Case(
        "image by URL (OpenAI block, detail)",
        lambda m: m.invoke(
            image_message({"type": "image_url", "image_url": {"url": IMAGE_URL, "detail": "low"}})
        ),
    ),
    Case(
        "image as base64",
        lambda m: m.invoke(
            image_message({"type": "image", "base64": PNG_B64, "mime_type": "image/png"})
        ),
    ),
    Case("streaming", lambda m: list(m.stream([("system", "Be brief."), ("human", "Hi")]))),
    Case(
        "streaming with tools and reasoning",
        lambda m: list(m.bind_tools([GetWeather]).stream("Weather in Hanoi?")),
        settings={"model": REASONING_MODEL, "reasoning": REASONING},
        output=[REASONING_ITEM, FUNCTION_CALL],
    ),
]


def peer_model(recorder: Recorder, **settings: Any) -> ChatOpenAI:
    settings = {"model": OPENAI_MODEL, "use_responses_api": True, **copy.deepcopy(settings)}
    return ChatOpenAI(
        api_key=FAKE_KEY,  # type: ignore[arg-type]
        base_url=f"{recorder.url}/v1",
        max_retries=0,
        **settings,
    )


def our_model(recorder: Recorder, **settings: Any) -> ChatYEScale:
    settings = {"model": OPENAI_MODEL, "use_responses_api": True, **copy.deepcopy(settings)}
    return ChatYEScale(api_key=FAKE_KEY, base_url=recorder.url, max_retries=0, **settings)


def requests(recorder: Recorder, call: Callable[[], object]) -> list[tuple[str, Body]]:
    """The paths and JSON bodies of the requests ``call`` makes (the recorder's answers
    numbered from ``resp_peer1`` again)."""
    recorder.take()
    recorder.responses_made = 0
    call()
    return [(request.path, request.json()) for request in recorder.take()]


def bodies(recorder: Recorder, call: Callable[[], object]) -> list[Body]:
    sent = requests(recorder, call)
    assert all(path == "/v1/responses" for path, _ in sent), [p for p, _ in sent]
    return [body for _, body in sent]


def expected(peer: list[Body], differences: tuple[Callable[[Body], Body], ...] = ()) -> list[Body]:
    out = []
    for body in peer:
        body = stream_false_left_out(body)
        for difference in differences:
            body = difference(body)
        out.append(body)
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_body_as_chatopenai_responses(recorder: Recorder, case: Case) -> None:
    if case.output is not None:
        recorder.responses_output = case.output
    peer = bodies(
        recorder, lambda: case.call(peer_model(recorder, **case.settings, **case.peer_settings))
    )
    ours = bodies(
        recorder, lambda: case.call(our_model(recorder, **case.settings, **case.our_settings))
    )
    assert peer
    assert ours == expected(peer, case.differences)


def test_reasoning_and_include_reach_the_body(recorder: Recorder) -> None:
    """The fields the cases above compare are really there (not both left out alike)."""
    body = recorder.sent(
        lambda: our_model(
            recorder,
            model=REASONING_MODEL,
            reasoning=REASONING,
            include=["reasoning.encrypted_content"],
            model_kwargs={"store": False},
            max_tokens=64,
        ).invoke("Hi")
    )
    assert body["reasoning"] == REASONING
    assert body["include"] == ["reasoning.encrypted_content"]
    assert body["store"] is False
    assert body["max_output_tokens"] == 64
    assert "max_tokens" not in body


# -- round trips: each class's own answer fed back -------------------------------------------------


def _merged(chunks: list[BaseMessage]) -> BaseMessage:
    whole: Any = chunks[0]
    for chunk in chunks[1:]:
        whole = whole + chunk
    return whole


@dataclass
class RoundTrip:
    id: str
    output: list[dict[str, Any]]
    bound: tuple[Any, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    peer_settings: dict[str, Any] = field(default_factory=dict)
    our_settings: dict[str, Any] = field(default_factory=dict)
    #: the follow-up: a result for each tool call, else a new question
    tool_results: bool = False
    stream: bool = False
    differences: tuple[Callable[[Body], Body], ...] = ()


ROUND_TRIPS = [
    RoundTrip(
        "reasoning and a function call, not stored (encrypted reasoning sent back)",
        [REASONING_ITEM, FUNCTION_CALL],
        bound=(GetWeather,),
        settings={
            "model": REASONING_MODEL,
            "reasoning": REASONING,
            "include": ["reasoning.encrypted_content"],
        },
        peer_settings=PEER_NOT_STORED,
        our_settings=OURS_NOT_STORED,
        tool_results=True,
        differences=(function_call_status_left_out,),
    ),
    RoundTrip(
        "reasoning and a function call, not stored, streamed",
        [REASONING_ITEM, FUNCTION_CALL],
        bound=(GetWeather,),
        settings={
            "model": REASONING_MODEL,
            "reasoning": REASONING,
            "include": ["reasoning.encrypted_content"],
        },
        peer_settings=PEER_NOT_STORED,
        our_settings=OURS_NOT_STORED,
        tool_results=True,
        stream=True,
    ),
    RoundTrip(
        "reasoning, text and a function call, stored (message id sent back)",
        [
            {k: v for k, v in REASONING_ITEM.items() if k != "encrypted_content"},
            message_item("Let me check."),
            FUNCTION_CALL,
        ],
        bound=(GetWeather,),
        settings={"model": REASONING_MODEL, "reasoning": REASONING},
        tool_results=True,
        differences=(function_call_status_left_out,),
    ),
    RoundTrip(
        "reasoning, text and a function call, stored, streamed",
        [
            {k: v for k, v in REASONING_ITEM.items() if k != "encrypted_content"},
            message_item("Let me check."),
            FUNCTION_CALL,
        ],
        bound=(GetWeather,),
        settings={"model": REASONING_MODEL, "reasoning": REASONING},
        tool_results=True,
        stream=True,
    ),
    RoundTrip("text only", [message_item("Hello!")]),
    RoundTrip("text only, streamed", [message_item("Hello!")], stream=True),
    RoundTrip("web search with url_citation annotations", WEB_SEARCH_ANSWER, bound=(WEB_SEARCH,)),
    RoundTrip(
        "web search with url_citation annotations, not stored (no message id)",
        WEB_SEARCH_ANSWER,
        bound=(WEB_SEARCH,),
        peer_settings=PEER_NOT_STORED,
        our_settings=OURS_NOT_STORED,
    ),
    RoundTrip("image generation (a reference by id)", IMAGE_ANSWER, bound=(IMAGE_GENERATION,)),
    RoundTrip(
        "image generation, not stored (the image sent back)",
        IMAGE_ANSWER,
        bound=(IMAGE_GENERATION,),
        peer_settings=PEER_NOT_STORED,
        our_settings=OURS_NOT_STORED,
    ),
]
STREAMED_BUILTIN_ROUND_TRIPS = [
    RoundTrip(
        "web search with url_citation annotations, streamed",
        WEB_SEARCH_ANSWER,
        bound=(WEB_SEARCH,),
        stream=True,
    ),
    RoundTrip(
        "image generation, streamed",
        IMAGE_ANSWER,
        bound=(IMAGE_GENERATION,),
        stream=True,
    ),
]


def _round_trip(recorder: Recorder, model: BaseChatModel, trip: RoundTrip) -> list[Body]:
    """The first body and the follow-up body, the follow-up carrying the class's own answer."""
    runnable: Any = model.bind_tools(list(trip.bound)) if trip.bound else model
    asked: list[BaseMessage] = [HumanMessage("Weather in Hanoi?")]
    answers: list[BaseMessage] = []

    def first() -> None:
        if trip.stream:
            answers.append(_merged(list(runnable.stream(asked))))
        else:
            answers.append(runnable.invoke(asked))

    sent = bodies(recorder, first)
    answer = answers[0]
    assert answer.id == "resp_peer1"
    follow: list[BaseMessage] = (
        [ToolMessage('{"temperature": 31}', tool_call_id=c["id"]) for c in answer.tool_calls]
        if trip.tool_results
        else [HumanMessage("And then?")]
    )
    if trip.tool_results:
        assert follow
    recorder.responses_made = 1  # the follow-up is answered as resp_peer2 on both sides
    recorder.take()
    runnable.invoke([*asked, answer, *follow])
    return [*sent, *(r.json() for r in recorder.take())]


def _check_round_trip(recorder: Recorder, trip: RoundTrip) -> None:
    recorder.responses_output = trip.output
    peer = _round_trip(recorder, peer_model(recorder, **trip.settings, **trip.peer_settings), trip)
    ours = _round_trip(recorder, our_model(recorder, **trip.settings, **trip.our_settings), trip)
    assert len(peer) == len(ours) == 2
    assert ours[0] == expected(peer[:1])[0]
    assert ours[1] == expected(peer[1:], trip.differences)[0]
    # what the follow-up carries, spelled out: the earlier answer's items, ids kept
    kinds = [item.get("type") for item in ours[1]["input"]]
    for given in trip.output:
        assert given["type"] in kinds
    if trip.tool_results:
        calls = [i for i in ours[1]["input"] if i.get("type") == "function_call"]
        assert [c["id"] for c in calls] == ["fc_1"]
        outputs = [i for i in ours[1]["input"] if i.get("type") == "function_call_output"]
        assert [o["call_id"] for o in outputs] == ["call_1"]
    if ours[1].get("include"):
        reasoning = [i for i in ours[1]["input"] if i.get("type") == "reasoning"]
        assert [r.get("encrypted_content") for r in reasoning] == [ENCRYPTED]


@pytest.mark.parametrize("trip", ROUND_TRIPS, ids=[t.id for t in ROUND_TRIPS])
def test_round_trip_same_follow_up(recorder: Recorder, trip: RoundTrip) -> None:
    _check_round_trip(recorder, trip)


@pytest.mark.parametrize(
    "trip", STREAMED_BUILTIN_ROUND_TRIPS, ids=[t.id for t in STREAMED_BUILTIN_ROUND_TRIPS]
)
def test_round_trip_after_a_streamed_builtin_tool(recorder: Recorder, trip: RoundTrip) -> None:
    _check_round_trip(recorder, trip)


def test_web_search_citations_sent_back(recorder: Recorder) -> None:
    """The follow-up after a web search carries the search item and the cited text with its
    ``url_citation`` in the Responses' flat shape (what the round trip above compares)."""
    recorder.responses_output = WEB_SEARCH_ANSWER
    model = our_model(recorder).bind_tools([WEB_SEARCH])
    answer = model.invoke("Who won Euro 2024?")
    body = recorder.sent(lambda: model.invoke(["Who won Euro 2024?", answer, "And then?"]))
    assert body["input"][1] == WEB_SEARCH_ANSWER[0]
    assert body["input"][2] == {
        "type": "message",
        "role": "assistant",
        "content": [
            {"type": "output_text", "text": "Spain won Euro 2024.", "annotations": [CITATION]}
        ],
        "id": "msg_2",
    }


# -- previous_response_id --------------------------------------------------------------------------


def test_use_previous_response_id_sends_only_the_new_messages(recorder: Recorder) -> None:
    first = [SystemMessage("Be brief."), HumanMessage("Hi")]

    def two_turns(model: BaseChatModel) -> None:
        answer = model.invoke(first)
        model.invoke([*first, answer, HumanMessage("Again")])

    sent = [
        bodies(recorder, lambda make=make: two_turns(make(recorder, use_previous_response_id=True)))
        for make in (peer_model, our_model)
    ]
    peer, ours = sent
    assert ours == expected(peer)
    assert "previous_response_id" not in ours[0]
    assert ours[1]["previous_response_id"] == "resp_peer1"
    assert ours[1]["input"] == [{"type": "message", "role": "user", "content": "Again"}]


# -- the automatic choice (use_responses_api left unset) -------------------------------------------


@dataclass
class Route:
    id: str
    path: str
    settings: dict[str, Any] = field(default_factory=dict)
    bound: tuple[Any, ...] = ()
    differences: tuple[Callable[[Body], Body], ...] = ()
    our_path: str | None = None


ROUTES = [
    Route("reasoning set", "/v1/responses", {"model": REASONING_MODEL, "reasoning": REASONING}),
    Route("include set", "/v1/responses", {"include": ["reasoning.encrypted_content"]}),
    Route("truncation set", "/v1/responses", {"truncation": "auto"}),
    Route("use_previous_response_id", "/v1/responses", {"use_previous_response_id": True}),
    Route("web_search bound", "/v1/responses", bound=(WEB_SEARCH,)),
    Route(
        "code_interpreter bound beside a function",
        "/v1/responses",
        bound=(GetWeather, CODE_INTERPRETER),
    ),
    Route("a codex model", "/v1/responses", {"model": "gpt-5-codex"}),
    Route("a gpt-5 -pro model", "/v1/responses", {"model": "gpt-5-pro"}),
    Route("plain call on a chat model", "/v1/chat/completions"),
    Route("function tools only", "/v1/chat/completions", bound=(GetWeather,)),
    Route(
        "reasoning_effort alone",
        "/v1/chat/completions",
        {"model": REASONING_MODEL, "reasoning_effort": "low"},
    ),
    Route(
        "o3-pro",
        "/v1/chat/completions",
        {"model": "o3-pro"},
        differences=(o_pro_models_served_on_responses_only,),
        our_path="/v1/responses",
    ),
]


def _routed(recorder: Recorder, model: BaseChatModel, route: Route) -> list[tuple[str, Body]]:
    runnable: Any = model.bind_tools(list(route.bound)) if route.bound else model
    return requests(recorder, lambda: runnable.invoke("Hi"))


@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_automatic_choice_of_the_api(recorder: Recorder, route: Route) -> None:
    settings = {"use_responses_api": None, **route.settings}
    [(peer_path, peer)] = _routed(recorder, peer_model(recorder, **settings), route)
    [(our_path, ours)] = _routed(recorder, our_model(recorder, **settings), route)
    assert peer_path == route.path
    assert our_path == (route.our_path or route.path)
    assert ours == expected([peer], route.differences)[0]


@pytest.mark.parametrize(
    ("model", "bound"), [("gpt-5.6-sol", ()), ("gpt-6", (GetWeather,))], ids=["sol", "gpt-6"]
)
def test_automatic_choice_follows_the_peers_model_list(
    recorder: Recorder, model: str, bound: tuple[Any, ...]
) -> None:
    route = Route(model, "/v1/responses", {"model": model}, bound=bound)
    settings = {"use_responses_api": None, **route.settings}
    [(peer_path, _)] = _routed(recorder, peer_model(recorder, **settings), route)
    [(our_path, _)] = _routed(recorder, our_model(recorder, **settings), route)
    assert peer_path == "/v1/responses"
    assert our_path == peer_path


# -- stop: ChatOpenAI drops it silently, we refuse it ---------------------------------------------


@pytest.mark.parametrize("where", ["field", "call"])
def test_stop_dropped_by_the_peer_refused_by_us(recorder: Recorder, where: str) -> None:
    """The Responses API has no stop sequences: ChatOpenAI leaves ``stop`` out of the body
    without a word (the text is not cut); we refuse it with a hint before any request."""
    field_stop = {"stop": ["END"]} if where == "field" else {}
    call_stop = {} if where == "field" else {"stop": ["END"]}
    peer = recorder.sent(lambda: peer_model(recorder, **field_stop).invoke("Hi", **call_stop))
    assert "stop" not in peer
    assert peer["input"] == [{"type": "message", "role": "user", "content": "Hi"}]
    recorder.take()
    with pytest.raises(InvalidRequestError) as info:
        our_model(recorder, **field_stop).invoke("Hi", **call_stop)
    assert recorder.take() == []
    text = str(info.value)
    assert "stop" in text
    assert "/v1/responses" in text
    assert "client.chat" in text


# -- async -----------------------------------------------------------------------------------------


async def test_same_body_async(recorder: Recorder) -> None:
    async def run(model: BaseChatModel) -> list[Body]:
        recorder.take()
        recorder.responses_made = 0
        await model.bind_tools([GetWeather, WEB_SEARCH]).ainvoke(HISTORY)
        async for _ in model.astream("Hi"):
            pass
        return [r.json() for r in recorder.take()]

    settings = {"reasoning": REASONING, "model": REASONING_MODEL}
    peer = await run(peer_model(recorder, **settings))
    ours = await run(our_model(recorder, **settings))
    assert len(peer) == 2
    assert ours == expected(peer)


def test_default_answer_is_hello(recorder: Recorder) -> None:
    """The recorder's default ``/responses`` answer reads as "Hello!" through both classes,
    streamed or not, each answer with an id of its own."""
    assert recorder.responses_output == RESPONSES_HELLO
    for make in (peer_model, our_model):
        model = make(recorder)
        recorder.responses_made = 0
        answer = model.invoke("Hi")
        assert answer.text == "Hello!"
        assert answer.id == "resp_peer1"
        streamed = _merged(list(model.stream("Hi")))
        assert streamed.text == "Hello!"
        assert streamed.id == "resp_peer2"

"""``ChatYEScaleGemini`` against its peer ``langchain_google_genai.ChatGoogleGenerativeAI``: the
same LangChain inputs through both, against the local recorder, send the same
``generateContent`` body; and every Gemini body either sends passes google-genai's own types
(the recorder checks each one: see ``support.check_gemini_body``).

Where the bodies differ on purpose, a function named after the difference turns the peer's body
into ours, with the reason in its docstring; everything else must be equal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_google_genai import ChatGoogleGenerativeAI
from pydantic import BaseModel, Field, ValidationError

from langchain_yescale import ChatYEScaleGemini

from .support import FAKE_KEY, GEMINI_MODEL, PNG_B64, Recorder, check_gemini_body

Body = dict[str, Any]


class GetWeather(BaseModel):
    """Get the current weather in a city."""

    city: str = Field(description="City, e.g. Hanoi")
    unit: str | None = None


def convert(amount: float, currency: str = "USD") -> str:
    """Convert an amount of money."""
    return f"{amount} {currency}"


def configure(options: dict) -> str:  # type: ignore[type-arg]
    """Apply free-form options."""
    return "ok"


class Settings(BaseModel):
    """Store settings."""

    name: str
    values: dict[str, Any] = Field(description="Any settings")


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


JOKE_JSON = json.dumps({"setup": "Why?", "punchline": "Because."})
HISTORY = [
    SystemMessage("Answer briefly."),
    HumanMessage("Weather in Hanoi?"),
    AIMessage("", tool_calls=[{"name": "GetWeather", "args": {"city": "Hanoi"}, "id": "call_1"}]),
    ToolMessage('{"temperature": 31}', tool_call_id="call_1"),
    HumanMessage("And in Hue?"),
]


# -- the deliberate differences (each turns the peer's body into ours) ---------------------------


def peer_defaults_left_out(peer: Body, settings: dict[str, Any]) -> Body:
    """ChatGoogleGenerativeAI always sends its own defaults: ``candidateCount: 1``, a
    ``temperature`` of 0.7 and an empty ``safetySettings``. We send only what was set, so
    Gemini's defaults apply (the model's own temperature: 1.0 for 2.5 models)."""
    config = peer.get("generationConfig", {})
    if config.get("candidateCount") == 1 and "n" not in settings:
        del config["candidateCount"]
    if "temperature" not in settings and config.get("temperature") == 0.7:
        del config["temperature"]
    if not config:
        peer.pop("generationConfig", None)
    if peer.get("safetySettings") == []:
        del peer["safetySettings"]
    return peer


def mime_type_in_camel_case(peer: Body) -> Body:
    """google-genai writes an inline blob's ``mime_type`` in snake_case (its field's Python
    name); Gemini's REST API spells it ``mimeType``, as we do (it reads both)."""
    for content in peer["contents"]:
        for part in content["parts"]:
            blob = part.get("inlineData")
            if blob and "mime_type" in blob:
                blob["mimeType"] = blob.pop("mime_type")
    return peer


def consecutive_user_turns_merged(peer: Body) -> Body:
    """The peer sends a tool's result and the next user text as two ``user`` contents in a
    row; we merge consecutive turns of one role into one content, as Gemini's turn-taking
    wants (user and model alternate)."""
    merged: list[Body] = []
    for content in peer["contents"]:
        if merged and merged[-1]["role"] == content["role"]:
            merged[-1]["parts"].extend(content["parts"])
        else:
            merged.append(content)
    peer["contents"] = merged
    return peer


def _declarations(body: Body) -> list[Body]:
    return [d for tool in body.get("tools", []) for d in tool.get("functionDeclarations", [])]


def property_ordering_added(peer: Body) -> Body:
    """We add ``propertyOrdering`` (the fields in their declared order) to every object schema:
    Gemini otherwise orders them alphabetically, and the order of a model's fields is often
    the order it should fill them in. The peer does not."""

    def add(schema: Any) -> None:
        if isinstance(schema, dict):
            if schema.get("type") == "OBJECT" and schema.get("properties"):
                schema["propertyOrdering"] = list(schema["properties"])
            for value in schema.values():
                add(value)
        elif isinstance(schema, list):
            for value in schema:
                add(value)

    for declaration in _declarations(peer):
        add(declaration.get("parameters"))
    add(peer.get("generationConfig", {}).get("responseSchema"))
    return peer


def any_tool_without_listing_them(peer: Body) -> Body:
    """``tool_choice="any"``: the peer lists every declared function in
    ``allowedFunctionNames``; we send mode ``ANY`` alone, which allows the same functions
    (all of them) without repeating each name."""
    config = peer["toolConfig"]["functionCallingConfig"]
    assert config["mode"] == "ANY"
    assert sorted(config.pop("allowedFunctionNames")) == sorted(
        d["name"] for d in _declarations(peer)
    )
    return peer


# -- the cases -------------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    call: Callable[[BaseChatModel], object]
    settings: dict[str, Any] = field(default_factory=dict)
    differences: tuple[Callable[[Body], Body], ...] = ()
    answer: list[dict[str, Any]] | None = None
    #: ours runs ``our_call`` instead of ``call`` (one setting spelled differently)
    our_call: Callable[[BaseChatModel], object] | None = None


def image_message(block: dict[str, Any]) -> list[HumanMessage]:
    return [HumanMessage([{"type": "text", "text": "What is this?"}, block])]


def structured(schema: Any, **kwargs: Any) -> Callable[[BaseChatModel], object]:
    return lambda m: m.with_structured_output(schema, **kwargs).invoke("Tell a joke")


CASES = [
    Case("plain text", lambda m: m.invoke("Hi")),
    Case("system and user", lambda m: m.invoke([("system", "Be brief."), ("human", "Hi")])),
    Case(
        "multi-turn with tool calls and a tool result",
        lambda m: m.invoke(HISTORY),
        differences=(consecutive_user_turns_merged,),
    ),
    Case(
        "image as base64",
        lambda m: m.invoke(
            image_message({"type": "image", "base64": PNG_B64, "mime_type": "image/png"})
        ),
        differences=(mime_type_in_camel_case,),
    ),
    Case(
        "tools: pydantic, function and dict, choice by name",
        lambda m: m.bind_tools([GetWeather, convert, LOOKUP], tool_choice="convert").invoke("Hi"),
        differences=(property_ordering_added,),
    ),
    Case(
        "tool_choice any",
        lambda m: m.bind_tools([GetWeather, LOOKUP], tool_choice="any").invoke("Hi"),
        differences=(property_ordering_added, any_tool_without_listing_them),
    ),
    Case(
        "tool_choice auto",
        lambda m: m.bind_tools([GetWeather], tool_choice="auto").invoke("Hi"),
        differences=(property_ordering_added,),
    ),
    Case(
        "a tool with a free-form dict argument",
        lambda m: m.bind_tools([configure]).invoke("Hi"),
        differences=(property_ordering_added,),
    ),
    Case(
        "a pydantic tool with a free-form dict field",
        lambda m: m.bind_tools([Settings]).invoke("Hi"),
        differences=(property_ordering_added,),
    ),
    Case("no tools", lambda m: m.bind_tools([]).invoke("Hi")),
    Case(
        "structured output: json_schema (ours: response_json_schema, the same request)",
        structured(Joke, method="json_schema"),
        our_call=structured(Joke, method="response_json_schema"),
        answer=[{"text": JOKE_JSON}],
    ),
    Case(
        "structured output: function_calling",
        structured(Joke, method="function_calling"),
        differences=(property_ordering_added,),
    ),
    Case(
        "sampling and length settings",
        lambda m: m.invoke("Hi"),
        settings={"temperature": 0.2, "max_tokens": 64, "stop": ["END"], "seed": 7, "top_p": 0.5},
    ),
    Case("streaming", lambda m: list(m.stream("Hi"))),
]


def peer_model(
    recorder: Recorder, model: str = GEMINI_MODEL, **settings: Any
) -> ChatGoogleGenerativeAI:
    return ChatGoogleGenerativeAI(
        model=model,
        google_api_key=FAKE_KEY,  # type: ignore[arg-type]
        base_url=recorder.url,
        max_retries=0,
        **settings,
    )


def our_model(recorder: Recorder, model: str = GEMINI_MODEL, **settings: Any) -> ChatYEScaleGemini:
    return ChatYEScaleGemini(
        model=model, api_key=FAKE_KEY, base_url=recorder.url, max_retries=0, **settings
    )


def bodies(recorder: Recorder, call: Callable[[], object]) -> list[Body]:
    """The JSON bodies of the requests ``call`` makes (each checked with google-genai's types
    by the recorder)."""
    recorder.take()
    call()
    return [request.json() for request in recorder.take()]


def expected_from(peer: Body, case: Case) -> Body:
    body = peer_defaults_left_out(peer, case.settings)
    for difference in case.differences:
        body = difference(body)
    return body


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_body_as_chatgooglegenerativeai(recorder: Recorder, case: Case) -> None:
    if case.answer is not None:
        recorder.gemini_parts = case.answer
    peer = bodies(recorder, lambda: case.call(peer_model(recorder, **case.settings)))
    our_call = case.our_call or case.call
    ours = bodies(recorder, lambda: our_call(our_model(recorder, **case.settings)))
    assert peer
    assert ours == [expected_from(body, case) for body in peer]


def test_image_by_url_fetched_and_sent_inline(recorder: Recorder) -> None:
    """Both fetch an image URL themselves and send the bytes inline (Gemini cannot read an
    arbitrary URL); the fetch carries no key."""
    message = image_message({"type": "image", "url": f"{recorder.url}/cat.png"})
    recorder.take()
    peer_model(recorder).invoke(message)
    peer = [s for s in recorder.server.seen if s.method == "POST"][-1].json()
    assert recorder.take()
    our_model(recorder).invoke(message)
    fetches = [s for s in recorder.server.seen if s.method == "GET"]
    assert fetches[-1].path == "/cat.png"
    assert "x-goog-api-key" not in fetches[-1].headers
    ours = [s for s in recorder.server.seen if s.method == "POST"][-1].json()
    case = Case("image by URL", lambda m: None, differences=(mime_type_in_camel_case,))
    assert ours == expected_from(peer, case)


def test_default_structured_output_is_a_gemini_schema(recorder: Recorder) -> None:
    """Our default ``json_schema`` method translates the schema to Gemini's ``responseSchema``
    (which every Gemini model takes); the peer's sends it as ``responseJsonSchema`` (2.5 and
    later), which ours sends with ``method="response_json_schema"`` (compared above). The
    translated schema passes google-genai's ``Schema`` type."""
    recorder.gemini_parts = [{"text": JOKE_JSON}]
    body = recorder.sent(lambda: structured(Joke)(our_model(recorder)))
    config = body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseSchema"] == {
        "type": "OBJECT",
        "description": "A joke.",
        "properties": {
            "setup": {"type": "STRING", "description": "The setup"},
            "punchline": {"type": "STRING", "nullable": True},
        },
        "propertyOrdering": ["setup", "punchline"],
        "required": ["setup"],
    }


# -- thought signatures on text (issue 15, item 3a) -----------------------------------------------

SIGNATURE = "c2lnbmF0dXJlLW9mLXRoZS10ZXh0"


@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
def test_text_thought_signature_sent_back_like_the_peer(recorder: Recorder, streamed: bool) -> None:
    """Gemini puts a ``thoughtSignature`` on a text part; the next turn must send the text back
    with it. The peer keeps it, and so do we (on the AIMessage, then on the wire)."""
    recorder.gemini_parts = [{"text": "Hello!", "thoughtSignature": SIGNATURE}]

    def two_turns(model: BaseChatModel) -> None:
        if streamed:
            answer: Any = None
            for chunk in model.stream("Hi"):
                answer = chunk if answer is None else answer + chunk
        else:
            answer = model.invoke("Hi")
        model.invoke([HumanMessage("Hi"), answer, HumanMessage("And then?")])

    peer = bodies(recorder, lambda: two_turns(peer_model(recorder)))
    ours = bodies(recorder, lambda: two_turns(our_model(recorder)))
    second = expected_from(peer[1], Case("", lambda m: None))
    assert second["contents"][1] == {
        "role": "model",
        "parts": [{"text": "Hello!", "thoughtSignature": SIGNATURE}],
    }
    assert ours[1] == second


async def test_text_thought_signature_sent_back_async(recorder: Recorder) -> None:
    recorder.gemini_parts = [{"text": "Hello!", "thoughtSignature": SIGNATURE}]
    model = our_model(recorder)
    answer = await model.ainvoke("Hi")
    recorder.take()
    await model.ainvoke([HumanMessage("Hi"), answer, HumanMessage("And then?")])
    (request,) = recorder.take()
    assert request.json()["contents"][1]["parts"] == [
        {"text": "Hello!", "thoughtSignature": SIGNATURE}
    ]


# -- free-form dict arguments (issue 15, item 3b) -------------------------------------------------


def test_free_form_dict_tool_sent_as_an_object(recorder: Recorder) -> None:
    """``def f(options: dict)`` and a ``dict[str, Any]`` field go to Gemini as ``OBJECT``
    schemas without properties, as the peer sends them: Gemini takes any object there."""
    body = recorder.sent(lambda: our_model(recorder).bind_tools([configure, Settings]).invoke("Hi"))
    configure_decl, settings_decl = _declarations(body)
    assert configure_decl["parameters"]["properties"] == {"options": {"type": "OBJECT"}}
    assert settings_decl["parameters"]["properties"]["values"] == {
        "type": "OBJECT",
        "description": "Any settings",
    }


# -- google-genai's check itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"contents": [{"role": "user", "parts": [{"text": "Hi", "bogus": 1}]}]},
        {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}], "bogus": {}},
        {
            "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
            "generationConfig": {"maxTokens": 5},
        },
        {
            "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
            "tools": [{"functionDeclarations": [{"name": "f", "parameters": {"kind": "x"}}]}],
        },
        {
            "contents": [
                {"role": "user", "parts": [{"inlineData": {"data": "@@@", "mimeType": "x"}}]}
            ]
        },
    ],
    ids=["unknown part field", "unknown top field", "OpenAI spelling", "bad schema", "bad base64"],
)
def test_gemini_check_refuses_what_gemini_does_not_know(body: Body) -> None:
    with pytest.raises((ValidationError, AssertionError)):
        check_gemini_body(body)

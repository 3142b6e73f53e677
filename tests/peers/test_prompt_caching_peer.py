"""Prompt caching against the peer ``langchain_openai.ChatOpenAI``, on the local recorder.

Without any ``cache_control`` in the input, ``ChatYEScale`` sends the body ``ChatOpenAI`` sends,
with the caching switch off and on, for a Claude model too: the switch changes nothing until a
breakpoint is given. With breakpoints, the differences are on purpose and asserted here:

- ``ChatOpenAI`` passes the content blocks of system, human and tool messages on as they are, so
  it sends ``cache_control`` on their text parts (and on an ``image_url`` part) whatever the model:
  with ``prompt_caching=True`` (Claude) our text parts are the same; with the switch off we leave
  it out (and warn once), as the gateway is not documented to take it; on a non-text part we
  refuse it (breakpoints travel on text parts);
- ``ChatOpenAI`` sends an AI message's text blocks with ``type`` and ``text`` only; we keep the
  breakpoint;
- ``ChatOpenAI`` loses ``cache_control`` from an Anthropic-format tool dict (its conversion to an
  OpenAI tool drops it) and keeps it on an OpenAI-format one; we keep it on both, at the tool's
  top level (the neutral convention);
- ``ChatOpenAI`` refuses a ``cache_control=`` call argument (the OpenAI SDK's ``TypeError``); we do
  what langchain-anthropic's argument asks for, a breakpoint on the last text of the last message.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_openai import ChatOpenAI

from langchain_yescale import ChatYEScale
from yescale import InvalidRequestError
from yescale.integration import caching

from .support import FAKE_KEY, Recorder

Body = dict[str, Any]
CLAUDE = "claude-sonnet-4-5"
EPHEMERAL = {"type": "ephemeral"}
LONG = "Rules of the house. " * 50

LOOKUP = {
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look a word up.",
        "parameters": {"type": "object", "properties": {"word": {"type": "string"}}},
    },
}
#: the same tool in Anthropic's format, marked as langchain-anthropic's docs mark a tool
LOOKUP_ANTHROPIC = {
    "name": "lookup",
    "description": "Look a word up.",
    "input_schema": {"type": "object", "properties": {"word": {"type": "string"}}},
    "cache_control": EPHEMERAL,
}

HISTORY = [
    SystemMessage("Be brief."),
    HumanMessage("What is the weather in Hanoi?"),
    AIMessage(
        "",
        tool_calls=[
            {"name": "lookup", "args": {"word": "Hanoi"}, "id": "call_1", "type": "tool_call"}
        ],
    ),
    ToolMessage("Sunny", tool_call_id="call_1"),
]

#: framework calls without any breakpoint
PLAIN: dict[str, Callable[[BaseChatModel], object]] = {
    "text": lambda m: m.invoke("Hi"),
    "system and text blocks": lambda m: m.invoke(
        [SystemMessage([{"type": "text", "text": LONG}]), HumanMessage("Hi")]
    ),
    "history with a tool call": lambda m: m.invoke(HISTORY),
    "tools": lambda m: m.bind_tools([LOOKUP], tool_choice="auto").invoke("Hi"),
    "stream": lambda m: list(m.stream("Hi")),
}

#: the same input with breakpoints on a system block and a human text block
MARKED = [
    SystemMessage([{"type": "text", "text": LONG, "cache_control": EPHEMERAL}]),
    HumanMessage(
        [
            {
                "type": "text",
                "text": "A long document.",
                "cache_control": {**EPHEMERAL, "ttl": "1h"},
            },
            {"type": "text", "text": "What does it say?"},
        ]
    ),
    AIMessage("It says hi."),
    HumanMessage("And then?"),
]


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    caching.forget_warnings()
    yield
    caching.forget_warnings()


def peer(recorder: Recorder) -> ChatOpenAI:
    return ChatOpenAI(
        model=CLAUDE,
        api_key=FAKE_KEY,  # type: ignore[arg-type]
        base_url=f"{recorder.url}/v1",
        max_retries=0,
        stream_usage=True,
    )


def ours(recorder: Recorder, **settings: Any) -> ChatYEScale:
    return ChatYEScale(
        model=CLAUDE, api_key=FAKE_KEY, base_url=recorder.url, max_retries=0, **settings
    )


def bodies(recorder: Recorder, call: Callable[[], object]) -> list[Body]:
    recorder.take()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call()
    return [request.json() for request in recorder.take()]


def stream_false_left_out(body: Body) -> Body:
    """The client's method says whether it streams: ``"stream": false`` is not sent."""
    if body.get("stream") is False:
        body = {k: v for k, v in body.items() if k != "stream"}
    return body


def without_cache_control(value: Any) -> Any:
    """``value`` with every ``cache_control`` left out (what the switch off sends)."""
    if isinstance(value, dict):
        return {k: without_cache_control(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [without_cache_control(v) for v in value]
    return value


@pytest.mark.parametrize("name", list(PLAIN))
@pytest.mark.parametrize("switch", [False, True])
def test_without_breakpoints_the_body_is_chatopenais(
    recorder: Recorder, name: str, switch: bool
) -> None:
    call = PLAIN[name]
    expected = [stream_false_left_out(b) for b in bodies(recorder, lambda: call(peer(recorder)))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing dropped, nothing to warn about
        got = bodies(recorder, lambda: call(ours(recorder, prompt_caching=switch)))
    assert got == expected


def test_breakpoints_on_text_parts_are_chatopenais_with_the_switch_on(recorder: Recorder) -> None:
    expected = stream_false_left_out(recorder.sent(lambda: peer(recorder).invoke(MARKED)))
    got = recorder.sent(lambda: ours(recorder, prompt_caching=True).invoke(MARKED))
    assert got == expected
    # the convention, spelled out: system as text parts, marks on the parts that had them
    assert got["messages"][0]["content"][0]["cache_control"] == EPHEMERAL
    assert got["messages"][1]["content"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert "cache_control" not in got["messages"][1]["content"][1]


def test_breakpoint_on_an_ai_text_block_kept(recorder: Recorder) -> None:
    """The difference on purpose: ChatOpenAI sends an AI message's text blocks with ``type`` and
    ``text`` only; we keep the breakpoint (Anthropic caches up to an assistant block too)."""
    messages = [
        HumanMessage("Hi"),
        AIMessage([{"type": "text", "text": "Hello.", "cache_control": EPHEMERAL}]),
        HumanMessage("And then?"),
    ]
    peer_body = stream_false_left_out(recorder.sent(lambda: peer(recorder).invoke(messages)))
    assert peer_body["messages"][1]["content"] == [{"type": "text", "text": "Hello."}]
    got = recorder.sent(lambda: ours(recorder, prompt_caching=True).invoke(messages))
    expected = copy.deepcopy(peer_body)
    expected["messages"][1]["content"][0]["cache_control"] = EPHEMERAL
    assert got == expected


def test_switch_off_leaves_the_breakpoints_out_and_warns_once(recorder: Recorder) -> None:
    """The difference on purpose: ChatOpenAI sends them whatever the model; we do not, until
    ``prompt_caching=True`` says the gateway takes them, and say so once."""
    peer_body = stream_false_left_out(recorder.sent(lambda: peer(recorder).invoke(MARKED)))
    assert "cache_control" in str(peer_body)
    llm = ours(recorder)
    recorder.take()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        llm.invoke(MARKED)
        llm.invoke(MARKED)
    (warned,) = [w for w in caught if "cache_control" in str(w.message)]  # once
    assert "prompt_caching=True" in str(warned.message)
    assert warned.filename == __file__  # it points at the caller's line
    (first, second) = [r.json() for r in recorder.take()]
    assert first == second == without_cache_control(peer_body)


def test_anthropic_format_tool_keeps_its_breakpoint(recorder: Recorder) -> None:
    """The difference on purpose: ChatOpenAI's tool conversion drops the tool's
    ``cache_control``; we keep it beside ``type`` / ``function``."""

    def call(m: BaseChatModel) -> object:
        return m.bind_tools([LOOKUP_ANTHROPIC]).invoke("Hi")

    peer_body = stream_false_left_out(recorder.sent(lambda: call(peer(recorder))))
    assert "cache_control" not in peer_body["tools"][0]
    got = recorder.sent(lambda: call(ours(recorder, prompt_caching=True)))
    expected = copy.deepcopy(peer_body)
    expected["tools"][0]["cache_control"] = EPHEMERAL
    assert got == expected


def test_openai_format_tool_breakpoint_is_chatopenais(recorder: Recorder) -> None:
    tool = {**LOOKUP, "cache_control": EPHEMERAL}

    def call(m: BaseChatModel) -> object:
        return m.bind_tools([tool]).invoke("Hi")

    peer_body = stream_false_left_out(recorder.sent(lambda: call(peer(recorder))))
    assert recorder.sent(lambda: call(ours(recorder, prompt_caching=True))) == peer_body
    # switch off: the tool goes without it
    with pytest.warns(UserWarning, match="dropped the cache_control"):
        off = recorder.sent(lambda: call(ours(recorder)))
    assert off == without_cache_control(peer_body)


def test_cache_control_argument_marks_the_last_text(recorder: Recorder) -> None:
    """The difference on purpose: ChatOpenAI refuses a ``cache_control`` argument (the OpenAI
    SDK's ``TypeError``, before any request); we turn langchain-anthropic's argument into a
    breakpoint on the last text of the last message (bound through ``bind_tools`` too, as
    langchain-anthropic passes it on)."""
    messages = [SystemMessage(LONG), HumanMessage("Hi")]
    recorder.take()
    with pytest.raises(TypeError, match="cache_control"):
        peer(recorder).invoke(messages, cache_control=EPHEMERAL)
    assert recorder.take() == []
    peer_body = stream_false_left_out(recorder.sent(lambda: peer(recorder).invoke(messages)))
    llm = ours(recorder, prompt_caching=True)
    got = recorder.sent(lambda: llm.invoke(messages, cache_control=EPHEMERAL))
    expected = copy.deepcopy(peer_body)
    expected["messages"][-1]["content"] = [
        {"type": "text", "text": "Hi", "cache_control": EPHEMERAL}
    ]
    assert got == expected
    bound = llm.bind_tools([LOOKUP], cache_control=EPHEMERAL)
    with_tools = recorder.sent(lambda: bound.invoke(messages))
    assert "cache_control" not in with_tools
    assert with_tools["messages"][-1]["content"][0]["cache_control"] == EPHEMERAL


def test_breakpoint_on_an_image_refused_before_any_request(recorder: Recorder) -> None:
    """ChatOpenAI sends ``cache_control`` on an ``image_url`` part; breakpoints travel on text
    parts only here, so we refuse it, saying where to put it."""
    message = HumanMessage(
        [
            {
                "type": "image_url",
                "image_url": {"url": "https://x.test/a.png"},
                "cache_control": EPHEMERAL,
            }
        ]
    )
    assert "cache_control" in str(recorder.sent(lambda: peer(recorder).invoke([message])))
    recorder.take()
    with pytest.raises(InvalidRequestError, match="text block after this one"):
        ours(recorder, prompt_caching=True).invoke([message])
    assert recorder.take() == []


def test_switch_on_refuses_breakpoints_for_other_families(recorder: Recorder) -> None:
    recorder.take()
    for model, hint in (("gpt-4o-mini", "cache prompts"), ("gemini-2.5-flash", "cached_content")):
        llm = ChatYEScale(
            model=model, api_key=FAKE_KEY, base_url=recorder.url, max_retries=0, prompt_caching=True
        )
        with pytest.raises(InvalidRequestError, match=hint):
            llm.invoke(MARKED)
        llm.invoke("Hi")  # nothing to cache: sent as usual
    assert len(recorder.take()) == 2

"""OpenAI-format chat <-> Anthropic Messages: every translation rule, both ways, no HTTP."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from yescale.errors import InvalidRequestError, InvalidResponseError
from yescale.resources.messages import build_call
from yescale.resources.messages_chat import messages_call
from yescale.translate.anthropic_answers import (
    AnthropicChunkTranslator,
    anthropic_usage,
    finish_reason,
    from_anthropic_message,
)
from yescale.translate.anthropic_chat import (
    to_anthropic_request,
    to_anthropic_tool_choice,
    to_anthropic_tools,
)
from yescale.translate.anthropic_params import chat_params
from yescale.types.chat import ChatCompletionChunk
from yescale.types.message_events import MessageStreamEvent
from yescale.types.messages import Message, MessageUsage

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n-not-really").decode()
PDF = base64.b64encode(b"%PDF-1.4 synth").decode()
EPHEMERAL = {"type": "ephemeral"}
SIGNATURE = base64.b64encode(b"sig-1").decode()
REDACTED = base64.b64encode(b"redacted-1").decode()
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
USER = {"role": "user", "content": "Weather in Paris?"}


def request(messages: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    return to_anthropic_request(messages, **kwargs)


def call(tool_id: str = "toolu_1", arguments: str = '{"city": "Paris"}') -> dict[str, Any]:
    return {
        "id": tool_id,
        "type": "function",
        "function": {"name": "get_weather", "arguments": arguments},
    }


# -- request: system ------------------------------------------------------------------------------


def test_system_and_developer_messages_become_system() -> None:
    out = request([{"role": "system", "content": "Be brief."}, USER])
    assert out["system"] == "Be brief."
    out = request(
        [{"role": "developer", "content": "A."}, USER, {"role": "system", "content": "B."}]
    )
    assert out["system"] == [{"type": "text", "text": "A."}, {"type": "text", "text": "B."}]
    assert out["messages"] == [USER]


def test_system_cache_control_is_kept() -> None:
    system = {
        "role": "system",
        "content": [
            {"type": "text", "text": "Rules."},
            {"type": "text", "text": "Manual.", "cache_control": EPHEMERAL},
        ],
    }
    assert request([system, USER])["system"] == [
        {"type": "text", "text": "Rules."},
        {"type": "text", "text": "Manual.", "cache_control": EPHEMERAL},
    ]


def test_system_images_are_refused() -> None:
    image = {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}
    with pytest.raises(InvalidRequestError, match="system prompt is text only"):
        request([{"role": "system", "content": [image]}, USER])


def test_system_param_comes_after_system_messages() -> None:
    out = messages_call(
        [{"role": "system", "content": "A."}, USER], None, None, {"max_tokens": 9, "system": "B."}
    )
    assert out["system"] == [{"type": "text", "text": "A."}, {"type": "text", "text": "B."}]


# -- request: user content ------------------------------------------------------------------------


def test_user_text_parts_keep_cache_control() -> None:
    content = [{"type": "text", "text": "Long doc", "cache_control": EPHEMERAL}]
    out = request([{"role": "user", "content": content}])
    assert out["messages"][0]["content"] == [
        {"type": "text", "text": "Long doc", "cache_control": EPHEMERAL}
    ]


def test_images_data_urls_and_http_urls() -> None:
    content = [
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        {"type": "image_url", "image_url": {"url": "https://x.test/cat.jpg", "detail": "high"}},
        {"type": "text", "text": "Compare."},
    ]
    blocks = request([{"role": "user", "content": content}])["messages"][0]["content"]
    assert blocks[0] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": PNG},
    }
    assert blocks[1] == {
        "type": "image",
        "source": {"type": "url", "url": "https://x.test/cat.jpg"},
    }


@pytest.mark.parametrize(
    ("part", "said"),
    [
        ({"type": "image_url", "image_url": {"url": "ftp://x/a.png"}}, "neither a data: URL"),
        ({"type": "image_url", "image_url": {"url": "data:image/png;base64,@@@"}}, "invalid"),
        ({"type": "input_audio", "input_audio": {"data": "AAA=", "format": "wav"}}, "audio"),
        ({"type": "file", "file": {"file_id": "file-1"}}, "inline"),
        (
            {"type": "file", "file": {"file_data": "data:text/csv;base64,YSxi"}},
            "PDF documents",
        ),
    ],
    ids=["ftp", "bad-base64", "audio", "file-id", "csv"],
)
def test_parts_claude_cannot_take_are_refused(part: dict[str, Any], said: str) -> None:
    with pytest.raises(InvalidRequestError, match=said):
        request([{"role": "user", "content": [part]}])


def test_pdf_file_becomes_a_document() -> None:
    part = {"type": "file", "file": {"file_data": f"data:application/pdf;base64,{PDF}"}}
    (block,) = request([{"role": "user", "content": [part]}])["messages"][0]["content"]
    assert block == {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
    }


def test_consecutive_turns_of_one_role_are_merged() -> None:
    out = request([USER, {"role": "user", "content": "And Rome?"}])
    assert out["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Weather in Paris?"},
                {"type": "text", "text": "And Rome?"},
            ],
        }
    ]


# -- request: assistant and tools -----------------------------------------------------------------

THINKING_BLOCKS = [
    {"type": "thinking", "thinking": "Call the tool.", "signature": SIGNATURE},
    {"type": "redacted_thinking", "data": REDACTED},
]


def assistant(**fields: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": "", **fields}


def test_assistant_thinking_goes_first_then_text_then_tool_use() -> None:
    turn = assistant(
        content="Let me look.",
        reasoning_content="Call the tool.",
        tool_calls=[call()],
        extra_content={"anthropic": {"thinking": THINKING_BLOCKS}},
    )
    out = request([USER, turn, {"role": "tool", "tool_call_id": "toolu_1", "content": "18C"}])
    assert out["messages"][1]["content"] == [
        *THINKING_BLOCKS,
        {"type": "text", "text": "Let me look."},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
    ]


def test_a_streamed_thinking_block_takes_its_text_from_reasoning_content() -> None:
    signed_only = [{"type": "thinking", "signature": SIGNATURE, "index": 0}]
    turn = assistant(
        reasoning_content="Call the tool.",
        tool_calls=[call()],
        extra_content={"anthropic": {"thinking": signed_only}},
    )
    out = request([USER, turn, {"role": "tool", "tool_call_id": "toolu_1", "content": "18C"}])
    assert out["messages"][1]["content"][0] == THINKING_BLOCKS[0]


def test_reasoning_without_a_signature_is_not_sent() -> None:
    turn = assistant(content="Hi.", reasoning_content="unsigned thoughts")
    assert request([USER, turn])["messages"][1] == {"role": "assistant", "content": "Hi."}


def test_tool_call_arguments_must_be_a_json_object() -> None:
    turn = assistant(tool_calls=[call(arguments="[1, 2]")])
    with pytest.raises(InvalidRequestError, match="not a JSON object"):
        request([USER, turn])
    turn = assistant(tool_calls=[{**call(), "function": {"name": "f", "arguments": {"a": 1}}}])
    assert request([USER, turn])["messages"][1]["content"][0]["input"] == {"a": 1}
    turn = assistant(tool_calls=[call(arguments="")])
    assert request([USER, turn])["messages"][1]["content"][0]["input"] == {}


def test_tool_results_are_merged_into_one_user_turn_first() -> None:
    image = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}
    messages = [
        USER,
        assistant(tool_calls=[call("t1"), call("t2")]),
        {"role": "user", "content": "Hurry."},
        {"role": "tool", "tool_call_id": "t1", "content": "18C"},
        {
            "role": "tool",
            "tool_call_id": "t2",
            "content": [{"type": "text", "text": "map:"}, image],
            "is_error": True,
        },
    ]
    out = request(messages)
    assert len(out["messages"]) == 3
    turn = out["messages"][2]
    assert turn["role"] == "user"
    assert [b["type"] for b in turn["content"]] == ["tool_result", "tool_result", "text"]
    assert turn["content"][0] == {"type": "tool_result", "tool_use_id": "t1", "content": "18C"}
    second = turn["content"][1]
    assert second["is_error"] is True
    assert second["content"][1]["source"]["type"] == "base64"
    # the whole request passes the Messages API's own checks
    build_call("claude-sonnet-4-5", 64, out["messages"], {}, stream=False)


def test_a_tool_result_needs_its_call_id() -> None:
    with pytest.raises(InvalidRequestError, match="tool_call_id"):
        request([USER, {"role": "tool", "content": "x"}])


def test_unknown_roles_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="role 'function'"):
        request([USER, {"role": "function", "name": "f", "content": "x"}])
    with pytest.raises(InvalidRequestError, match="at least one user message"):
        request([{"role": "system", "content": "only"}])


def test_tools_translate_and_keep_cache_control() -> None:
    bare = {"type": "function", "function": {"name": "ping"}}
    cached = {**TOOL, "cache_control": EPHEMERAL}
    server = {"type": "web_search_20250305", "name": "web_search", "max_uses": 2}
    native = {"name": "n", "input_schema": {"type": "object"}}
    assert to_anthropic_tools([cached, bare, server, native]) == [
        {
            "name": "get_weather",
            "description": "Weather in a city.",
            "input_schema": TOOL["function"]["parameters"],  # type: ignore[index]
            "cache_control": EPHEMERAL,
        },
        {"name": "ping", "input_schema": {"type": "object", "properties": {}}},
        server,
        native,
    ]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("auto", {"type": "auto"}),
        ("none", {"type": "none"}),
        ("required", {"type": "any"}),
        ("any", {"type": "any"}),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            {"type": "tool", "name": "get_weather"},
        ),
        ({"type": "tool", "name": "x"}, {"type": "tool", "name": "x"}),
    ],
)
def test_tool_choice(given: Any, expected: dict[str, Any]) -> None:
    assert to_anthropic_tool_choice(given) == expected


def test_unknown_tool_choice_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="Unknown tool_choice"):
        to_anthropic_tool_choice("sometimes")


def test_parallel_tool_calls_false_disables_parallel_use() -> None:
    out = request([USER], tools=[TOOL], parallel_tool_calls=False)
    assert out["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    out = request([USER], tools=[TOOL], tool_choice="required", parallel_tool_calls=False)
    assert out["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}
    out = request([USER], tools=[TOOL], tool_choice="none", parallel_tool_calls=False)
    assert out["tool_choice"] == {"type": "none"}
    assert "tool_choice" not in request([USER], tools=[TOOL], parallel_tool_calls=True)


def test_forcing_a_tool_without_tools_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="no tools were given"):
        request([USER], tool_choice="required")
    assert "tool_choice" not in request([USER], tool_choice="auto")


# -- request: parameters --------------------------------------------------------------------------


def test_max_tokens_is_required() -> None:
    with pytest.raises(InvalidRequestError, match="max_tokens is required"):
        chat_params({"temperature": 0.2})
    assert chat_params({"max_completion_tokens": 50})["max_tokens"] == 50


def test_stop_user_and_passthrough() -> None:
    out = chat_params(
        {
            "max_tokens": 9,
            "stop": "END",
            "user": "u-1",
            "thinking": {"type": "disabled"},
            "stream_options": {"include_usage": True},
        }
    )
    assert out == {
        "max_tokens": 9,
        "stop_sequences": ["END"],
        "metadata": {"user_id": "u-1"},
        "thinking": {"type": "disabled"},
    }
    assert chat_params({"max_tokens": 9, "stop": ["a", "b"]})["stop_sequences"] == ["a", "b"]


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("response_format", {"type": "json_schema"}, "forced tool"),
        ("logprobs", True, "log-probabilities"),
        ("seed", 3, "seed"),
        ("n", 2, "one answer per request"),
    ],
)
def test_openai_only_parameters_are_refused(name: str, value: Any, said: str) -> None:
    with pytest.raises(InvalidRequestError, match=said):
        chat_params({"max_tokens": 9, name: value})


# -- answers --------------------------------------------------------------------------------------

TOOL_TURN: dict[str, Any] = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [
        *THINKING_BLOCKS,
        {"type": "text", "text": "Checking."},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Rome"}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 10,
        "cache_creation_input_tokens": 100,
        "cache_read_input_tokens": 1000,
        "output_tokens": 7,
    },
}
CITATION = {
    "type": "web_search_result_location",
    "url": "https://example.org/euro",
    "title": "Euro",
    "encrypted_index": "ZW5j",
    "cited_text": "Spain won.",
}
DOC_CITATION = {
    "type": "char_location",
    "cited_text": "grass is green",
    "document_index": 0,
    "document_title": "Facts",
    "start_char_index": 0,
    "end_char_index": 14,
}
SEARCH_TURN: dict[str, Any] = {
    "id": "msg_2",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [
        {"type": "text", "text": "Searching."},
        {"type": "server_tool_use", "id": "srv_1", "name": "web_search", "input": {"query": "q"}},
        {
            "type": "web_search_tool_result",
            "tool_use_id": "srv_1",
            "content": [{"type": "web_search_result", "url": "https://example.org/euro"}],
        },
        {"type": "text", "text": "Spain won.", "citations": [CITATION]},
        {"type": "text", "text": " Grass is green.", "citations": [DOC_CITATION]},
    ],
    "stop_reason": "end_turn",
    "usage": {"input_tokens": 5, "output_tokens": 5, "server_tool_use": {"web_search_requests": 1}},
}


def test_a_thinking_and_tool_turn() -> None:
    completion = from_anthropic_message(Message.model_validate(TOOL_TURN))
    choice = completion.choices[0]
    message = choice.message
    assert message.content == "Checking."
    assert message.reasoning_content == "Call the tool."
    assert message.extra_content == {"anthropic": {"thinking": THINKING_BLOCKS}}  # type: ignore[attr-defined]
    assert message.tool_calls is not None
    assert [c.id for c in message.tool_calls] == ["toolu_1", "toolu_2"]
    assert json.loads(message.tool_calls[1].function.arguments or "") == {"city": "Rome"}
    assert choice.finish_reason == "tool_calls"
    assert "content_blocks" not in (message.model_extra or {})  # only when server tools ran
    assert completion.id == "msg_1"
    assert completion.model == "claude-sonnet-4-5"


def test_round_trip_of_a_thinking_and_tool_turn_with_signatures() -> None:
    answer = Message.model_validate(TOOL_TURN)
    reply = from_anthropic_message(answer).choices[0].message.model_dump(exclude_none=True)
    results = [
        {"role": "tool", "tool_call_id": i, "content": "18C"} for i in ("toolu_1", "toolu_2")
    ]
    out = request([USER, reply, *results])
    assert out["messages"][1] == answer.to_param()  # every block back as it came


def test_round_trip_of_server_tool_blocks_and_citations() -> None:
    answer = Message.model_validate(SEARCH_TURN)
    reply = from_anthropic_message(answer).choices[0].message.model_dump(exclude_none=True)
    out = request([USER, reply, {"role": "user", "content": "Thanks."}])
    assert out["messages"][1] == answer.to_param()


def test_citations_become_annotations_on_their_block_span() -> None:
    message = from_anthropic_message(Message.model_validate(SEARCH_TURN)).choices[0].message
    text = message.content
    assert text == "Searching.Spain won. Grass is green."
    url, document = message.annotations  # type: ignore[attr-defined]
    span = url["url_citation"]
    assert url["type"] == "url_citation"
    assert span["url"] == "https://example.org/euro"
    assert text[span["start_index"] : span["end_index"]] == "Spain won."
    assert span["cited_text"] == "Spain won."
    inner = document["document_citation"]
    assert document["type"] == "document_citation"
    assert text[inner["start_index"] : inner["end_index"]] == " Grass is green."
    assert inner["title"] == "Facts"
    assert inner["location"] == DOC_CITATION
    blocks = message.content_blocks  # type: ignore[attr-defined]
    assert [b["type"] for b in blocks] == [
        "text",
        "server_tool_call",
        "server_tool_result",
        "text",
        "text",
    ]
    assert blocks[1] == {
        "type": "server_tool_call",
        "id": "srv_1",
        "name": "web_search",
        "args": {"query": "q"},
    }
    assert blocks[2]["extras"] == {"block_type": "web_search_tool_result"}


def test_a_failed_web_search_is_an_error_result() -> None:
    turn = {
        **SEARCH_TURN,
        "content": [
            {
                "type": "web_search_tool_result",
                "tool_use_id": "srv_1",
                "content": {"type": "web_search_tool_result_error", "error_code": "max_uses"},
            }
        ],
    }
    message = from_anthropic_message(Message.model_validate(turn)).choices[0].message
    assert message.content_blocks[0]["status"] == "error"  # type: ignore[attr-defined]


def test_unknown_blocks_are_kept_as_non_standard_and_go_back() -> None:
    odd = {"type": "container_upload", "file_id": "f1"}
    answer = Message.model_validate({**SEARCH_TURN, "content": [odd]})
    reply = from_anthropic_message(answer).choices[0].message.model_dump(exclude_none=True)
    assert reply["content_blocks"] == [{"type": "non_standard", "value": odd}]
    assert request([USER, reply, USER])["messages"][1]["content"] == [odd]


@pytest.mark.parametrize(
    ("stop", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
        ("pause_turn", "pause_turn"),
        (None, None),
    ],
)
def test_finish_reasons(stop: str | None, finish: str | None) -> None:
    assert finish_reason(stop) == finish


def test_usage_counts_cached_tokens_as_prompt_tokens() -> None:
    usage = anthropic_usage(
        MessageUsage(
            input_tokens=10,
            cache_creation_input_tokens=100,
            cache_read_input_tokens=1000,
            output_tokens=7,
        )
    )
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (1110, 7, 1117)
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 1000
    assert usage.prompt_tokens_details.cache_creation_tokens == 100  # type: ignore[attr-defined]
    assert anthropic_usage(None) is None


# -- stream ---------------------------------------------------------------------------------------


def events_of(message: dict[str, Any]) -> list[Any]:
    """Anthropic's events for ``message``: each text / thinking / JSON in two halves."""

    def halves(text: str) -> list[str]:
        return [text[: len(text) // 2], text[len(text) // 2 :]]

    start = {**message, "content": [], "stop_reason": None, "usage": {"input_tokens": 10}}
    raw: list[dict[str, Any]] = [{"type": "message_start", "message": start}]
    for i, block in enumerate(message["content"]):
        opened = dict(block)
        deltas: list[dict[str, Any]] = []
        if block["type"] == "text":
            opened["text"] = ""
            opened.pop("citations", None)
            deltas += [
                {"type": "citations_delta", "citation": c} for c in block.get("citations", [])
            ]
            deltas += [{"type": "text_delta", "text": t} for t in halves(block["text"])]
        elif block["type"] == "thinking":
            opened.update(thinking="", signature="")
            deltas += [{"type": "thinking_delta", "thinking": t} for t in halves(block["thinking"])]
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        elif block["type"] in ("tool_use", "server_tool_use"):
            opened["input"] = {}
            deltas += [
                {"type": "input_json_delta", "partial_json": t}
                for t in ["", *halves(json.dumps(block["input"]))]
            ]
        raw.append({"type": "content_block_start", "index": i, "content_block": opened})
        raw += [{"type": "content_block_delta", "index": i, "delta": d} for d in deltas]
        raw.append({"type": "content_block_stop", "index": i})
    raw.append(
        {
            "type": "message_delta",
            "delta": {"stop_reason": message["stop_reason"]},
            "usage": message["usage"],
        }
    )
    raw.append({"type": "message_stop"})
    from pydantic import TypeAdapter

    adapter: TypeAdapter[Any] = TypeAdapter(MessageStreamEvent)
    return [adapter.validate_python(e) for e in raw]


def translated(message: dict[str, Any]) -> list[ChatCompletionChunk]:
    translator = AnthropicChunkTranslator()
    chunks = [translator.translate(e) for e in events_of(message)]
    return [c for c in chunks if c is not None]


def folded(chunks: list[ChatCompletionChunk]) -> dict[str, Any]:
    out: dict[str, Any] = {"content": "", "reasoning": "", "calls": {}, "thinking": []}
    out["annotations"] = []
    for chunk in chunks:
        delta = chunk.choices[0].delta.model_dump(exclude_none=True)
        out["content"] += delta.get("content", "")
        out["reasoning"] += delta.get("reasoning_content", "")
        out["thinking"] += delta.get("extra_content", {}).get("anthropic", {}).get("thinking", [])
        out["annotations"] += delta.get("annotations", [])
        for call in delta.get("tool_calls", []):
            into = out["calls"].setdefault(call["index"], {"id": call.get("id"), "args": ""})
            into["args"] += call["function"].get("arguments", "")
    return out


@pytest.mark.parametrize("turn", [TOOL_TURN, SEARCH_TURN], ids=["tools", "search"])
def test_a_stream_says_what_the_whole_answer_says(turn: dict[str, Any]) -> None:
    chunks = translated(turn)
    whole = from_anthropic_message(Message.model_validate(turn)).choices[0].message
    got = folded(chunks)
    assert got["content"] == whole.content
    assert got["reasoning"] == (whole.reasoning_content or "")
    extra = (whole.model_extra or {}).get("extra_content", {"anthropic": {"thinking": []}})
    assert [{k: v for k, v in b.items() if k != "index"} for b in got["thinking"]] == extra[
        "anthropic"
    ]["thinking"]
    assert got["annotations"] == (whole.model_extra or {}).get("annotations", [])
    calls = [(c.id, json.loads(c.function.arguments or "")) for c in whole.tool_calls or []]
    assert [(c["id"], json.loads(c["args"])) for _, c in sorted(got["calls"].items())] == calls


def test_stream_tool_calls_have_stable_indexes_and_fragments() -> None:
    chunks = translated(TOOL_TURN)
    pieces = [
        (c["index"], c.get("id"), c["function"].get("arguments"))
        for chunk in chunks
        for c in chunk.choices[0].delta.model_dump(exclude_none=True).get("tool_calls", [])
    ]
    assert [p[0] for p in pieces] == [0, 0, 0, 1, 1, 1]
    assert pieces[0] == (0, "toolu_1", "")
    assert pieces[3][1] == "toolu_2"
    assert all(p[1] is None for p in pieces if p[2])  # fragments: no id, no name


def test_stream_finish_and_usage_come_once_at_message_stop() -> None:
    chunks = translated(TOOL_TURN)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks if c.choices[0].finish_reason] == [
        "tool_calls"
    ]
    with_usage = [c for c in chunks if c.usage is not None]
    assert with_usage == [chunks[-1]]
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.prompt_tokens == 1110
    translator = AnthropicChunkTranslator()
    for event in events_of(TOOL_TURN)[:-1]:  # no message_stop
        chunk = translator.translate(event)
        assert chunk is None or not chunk.choices[0].finish_reason
    assert not translator.finished


def test_stream_thinking_block_comes_whole_when_it_stops() -> None:
    chunks = translated(TOOL_TURN)
    kept = [
        c.choices[0].delta.extra_content  # type: ignore[attr-defined]
        for c in chunks
        if (c.choices[0].delta.model_extra or {}).get("extra_content")
    ]
    assert kept == [
        {"anthropic": {"thinking": [{**THINKING_BLOCKS[0], "index": 0}]}},
        {"anthropic": {"thinking": [{**THINKING_BLOCKS[1], "index": 1}]}},
    ]


def test_stream_server_blocks_go_out_in_content_blocks() -> None:
    blocks = [
        b
        for c in translated(SEARCH_TURN)
        for b in (c.choices[0].delta.model_extra or {}).get("content_blocks", [])
    ]
    assert [(b["type"], b["index"]) for b in blocks if b["type"] != "text"] == [
        ("server_tool_call", 1),
        ("server_tool_result", 2),
    ]
    texts = [b for b in blocks if b["type"] == "text"]
    assert "".join(b["text"] for b in texts if b["index"] == 3) == "Spain won."
    assert {b["index"] for b in texts} == {3, 4}


def test_stream_events_that_do_not_fit_are_refused() -> None:
    events = events_of(TOOL_TURN)
    translator = AnthropicChunkTranslator()
    translator.translate(events[0])
    with pytest.raises(InvalidResponseError):
        translator.translate(events[2])  # a delta for a block never started

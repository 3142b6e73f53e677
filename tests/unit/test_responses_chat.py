"""OpenAI-format chat <-> OpenAI's Responses API (yescale.translate.responses_*): requests,
parameters, refusals before sending, answers and stream chunks, without HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_openai.chat_models.base import _construct_responses_api_payload
from pydantic import TypeAdapter

from yescale import InvalidRequestError, YEScaleClient
from yescale.resources.responses_chat import responses_call
from yescale.translate.responses_answers import from_response
from yescale.translate.responses_chat import after_last_answer, to_responses_input
from yescale.translate.responses_chunks import ResponsesChunkTranslator
from yescale.translate.responses_params import chat_params
from yescale.types.chat import ChatCompletionChunk
from yescale.types.response_events import ResponseStreamEvent
from yescale.types.responses import Response

EVENT: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}
REASONING = {
    "type": "reasoning",
    "id": "rs_1",
    "summary": [{"type": "summary_text", "text": "Think."}],
    "encrypted_content": "enc",
}


# -- requests, against langchain-openai's own construction ---------------------------------------


def _peer(messages: list[Any], **payload: Any) -> dict[str, Any]:
    return _construct_responses_api_payload(messages, {"model": "gpt-5-mini", **payload})


def test_a_conversation_is_sent_as_chat_openai_sends_it() -> None:
    ai = AIMessage(
        "",
        tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"}],
    )
    image = {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "low"}}
    peer = _peer(
        [
            SystemMessage("Be brief."),
            HumanMessage([{"type": "text", "text": "Look"}, image]),
            AIMessage("Sure."),
            HumanMessage("Weather?"),
            ai,
            ToolMessage("18C", tool_call_id="call_1"),
        ],
        tools=[TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        max_tokens=99,
        reasoning_effort="low",
    )
    ours = responses_call(
        [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Look"}, image]},
            {"role": "assistant", "content": "Sure."},
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": "", "tool_calls": [CALL]},
            {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
        ],
        [TOOL],
        {"type": "function", "function": {"name": "get_weather"}},
        {"max_tokens": 99, "reasoning_effort": "low"},
    )
    peer.pop("model")
    # the peer re-encodes the arguments it parsed; the text is the same JSON
    assert ours == peer


def test_a_stored_answer_goes_back_as_chat_openai_sends_its_blocks() -> None:
    blocks: list[str | dict[Any, Any]] = [
        {**REASONING, "index": 0},
        {"type": "text", "text": "Hi", "annotations": [], "id": "msg_1"},
        {"type": "function_call", "name": "f", "arguments": "{}", "call_id": "c1", "id": "fc_1"},
    ]
    peer = _peer(
        [
            HumanMessage("Hi"),
            AIMessage(blocks, tool_calls=[{"name": "f", "args": {}, "id": "c1"}]),
            ToolMessage("ok", tool_call_id="c1"),
        ]
    )
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    call["extra_content"] = {"openai": {"item_id": "fc_1"}}
    ours = to_responses_input(
        [
            {"role": "user", "content": "Hi"},
            {
                "role": "assistant",
                "content": "Hi",
                "tool_calls": [call],
                "extra_content": {"openai": {"reasoning": [REASONING], "message_id": "msg_1"}},
            },
            {"role": "tool", "tool_call_id": "c1", "content": "ok"},
        ]
    )
    assert ours == peer["input"]


def test_without_storage_only_encrypted_reasoning_and_no_message_ids_go_back() -> None:
    plain = {"type": "reasoning", "id": "rs_2", "summary": []}
    message = {
        "role": "assistant",
        "content": "Hi",
        "extra_content": {"openai": {"reasoning": [REASONING, plain], "message_id": "msg_1"}},
    }
    stateless = to_responses_input([message], store=False)
    assert stateless[0] == REASONING
    assert len(stateless) == 2
    assert "id" not in stateless[1]
    stored = to_responses_input([message])
    assert [i.get("id") for i in stored] == ["rs_1", "rs_2", "msg_1"]


def test_user_parts_and_tool_outputs() -> None:
    items = to_responses_input(
        [
            {
                "role": "user",
                "name": "ann",
                "content": [
                    {"type": "text", "text": "Read"},
                    {"type": "file", "file": {"filename": "a.pdf", "file_data": "data:x"}},
                    {"type": "input_text", "text": "as is"},
                    {"type": "mcp_approval_response", "approve": True, "approval_request_id": "a"},
                ],
            },
            {"role": "tool", "tool_call_id": "c", "content": [{"type": "text", "text": "r"}]},
            {"role": "tool", "tool_call_id": "d", "content": [{"weird": 1}]},
        ]
    )
    assert items[0] == {
        "type": "mcp_approval_response",
        "approve": True,
        "approval_request_id": "a",
    }
    assert items[1] == {
        "type": "message",
        "role": "user",
        "content": [
            {"type": "input_text", "text": "Read"},
            {"type": "input_file", "filename": "a.pdf", "file_data": "data:x"},
            {"type": "input_text", "text": "as is"},
        ],
    }
    assert items[2]["output"] == [{"type": "input_text", "text": "r"}]
    assert items[3]["output"] == '[{"weird": 1}]'


def test_tools_and_tool_choice() -> None:
    image = {"type": "image_generation"}
    call = responses_call(
        [{"role": "user", "content": "x"}],
        [TOOL, {"type": "web_search"}, image],
        "required",
        {},
        stream=True,
    )
    assert call["tools"] == [
        {"type": "function", **TOOL["function"]},  # type: ignore[dict-item]
        {"type": "web_search"},
        {"type": "image_generation", "partial_images": 1},  # as langchain-openai streams it
    ]
    assert call["tool_choice"] == "required"


def test_use_previous_response_id_sends_what_came_after() -> None:
    answer = {
        "role": "assistant",
        "content": "Hi",
        "extra_content": {"openai": {"response_id": "resp_9"}},
    }
    later = {"role": "user", "content": "More"}
    assert after_last_answer([{"role": "user", "content": "Hi"}, answer, later]) == (
        [later],
        "resp_9",
    )
    assert after_last_answer([later]) == ([later], None)
    call = responses_call([answer, later], None, None, {"use_previous_response_id": True})
    assert call == {
        "input": [{"type": "message", "role": "user", "content": "More"}],
        "previous_response_id": "resp_9",
    }


# -- parameters ---------------------------------------------------------------------------------


def test_parameters_are_renamed() -> None:
    out = chat_params(
        {
            "max_completion_tokens": 50,
            "reasoning_effort": "high",
            "reasoning": {"summary": "auto"},
            "response_format": {"type": "json_object"},
            "stream_options": {"include_usage": True},
            "include_usage": True,
            "n": 1,
            "store": False,
            "temperature": 0.5,
            "logprobs": False,
        }
    )
    assert out == {
        "max_output_tokens": 50,
        "reasoning": {"summary": "auto", "effort": "high"},
        "text": {"format": {"type": "json_object"}},
        "store": False,
        "temperature": 0.5,
    }
    nested = {"type": "json_schema", "json_schema": {"name": "a", "schema": {}, "strict": True}}
    assert chat_params({"response_format": nested})["text"] == {
        "format": {"type": "json_schema", "name": "a", "schema": {}, "strict": True}
    }


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"stop": ["##"]}, "no stop sequences"),
        ({"n": 2}, "one answer per request"),
        ({"seed": 1}, "seed"),
        ({"logprobs": True}, "message.output_text.logprobs"),
        ({"max_tokens": 5, "max_output_tokens": 6}, "disagree"),
        ({"reasoning_effort": "low", "reasoning": {"effort": "high"}}, "give it once"),
        ({"response_format": "json"}, "response_format must be a dict"),
    ],
)
def test_what_responses_cannot_do_is_refused_before_sending(
    params: dict[str, Any], says: str
) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    transport = httpx.MockTransport(answer)
    client = YEScaleClient(api_key="k", http_client=httpx.Client(transport=transport))
    with pytest.raises(InvalidRequestError, match=says):
        client.responses.chat.create(
            model="gpt-5-mini", messages=[{"role": "user", "content": "x"}], **params
        )
    with pytest.raises(InvalidRequestError, match=says):
        client.responses.chat.stream(
            model="gpt-5-mini", messages=[{"role": "user", "content": "x"}], **params
        )
    assert sent == []


@pytest.mark.parametrize(
    ("messages", "says"),
    [
        ([{"role": "function", "content": "x"}], "role 'function'"),
        ([{"role": "tool", "content": "x"}], "tool_call_id"),
        ([{"role": "user", "content": [{"type": "input_audio"}]}], "transcribe"),
        ([{"role": "assistant", "content": 3}], "string or a list"),
        ([{"role": "assistant", "content": "", "tool_calls": [{"id": "x"}]}], "tool_calls"),
    ],
)
def test_malformed_messages_are_refused(messages: list[dict[str, Any]], says: str) -> None:
    with pytest.raises(InvalidRequestError, match=says):
        responses_call(messages, None, None, {})


# -- answers ------------------------------------------------------------------------------------


def _response(*output: dict[str, Any], status: str = "completed", **more: Any) -> Response:
    usage = {
        "input_tokens": 10,
        "output_tokens": 5,
        "total_tokens": 15,
        "input_tokens_details": {"cached_tokens": 4},
        "output_tokens_details": {"reasoning_tokens": 3},
    }
    return Response.model_validate(
        {
            "id": "resp_1",
            "created_at": 7,
            "status": status,
            "model": "gpt-5",
            "output": list(output),
            "usage": usage,
            **more,
        }
    )


def _text(text: str, *notes: dict[str, Any], item_id: str = "msg_1") -> dict[str, Any]:
    part = {"type": "output_text", "text": text, "annotations": list(notes)}
    return {"type": "message", "id": item_id, "role": "assistant", "content": [part]}


def test_an_answer_as_a_completion() -> None:
    cite = {
        "type": "url_citation",
        "url": "https://a.test",
        "title": "A",
        "start_index": 0,
        "end_index": 2,
    }
    fc = {"type": "function_call", "id": "fc_1", "call_id": "c1", "name": "f", "arguments": "{}"}
    completion = from_response(
        _response(REASONING, _text("Hi"), _text("Yo", cite, item_id="msg_2"), fc)
    )
    choice = completion.choices[0]
    message = choice.message.model_dump(exclude_none=True)
    assert message["content"] == "HiYo"
    assert message["reasoning_content"] == "Think."
    assert message["annotations"] == [
        {
            "type": "url_citation",
            "url_citation": {
                "url": "https://a.test",
                "title": "A",
                "start_index": 2,
                "end_index": 4,
            },
        }
    ]
    assert message["extra_content"] == {
        "openai": {"reasoning": [REASONING], "response_id": "resp_1", "message_id": "msg_1"}
    }
    assert message["tool_calls"] == [
        {
            "id": "c1",
            "type": "function",
            "function": {"name": "f", "arguments": "{}"},
            "extra_content": {"openai": {"item_id": "fc_1"}},
        }
    ]
    assert "content_blocks" not in message
    assert choice.finish_reason == "tool_calls"
    assert completion.created == 7
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens == 10
    assert usage.completion_tokens == 5
    assert usage.prompt_tokens_details
    assert usage.prompt_tokens_details.cached_tokens == 4
    assert usage.completion_tokens_details
    assert usage.completion_tokens_details.reasoning_tokens == 3


@pytest.mark.parametrize(
    ("status", "reason", "finish"),
    [
        ("incomplete", "max_output_tokens", "length"),
        ("incomplete", "content_filter", "content_filter"),
        ("completed", None, "stop"),
    ],
)
def test_finish_reasons(status: str, reason: str | None, finish: str) -> None:
    details = {"incomplete_details": {"reason": reason}} if reason else {}
    completion = from_response(_response(_text("x"), status=status, **details))
    assert completion.choices[0].finish_reason == finish


def test_built_in_tools_become_standard_blocks_and_go_back() -> None:
    search = {
        "type": "web_search_call",
        "id": "ws_1",
        "status": "completed",
        "action": {"type": "search", "query": "q", "sources": [{"url": "u"}]},
    }
    code = {
        "type": "code_interpreter_call",
        "id": "ci_1",
        "status": "completed",
        "code": "1+1",
        "container_id": "c",
        "outputs": [{"type": "logs", "logs": "2"}],
    }
    image = {
        "type": "image_generation_call",
        "id": "ig_1",
        "status": "completed",
        "result": "iVBOR",
        "revised_prompt": "a cat",
    }
    other = {"type": "mcp_list_tools", "id": "ml_1", "server_label": "s", "tools": []}
    completion = from_response(_response(search, code, image, other, _text("Done")))
    message = completion.choices[0].message.model_dump(exclude_none=True)
    kinds = [b["type"] for b in message["content_blocks"]]
    assert kinds == [
        "server_tool_call",
        "server_tool_result",
        "server_tool_call",
        "server_tool_result",
        "image",
        "non_standard",
        "text",
    ]
    blocks = message["content_blocks"]
    assert blocks[0]["args"] == {"type": "search", "query": "q"}
    assert blocks[1] == {
        "type": "server_tool_result",
        "tool_call_id": "ws_1",
        "status": "success",
        "output": {"sources": [{"url": "u"}]},
    }
    assert blocks[2]["args"] == {"code": "1+1"}
    assert blocks[3]["output"] == code["outputs"]
    assert blocks[4]["base64"] == "iVBOR"
    assert blocks[4]["mime_type"] == "image/png"
    stored = to_responses_input([{**message, "role": "assistant"}])
    assert stored[:5] == [
        search,
        code,
        {"type": "image_generation_call", "id": "ig_1"},
        other,
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Done", "annotations": []}],
            "id": "msg_1",
        },
    ]
    stateless = to_responses_input([{**message, "role": "assistant"}], store=False)
    assert stateless[2] == image


# -- streams ------------------------------------------------------------------------------------


def _events(response: Response) -> list[dict[str, Any]]:
    """A complete stream of ``response`` (each item added whole-less, then deltas, then done)."""
    early: dict[str, Any] = {
        "id": response.id,
        "created_at": 7,
        "status": "in_progress",
        "model": "gpt-5",
        "output": [],
    }
    events: list[dict[str, Any]] = [{"type": "response.created", "response": early}]
    for n, item in enumerate(response.to_input()):
        at = {"output_index": n, "item_id": item.get("id")}
        if item["type"] == "message":
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": n,
                    "item": {**item, "content": []},
                }
            )
            for c, part in enumerate(item["content"]):
                events.append(
                    {
                        "type": "response.content_part.added",
                        **at,
                        "content_index": c,
                        "part": {"type": "output_text", "text": ""},
                    }
                )
                events += [
                    {"type": "response.output_text.delta", **at, "content_index": c, "delta": t}
                    for t in (part["text"][:1], part["text"][1:])
                ]
                events += [
                    {
                        "type": "response.output_text.annotation.added",
                        **at,
                        "content_index": c,
                        "annotation": a,
                    }
                    for a in part["annotations"]
                ]
        elif item["type"] == "function_call":
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": n,
                    "item": {**item, "arguments": ""},
                }
            )
            events.append(
                {"type": "response.function_call_arguments.delta", **at, "delta": item["arguments"]}
            )
        elif item["type"] == "reasoning":
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": n,
                    "item": {**item, "summary": [], "encrypted_content": None},
                }
            )
            for s, part in enumerate(item["summary"]):
                events.append(
                    {
                        "type": "response.reasoning_summary_part.added",
                        **at,
                        "summary_index": s,
                        "part": {"type": "summary_text", "text": ""},
                    }
                )
                events.append(
                    {
                        "type": "response.reasoning_summary_text.delta",
                        **at,
                        "summary_index": s,
                        "delta": part["text"],
                    }
                )
        else:
            events.append({"type": "response.output_item.added", "output_index": n, "item": item})
        events.append({"type": "response.output_item.done", "output_index": n, "item": item})
    events.append({"type": "response.completed", "response": response.to_wire()})
    return events


def _translate(events: list[dict[str, Any]], rich: bool = False) -> list[ChatCompletionChunk]:
    translator = ResponsesChunkTranslator(rich)
    chunks = [translator.translate(EVENT.validate_python(e)) for e in events]
    return [c for c in chunks if c is not None]


def _fold(chunks: list[ChatCompletionChunk]) -> dict[str, Any]:
    from tests.integration.test_responses_chat import merged

    return merged(chunks)


def test_chunks_fold_into_the_whole_answer() -> None:
    two = {
        **REASONING,
        "summary": [{"type": "summary_text", "text": "A"}, {"type": "summary_text", "text": "B"}],
    }
    cite = {
        "type": "url_citation",
        "url": "https://a.test",
        "title": "A",
        "start_index": 0,
        "end_index": 2,
    }
    search = {
        "type": "web_search_call",
        "id": "ws_1",
        "status": "completed",
        "action": {"type": "search", "query": "q"},
    }
    fc = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "c1",
        "name": "f",
        "arguments": '{"a": 1}',
    }
    response = _response(two, search, _text("Hello", cite), fc)
    whole = from_response(response, rich=True)
    chunks = _translate(_events(response), rich=True)
    expected = {
        **whole.choices[0].message.model_dump(exclude_none=True),
        "finish_reason": "tool_calls",
    }
    assert _fold(chunks) == expected
    assert expected["reasoning_content"] == "A\n\nB"
    assert [c.usage is not None for c in chunks].count(True) == 1
    assert chunks[-1].usage == whole.usage
    call = next(c for c in chunks if c.choices[0].delta.tool_calls)
    assert call.choices[0].delta.tool_calls[0].id == "c1"  # type: ignore[index]


def test_items_sent_whole_still_reach_the_chunks() -> None:
    response = _response(
        REASONING,
        _text("Hello"),
        {"type": "function_call", "id": "fc_1", "call_id": "c1", "name": "f", "arguments": "{}"},
    )
    events: list[dict[str, Any]] = [
        {
            "type": "response.created",
            "response": {"id": "resp_1", "status": "in_progress", "output": []},
        }
    ]
    for n, item in enumerate(response.to_input()):
        events.append({"type": "response.output_item.added", "output_index": n, "item": item})
        events.append({"type": "response.output_item.done", "output_index": n, "item": item})
    events.append({"type": "response.completed", "response": response.to_wire()})
    whole = from_response(response)
    assert _fold(_translate(events)) == {
        **whole.choices[0].message.model_dump(exclude_none=True),
        "finish_reason": "tool_calls",
    }


def test_a_cut_stream_never_finishes() -> None:
    events = _events(_response(_text("Hello")))[:-1]
    chunks = _translate(events)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Hello"
    assert not any(c.choices[0].finish_reason for c in chunks)
    assert all(c.usage is None for c in chunks)


def test_events_that_do_not_fit_are_refused() -> None:
    from yescale import InvalidResponseError

    events = _events(_response(_text("Hello")))
    stray = {
        "type": "response.output_text.delta",
        "output_index": 4,
        "content_index": 0,
        "delta": "x",
    }
    with pytest.raises(InvalidResponseError):
        _translate([events[0], stray])
    assert json.dumps(events)  # the fixture itself is plain JSON

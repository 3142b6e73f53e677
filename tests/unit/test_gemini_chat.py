"""OpenAI-format chat <-> Gemini ``generateContent`` (``yescale.translate.gemini_chat``), no
HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from yescale import InvalidRequestError
from yescale.translate.gemini_chat import (
    GeminiChunkTranslator,
    from_gemini_response,
    to_gemini_request,
    to_gemini_tool_config,
    to_gemini_tools,
)
from yescale.types.gemini import GenerateContentResponse

PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather.",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}


def response(**data: Any) -> GenerateContentResponse:
    return GenerateContentResponse.model_validate(data)


# -- requests -------------------------------------------------------------------------------------


def test_roles_system_and_merging() -> None:
    request = to_gemini_request(
        [
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": [{"type": "text", "text": "Answer in English."}]},
            {"role": "user", "content": "Hello"},
            {"role": "user", "content": "Are you there?"},
            {"role": "assistant", "content": "Yes."},
            {"role": "user", "content": "Good."},
        ]
    )
    assert request == {
        "contents": [
            {"role": "user", "parts": [{"text": "Hello"}, {"text": "Are you there?"}]},
            {"role": "model", "parts": [{"text": "Yes."}]},
            {"role": "user", "parts": [{"text": "Good."}]},
        ],
        "system_instruction": {"parts": [{"text": "Be brief."}, {"text": "Answer in English."}]},
    }


def test_empty_text_parts_dropped() -> None:
    request = to_gemini_request(
        [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": ""},
            {"role": "user", "content": [{"type": "text", "text": ""}, "plain"]},
        ]
    )
    assert request["contents"] == [{"role": "user", "parts": [{"text": "Hi"}, {"text": "plain"}]}]


def test_tool_call_round_trip_with_signature() -> None:
    signature = "c2lnbmF0dXJl"
    request = to_gemini_request(
        [
            {"role": "user", "content": "Weather in Hanoi?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location": "Hanoi"}'},
                        "extra_content": {"google": {"thought_signature": signature}},
                    },
                    {
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"location": "Hue"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 31}'},
            {"role": "tool", "tool_call_id": "call_2", "content": "Rainy"},
        ],
        tools=[WEATHER_TOOL],
        tool_choice="auto",
    )
    assert request["contents"][1] == {
        "role": "model",
        "parts": [
            {
                "functionCall": {"name": "get_weather", "args": {"location": "Hanoi"}},
                "thoughtSignature": signature,
            },
            {"functionCall": {"name": "get_weather", "args": {"location": "Hue"}}},
        ],
    }
    # both results in one user turn, JSON objects as is, text wrapped
    assert request["contents"][2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "get_weather", "response": {"temp": 31}}},
            {"functionResponse": {"name": "get_weather", "response": {"result": "Rainy"}}},
        ],
    }
    assert request["tool_config"] == {"functionCallingConfig": {"mode": "AUTO"}}
    assert request["tools"][0]["functionDeclarations"][0]["name"] == "get_weather"


def test_text_signature_sent_back() -> None:
    request = to_gemini_request(
        [
            {"role": "user", "content": "Hi"},
            {
                "role": "assistant",
                "content": "Hello!",
                "extra_content": {"google": {"thought_signature": "c2ln"}},
            },
            {"role": "user", "content": "Bye"},
        ]
    )
    assert request["contents"][1]["parts"] == [{"text": "Hello!", "thoughtSignature": "c2ln"}]


def test_bad_tool_arguments_kept_visible() -> None:
    request = to_gemini_request(
        [
            {"role": "user", "content": "Hi"},
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "c", "function": {"name": "get_weather", "arguments": '{"loc'}}
                ],
            },
            {"role": "tool", "tool_call_id": "c", "content": "Error: bad arguments"},
        ]
    )
    call = request["contents"][1]["parts"][0]["functionCall"]
    assert call == {"name": "get_weather", "args": {"_raw_arguments": '{"loc'}}


def test_tool_result_with_image_and_name_field() -> None:
    request = to_gemini_request(
        [
            {"role": "user", "content": "Draw"},
            {
                "role": "assistant",
                "tool_calls": [{"id": "x", "function": {"name": "draw", "arguments": "{}"}}],
            },
            {"role": "function", "name": "draw", "content": "started"},
            {
                "role": "tool",
                "name": "draw",
                "tool_call_id": "unknown-id",  # the explicit name is enough
                "content": [
                    {"type": "text", "text": "here it is"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
                ],
            },
        ]
    )
    assert request["contents"][2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "draw", "response": {"result": "started"}}},
            {"functionResponse": {"name": "draw", "response": {"result": "here it is"}}},
            # the image the tool returned goes along in the same turn
            {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
        ],
    }


def test_tool_result_without_call_refused() -> None:
    with pytest.raises(InvalidRequestError, match=r"messages\[1\] answers tool call 'nope'"):
        to_gemini_request(
            [
                {"role": "user", "content": "Hi"},
                {"role": "tool", "tool_call_id": "nope", "content": "x"},
            ]
        )


def test_images_inline_fetched_or_by_uri() -> None:
    fetched: list[str] = []

    def fetch(url: str) -> tuple[bytes, str]:
        fetched.append(url)
        return b"\x89PNG", "image/png"

    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Compare"},
                {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{PNG_B64}"}},
                {"type": "image_url", "image_url": "https://example.com/a.png"},
                {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "mp3"}},
                {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERg=="}},
            ],
        }
    ]
    parts = to_gemini_request(messages, fetch=fetch)["contents"][0]["parts"]
    assert parts == [
        {"text": "Compare"},
        {"inlineData": {"mimeType": "image/jpeg", "data": PNG_B64}},
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw=="}},
        {"inlineData": {"mimeType": "audio/mp3", "data": "UklGRg=="}},
        {"inlineData": {"mimeType": "application/pdf", "data": "JVBERg=="}},
    ]
    assert fetched == ["https://example.com/a.png"]
    # without a fetcher a URL is passed by reference
    unfetched = to_gemini_request(messages[:1])["contents"][0]["parts"][2]
    assert unfetched == {
        "fileData": {"mimeType": "image/png", "fileUri": "https://example.com/a.png"}
    }


def test_native_gemini_parts_pass_through() -> None:
    part = {"fileData": {"mimeType": "video/mp4", "fileUri": "gs://bucket/v.mp4"}}
    request = to_gemini_request([{"role": "user", "content": [part]}])
    assert request["contents"][0]["parts"] == [part]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([{"type": "image_url", "image_url": {"url": "data:image/png,notbase64"}}], "base64"),
        ([{"type": "image_url", "image_url": {"url": "data:image/png;base64,@@@"}}], "invalid"),
        ([{"type": "file", "file": {"file_id": "file-1"}}], "file content inline"),
        ([{"type": "refusal", "refusal": "no"}], "cannot take a 'refusal'"),
    ],
)
def test_bad_content_refused(content: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        to_gemini_request([{"role": "user", "content": content}])


def test_bad_roles_and_empty_refused() -> None:
    with pytest.raises(InvalidRequestError, match="role 'critic'"):
        to_gemini_request([{"role": "critic", "content": "x"}])
    with pytest.raises(InvalidRequestError, match="at least one user or assistant"):
        to_gemini_request([{"role": "system", "content": "Only a system prompt"}])


def test_tools_functions_and_native() -> None:
    no_args = {"type": "function", "function": {"name": "now", "parameters": {"type": "object"}}}
    tools = to_gemini_tools([WEATHER_TOOL, no_args, {"googleSearch": {}}, {"urlContext": {}}])
    assert tools == [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "Get the weather.",
                    "parameters": {
                        "type": "OBJECT",
                        "properties": {"location": {"type": "STRING"}},
                        "propertyOrdering": ["location"],
                        "required": ["location"],
                    },
                },
                {"name": "now"},
            ]
        },
        {"googleSearch": {}},
        {"urlContext": {}},
    ]
    assert to_gemini_tools([{"codeExecution": {}}]) == [{"codeExecution": {}}]


@pytest.mark.parametrize(
    ("choice", "config"),
    [
        ("auto", {"functionCallingConfig": {"mode": "AUTO"}}),
        ("none", {"functionCallingConfig": {"mode": "NONE"}}),
        ("required", {"functionCallingConfig": {"mode": "ANY"}}),
        ("any", {"functionCallingConfig": {"mode": "ANY"}}),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}},
        ),
        (
            {"functionCallingConfig": {"mode": "VALIDATED"}},
            {"functionCallingConfig": {"mode": "VALIDATED"}},
        ),
    ],
)
def test_tool_config(choice: Any, config: dict[str, Any]) -> None:
    assert to_gemini_tool_config(choice) == config


def test_unknown_tool_choice_refused() -> None:
    with pytest.raises(InvalidRequestError, match="Unknown tool_choice 'sometimes'"):
        to_gemini_tool_config("sometimes")


# -- answers --------------------------------------------------------------------------------------


def test_answer_with_thoughts_and_usage() -> None:
    completion = from_gemini_response(
        response(
            candidates=[
                {
                    "content": {
                        "role": "model",
                        "parts": [
                            {"text": "Let me think.", "thought": True},
                            {"text": "17 * 23 = 391.", "thoughtSignature": "c2ln"},
                        ],
                    },
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            usageMetadata={
                "promptTokenCount": 8,
                "candidatesTokenCount": 7,
                "thoughtsTokenCount": 40,
                "cachedContentTokenCount": 4,
                "totalTokenCount": 55,
            },
            modelVersion="gemini-2.5-flash",
            responseId="resp-1",
        )
    )
    (choice,) = completion.choices
    assert choice.message.content == "17 * 23 = 391."
    assert choice.message.reasoning_content == "Let me think."
    assert choice.message.model_extra == {
        "extra_content": {"google": {"thought_signature": "c2ln"}}
    }
    assert choice.finish_reason == "stop"
    assert completion.id == "resp-1"
    assert completion.model == "gemini-2.5-flash"
    usage = completion.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (8, 47, 55)
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 40
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 4


def test_reference_answer_without_thoughts() -> None:
    # gemini-thinking.txt: thinkingBudget 0, no thoughtsTokenCount
    completion = from_gemini_response(
        response(
            candidates=[
                {
                    "content": {
                        "parts": [{"text": "That's a fantastic question"}],
                        "role": "model",
                    },
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            usageMetadata={
                "promptTokenCount": 6,
                "candidatesTokenCount": 1353,
                "totalTokenCount": 1359,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 6}],
            },
            modelVersion="gemini-2.5-flash",
            responseId="GOG6aO3iCMuumtkPl8L8wAQ",
        )
    )
    usage = completion.usage
    assert usage is not None
    assert usage.completion_tokens == 1353
    assert usage.completion_tokens_details is None
    assert usage.prompt_tokens_details is None


def test_function_calls_become_tool_calls() -> None:
    completion = from_gemini_response(
        response(
            candidates=[
                {
                    "content": {
                        "role": "model",
                        "parts": [
                            {
                                "functionCall": {
                                    "name": "get_weather",
                                    "args": {"location": "Hanoi"},
                                },
                                "thoughtSignature": "c2ln",
                            },
                            {"functionCall": {"name": "get_weather", "args": {"location": "Hue"}}},
                        ],
                    },
                    "finishReason": "STOP",
                }
            ],
            responseId="r9",
        )
    )
    message = completion.choices[0].message
    assert completion.choices[0].finish_reason == "tool_calls"
    calls = [c.model_dump(exclude_none=True) for c in message.tool_calls or []]
    assert calls == [
        {
            "id": "call_r9_0",
            "type": "function",
            "function": {"name": "get_weather", "arguments": json.dumps({"location": "Hanoi"})},
            "extra_content": {"google": {"thought_signature": "c2ln"}},
        },
        {
            "id": "call_r9_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": json.dumps({"location": "Hue"})},
        },
    ]


@pytest.mark.parametrize(
    ("gemini", "openai"),
    [
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("MALFORMED_FUNCTION_CALL", "stop"),
        ("SOMETHING_NEW", "something_new"),
    ],
)
def test_finish_reasons(gemini: str, openai: str) -> None:
    completion = from_gemini_response(
        response(candidates=[{"finishReason": gemini, "safetyRatings": [{"category": "X"}]}])
    )
    choice = completion.choices[0]
    assert choice.finish_reason == openai
    assert choice.message.content == ""
    assert choice.model_extra is not None
    assert choice.model_extra["gemini_finish_reason"] == gemini
    assert choice.model_extra["safety_ratings"] == [{"category": "X"}]


def test_grounding_and_url_context_kept() -> None:
    grounding = {"webSearchQueries": ["euro 2024"], "groundingChunks": []}
    urls = {"urlMetadata": [{"retrievedUrl": "https://example.com"}]}
    completion = from_gemini_response(
        response(
            candidates=[
                {
                    "content": {"parts": [{"text": "Spain."}]},
                    "finishReason": "STOP",
                    "groundingMetadata": grounding,
                    "urlContextMetadata": urls,
                }
            ]
        )
    )
    extras = completion.choices[0].model_extra
    assert extras is not None
    assert extras["grounding_metadata"] == grounding
    assert extras["url_context_metadata"] == urls


def test_several_candidates_and_blocked_prompt() -> None:
    two = from_gemini_response(
        response(
            candidates=[
                {"content": {"parts": [{"text": "Hi"}]}, "finishReason": "STOP", "index": 0},
                {"content": {"parts": [{"text": "Hello"}]}, "finishReason": "STOP", "index": 1},
            ]
        )
    )
    assert [c.message.content for c in two.choices] == ["Hi", "Hello"]
    assert [c.index for c in two.choices] == [0, 1]

    blocked = from_gemini_response(response(promptFeedback={"blockReason": "SAFETY"}))
    assert blocked.choices[0].finish_reason == "content_filter"
    assert blocked.model_extra is not None
    assert blocked.model_extra["prompt_feedback"] == {"blockReason": "SAFETY"}


def test_other_parts_kept() -> None:
    completion = from_gemini_response(
        response(
            candidates=[
                {
                    "content": {
                        "parts": [
                            {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
                            {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1"}},
                            {"text": "It prints 1."},
                        ]
                    },
                    "finishReason": "STOP",
                }
            ]
        )
    )
    message = completion.choices[0].message
    assert message.content == "It prints 1."
    assert message.model_extra is not None
    assert message.model_extra["gemini_parts"] == [
        {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1"}},
    ]


# -- streams --------------------------------------------------------------------------------------


def test_stream_chunks() -> None:
    usage_so_far = {"promptTokenCount": 5, "candidatesTokenCount": 1, "totalTokenCount": 6}
    final_usage = {
        "promptTokenCount": 5,
        "candidatesTokenCount": 4,
        "thoughtsTokenCount": 9,
        "totalTokenCount": 18,
    }
    translator = GeminiChunkTranslator()
    chunks = [
        translator.translate(
            response(
                candidates=[{"content": {"parts": [{"text": "Thinking", "thought": True}]}}],
                usageMetadata=usage_so_far,
                responseId="s1",
            )
        ),
        translator.translate(
            response(
                candidates=[
                    {
                        "content": {
                            "parts": [
                                {
                                    "functionCall": {"name": "a", "args": {}},
                                    "thoughtSignature": "c2ln",
                                }
                            ]
                        }
                    }
                ],
                usageMetadata=usage_so_far,
                responseId="s1",
            )
        ),
        translator.translate(
            response(
                candidates=[
                    {
                        "content": {"parts": [{"functionCall": {"name": "b", "args": {"x": 1}}}]},
                        "finishReason": "STOP",
                    }
                ],
                usageMetadata=final_usage,
                responseId="s1",
                modelVersion="gemini-2.5-flash",
            )
        ),
    ]
    assert chunks[0].choices[0].delta.reasoning_content == "Thinking"
    assert chunks[0].usage is None  # Gemini's running usage is not repeated
    first_call = chunks[1].choices[0].delta.tool_calls
    second_call = chunks[2].choices[0].delta.tool_calls
    assert first_call is not None
    assert second_call is not None
    assert [c.index for c in first_call + second_call] == [0, 1]
    assert first_call[0].model_extra == {"extra_content": {"google": {"thought_signature": "c2ln"}}}
    assert second_call[0].function.arguments == '{"x": 1}'
    assert chunks[2].choices[0].finish_reason == "tool_calls"
    assert chunks[2].usage is not None
    assert chunks[2].usage.completion_tokens == 13
    assert chunks[2].model == "gemini-2.5-flash"

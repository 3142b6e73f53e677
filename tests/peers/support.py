"""The recorder the peer tests send to, and google-genai's check of a Gemini request body.

The recorder is the fault server of ``tests/faults`` (a real HTTP server on 127.0.0.1) scripted
with one step that answers whatever was asked the way the real service would: an OpenAI chat
completion (or its event stream) on ``/chat/completions``, a Gemini answer (or its event stream)
on ``:generateContent`` / ``:streamGenerateContent``, an Anthropic ``message`` (or its event
stream, when the body asks ``"stream": true``) on ``/v1/messages``, an OpenAI Responses
``response`` (or its event stream) on ``/responses``, and a small PNG on any ``GET`` (image URLs
that both classes fetch). Every request is kept, so a test runs the same framework
input through the peer class and through ours and compares the two bodies.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from typing import Any

from google.genai import types

from tests.faults.conftest import FaultHandler, FaultServer, Seen, reply, reply_json

#: A 1x1 PNG: what the recorder serves on a GET, and the base64 image the tests send.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()
FAKE_KEY = "peer-test-key"
OPENAI_MODEL = "gpt-4o-mini"
GEMINI_MODEL = "gemini-2.5-flash"
CLAUDE_MODEL = "claude-sonnet-4-5"
USAGE = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}


def completion(message: Mapping[str, Any]) -> dict[str, Any]:
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    return {
        "id": "chatcmpl-peer",
        "object": "chat.completion",
        "created": 1,
        "model": OPENAI_MODEL,
        "choices": [{"index": 0, "message": dict(message), "finish_reason": finish}],
        "usage": USAGE,
    }


def completion_events(message: Mapping[str, Any]) -> bytes:
    """``message`` as an OpenAI event stream: one delta, a usage chunk, ``[DONE]``."""
    delta = dict(message)
    if delta.get("tool_calls"):
        delta["tool_calls"] = [{**c, "index": i} for i, c in enumerate(delta["tool_calls"])]
    head = {"id": "chatcmpl-peer", "object": "chat.completion.chunk", "created": 1}
    finish = completion(message)["choices"][0]["finish_reason"]
    chunks = [
        {**head, "model": OPENAI_MODEL, "choices": [{"index": 0, "delta": delta}]},
        {
            **head,
            "model": OPENAI_MODEL,
            "choices": [{"index": 0, "delta": {}, "finish_reason": finish}],
        },
        {**head, "model": OPENAI_MODEL, "choices": [], "usage": USAGE},
    ]
    events = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    return events + b"data: [DONE]\n\n"


def gemini_answer(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5},
        "modelVersion": GEMINI_MODEL,
        "responseId": "resp-peer",
    }


def anthropic_message(content: list[dict[str, Any]]) -> dict[str, Any]:
    """An Anthropic Messages answer with ``content``: ``stop_reason`` ``tool_use`` when a
    ``tool_use`` block is in it, else ``end_turn``."""
    stop = "tool_use" if any(b.get("type") == "tool_use" for b in content) else "end_turn"
    return {
        "id": "msg_peer",
        "type": "message",
        "role": "assistant",
        "model": CLAUDE_MODEL,
        "content": [dict(b) for b in content],
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 2},
    }


def _block_events(index: int, block: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One content block as Anthropic streams it: ``content_block_start`` (the block without
    its streamed part), the deltas, ``content_block_stop``."""
    kind = block.get("type")
    deltas: list[dict[str, Any]] = []
    start = dict(block)
    if kind == "text":
        start = {"type": "text", "text": ""}
        if block.get("citations"):
            start["citations"] = []
            deltas += [{"type": "citations_delta", "citation": c} for c in block["citations"]]
        deltas.insert(0, {"type": "text_delta", "text": block["text"]})
    elif kind in ("tool_use", "server_tool_use"):
        start = {**block, "input": {}}
        deltas.append({"type": "input_json_delta", "partial_json": json.dumps(block["input"])})
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        deltas.append({"type": "thinking_delta", "thinking": block["thinking"]})
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
    # other blocks (redacted_thinking, web_search_tool_result, ...) come whole in the start
    return [
        {"type": "content_block_start", "index": index, "content_block": start},
        *({"type": "content_block_delta", "index": index, "delta": d} for d in deltas),
        {"type": "content_block_stop", "index": index},
    ]


def anthropic_events(content: list[dict[str, Any]]) -> bytes:
    """:func:`anthropic_message` as Anthropic's event stream: ``message_start``, each block's
    events, ``message_delta`` (stop reason, usage), ``message_stop``."""
    message = anthropic_message(content)
    start = {**message, "content": [], "stop_reason": None}
    start["usage"] = {"input_tokens": 3, "output_tokens": 1}
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(message["content"]):
        events += _block_events(index, block)
    events.append(
        {
            "type": "message_delta",
            "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
            "usage": {"output_tokens": 2},
        }
    )
    events.append({"type": "message_stop"})
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


#: The usage of every Responses answer.
RESPONSES_USAGE = {
    "input_tokens": 3,
    "input_tokens_details": {"cached_tokens": 0},
    "output_tokens": 2,
    "output_tokens_details": {"reasoning_tokens": 1},
    "total_tokens": 5,
}
#: What the recorder answers on ``/responses`` unless told otherwise.
RESPONSES_HELLO: list[dict[str, Any]] = [
    {
        "type": "message",
        "id": "msg_peer",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": "Hello!", "annotations": []}],
    }
]


def responses_answer(
    output: list[dict[str, Any]], response_id: str = "resp_peer", status: str = "completed"
) -> dict[str, Any]:
    """An OpenAI Responses ``response`` object whose ``output`` is ``output`` (its items as
    given), with :data:`RESPONSES_USAGE`."""
    return {
        "id": response_id,
        "object": "response",
        "created_at": 1,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "model": OPENAI_MODEL,
        "output": [dict(item) for item in output],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": dict(RESPONSES_USAGE) if status == "completed" else None,
        "metadata": {},
    }


def _item_events(index: int, item: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One output item as the Responses API streams it: ``response.output_item.added`` (the item
    without its streamed parts), its parts' and deltas' events, ``response.output_item.done``
    (the whole item)."""
    kind = item.get("type")
    at = {"item_id": item.get("id"), "output_index": index}
    added = dict(item)
    events: list[dict[str, Any]] = []
    if kind == "message":
        added = {**item, "status": "in_progress", "content": []}
        for j, part in enumerate(item.get("content") or []):
            where = {**at, "content_index": j}
            if part.get("type") == "output_text":
                empty = {"type": "output_text", "text": "", "annotations": []}
                events.append({"type": "response.content_part.added", **where, "part": empty})
                events.append(
                    {"type": "response.output_text.delta", **where, "delta": part["text"]}
                )
                for k, note in enumerate(part.get("annotations") or []):
                    events.append(
                        {
                            "type": "response.output_text.annotation.added",
                            **where,
                            "annotation_index": k,
                            "annotation": note,
                        }
                    )
                events.append({"type": "response.output_text.done", **where, "text": part["text"]})
            else:  # a refusal, or another part: whole
                events.append({"type": "response.content_part.added", **where, "part": part})
            events.append({"type": "response.content_part.done", **where, "part": dict(part)})
    elif kind == "function_call":
        added = {**item, "status": "in_progress", "arguments": ""}
        events.append(
            {"type": "response.function_call_arguments.delta", **at, "delta": item["arguments"]}
        )
        events.append(
            {"type": "response.function_call_arguments.done", **at, "arguments": item["arguments"]}
        )
    elif kind == "reasoning":
        added = {k: v for k, v in item.items() if k != "encrypted_content"}
        added["summary"] = []
        for j, part in enumerate(item.get("summary") or []):
            where = {**at, "summary_index": j}
            empty = {"type": "summary_text", "text": ""}
            events.append({"type": "response.reasoning_summary_part.added", **where, "part": empty})
            events.append(
                {"type": "response.reasoning_summary_text.delta", **where, "delta": part["text"]}
            )
            events.append(
                {"type": "response.reasoning_summary_text.done", **where, "text": part["text"]}
            )
            events.append(
                {"type": "response.reasoning_summary_part.done", **where, "part": dict(part)}
            )
    # other items (web_search_call, image_generation_call, ...) come whole in added and done
    return [
        {"type": "response.output_item.added", "output_index": index, "item": added},
        *events,
        {"type": "response.output_item.done", "output_index": index, "item": dict(item)},
    ]


def responses_events(output: list[dict[str, Any]], response_id: str = "resp_peer") -> bytes:
    """:func:`responses_answer` as the Responses event stream: ``response.created`` (no output
    yet), each item's events, ``response.completed`` (the whole response), each as
    ``event: <type>`` + ``data: <json>`` with its ``sequence_number``."""
    whole = responses_answer(output, response_id)
    start = {**responses_answer([], response_id, status="in_progress")}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": start},
        {"type": "response.in_progress", "response": start},
    ]
    for index, item in enumerate(whole["output"]):
        events += _item_events(index, item)
    events.append({"type": "response.completed", "response": whole})
    return b"".join(
        f"event: {e['type']}\ndata: {json.dumps({**e, 'sequence_number': n})}\n\n".encode()
        for n, e in enumerate(events)
    )


class Recorder:
    """The fault server answering every request with :attr:`openai_message` /
    :attr:`gemini_parts` / :attr:`anthropic_content` / :attr:`responses_output` (set them to
    what the call under test must get back). Each ``/responses`` answer has an id of its own,
    ``resp_peer1``, ``resp_peer2``... (so chained calls can be told apart)."""

    def __init__(self, server: FaultServer) -> None:
        self.server = server
        self.url = server.url
        self.openai_message: dict[str, Any] = {"role": "assistant", "content": "Hello!"}
        self.gemini_parts: list[dict[str, Any]] = [{"text": "Hello!"}]
        self.anthropic_content: list[dict[str, Any]] = [{"type": "text", "text": "Hello!"}]
        self.responses_output: list[dict[str, Any]] = [dict(i) for i in RESPONSES_HELLO]
        self.responses_made = 0
        self._taken = 0
        server.script(self._answer)

    def _answer(self, h: FaultHandler) -> None:
        seen = h.server.script.seen[-1]  # the request this handler read (tests send one at a time)
        if seen.method == "GET":
            reply(200, PNG, {"Content-Type": "image/png"})(h)
        elif seen.path.endswith((":embedContent", ":batchEmbedContents")):
            reply_json(200, embedding_answer(seen.path, seen.json()))(h)
        elif ":streamGenerateContent" in seen.path:
            event = b"data: " + json.dumps(gemini_answer(self.gemini_parts)).encode() + b"\n\n"
            reply(200, event, {"Content-Type": "text/event-stream"})(h)
        elif ":generateContent" in seen.path:
            reply_json(200, gemini_answer(self.gemini_parts))(h)
        elif seen.path.endswith("/chat/completions"):
            if json.loads(seen.body).get("stream"):
                events = completion_events(self.openai_message)
                reply(200, events, {"Content-Type": "text/event-stream"})(h)
            else:
                reply_json(200, completion(self.openai_message))(h)
        elif seen.path.endswith("/v1/messages"):
            if json.loads(seen.body).get("stream"):
                events = anthropic_events(self.anthropic_content)
                reply(200, events, {"Content-Type": "text/event-stream"})(h)
            else:
                reply_json(200, anthropic_message(self.anthropic_content))(h)
        elif seen.path.endswith("/responses"):
            self.responses_made += 1
            response_id = f"resp_peer{self.responses_made}"
            if json.loads(seen.body).get("stream"):
                events = responses_events(self.responses_output, response_id)
                reply(200, events, {"Content-Type": "text/event-stream"})(h)
            else:
                reply_json(200, responses_answer(self.responses_output, response_id))(h)
        else:
            reply_json(404, {"error": {"message": f"no route {seen.path}"}})(h)

    def take(self) -> list[Seen]:
        """The POST requests made since the last ``take`` (Gemini bodies checked with
        google-genai's own types on the way: see :func:`check_gemini_body` and
        :func:`check_gemini_image_body`)."""
        seen = self.server.seen
        new, self._taken = seen[self._taken :], len(seen)
        posts = [s for s in new if s.method == "POST"]
        for request in posts:
            if "generateContent" in request.path:
                check_gemini_image_body(request.json())  # check_gemini_body, and imageConfig
            elif request.path.endswith(("EmbedContents", ":embedContent")):
                check_embedding_body(request.path, request.json())
        return posts

    def sent(self, call: Callable[[], object]) -> dict[str, Any]:
        """Run ``call`` and return the JSON body of the one request it made."""
        self.take()
        call()
        posts = self.take()
        assert len(posts) == 1, f"expected one request, got {[p.path for p in posts]}"
        body: dict[str, Any] = posts[0].json()
        return body


# -- google-genai's own check of a Gemini request -------------------------------------------------

#: The fields of a ``generateContent`` request body (REST, camelCase) and google-genai's model of
#: each: its pydantic types forbid unknown fields, so a field Gemini does not know fails here.
_GEMINI_FIELDS: dict[str, Any] = {
    "contents": list[types.Content],
    "systemInstruction": types.Content,
    "generationConfig": types.GenerationConfig,
    "tools": list[types.Tool],
    "toolConfig": types.ToolConfig,
    "safetySettings": list[types.SafetySetting],
    "cachedContent": str,
}


def check_gemini_body(body: Mapping[str, Any]) -> None:
    """Validate a ``generateContent`` body field by field with google-genai's pydantic types
    (``extra="forbid"``; bytes such as ``inlineData.data`` and ``thoughtSignature`` read as
    base64, as in JSON). Raises ``pydantic.ValidationError`` or ``AssertionError``."""
    from pydantic import TypeAdapter

    unknown = set(body) - set(_GEMINI_FIELDS)
    assert not unknown, f"fields a generateContent request does not have: {sorted(unknown)}"
    for name, value in body.items():
        TypeAdapter(_GEMINI_FIELDS[name]).validate_json(json.dumps(value))


def check_gemini_image_body(body: Mapping[str, Any]) -> None:
    """:func:`check_gemini_body` for an image request: ``generationConfig.imageConfig`` is
    checked with google-genai's ``types.ImageConfig`` (``extra="forbid"``), the rest as usual.

    (google-genai's ``types.GenerationConfig`` has no ``image_config``: the SDK keeps it on
    ``GenerateContentConfig`` and writes it to ``generationConfig.imageConfig`` itself,
    ``models._GenerateContentConfig_to_mldev``; so it is checked here on its own.)"""
    from pydantic import TypeAdapter

    config = dict(body.get("generationConfig") or {})
    image_config = config.pop("imageConfig", None)
    if image_config is not None:
        TypeAdapter(types.ImageConfig).validate_json(json.dumps(image_config))
    check_gemini_body({**body, "generationConfig": config} if "generationConfig" in body else body)


# -- Gemini-native embeddings (embedContent, batchEmbedContents) ----------------------------------

#: Gemini's ``TaskType`` names, as the peer (``GoogleGenerativeAIEmbeddings.task_type``) and
#: ai.google.dev/api/embeddings#tasktype list them. google-genai 3.6 has no ``TaskType`` enum
#: (``EmbedContentConfig.task_type`` is a plain ``str``), so the names are checked here.
GEMINI_TASK_TYPES = {
    "TASK_TYPE_UNSPECIFIED",
    "RETRIEVAL_QUERY",
    "RETRIEVAL_DOCUMENT",
    "SEMANTIC_SIMILARITY",
    "CLASSIFICATION",
    "CLUSTERING",
    "QUESTION_ANSWERING",
    "FACT_VERIFICATION",
    "CODE_RETRIEVAL_QUERY",
}
_EMBED_CONFIG = {"taskType", "title", "outputDimensionality"}


def _check_embed_request(request: Mapping[str, Any], model: str | None) -> None:
    """One ``EmbedContentRequest``: ``content`` is a ``types.Content``, the other fields are
    ``types.EmbedContentConfig``'s (``extra="forbid"``), the task type one of Gemini's."""
    from pydantic import TypeAdapter

    allowed = {"content", *_EMBED_CONFIG} | ({"model"} if model is not None else set())
    unknown = set(request) - allowed
    assert not unknown, f"fields an EmbedContentRequest does not have: {sorted(unknown)}"
    if model is not None:
        assert request["model"] == f"models/{model}", request.get("model")
    TypeAdapter(types.Content).validate_json(json.dumps(request["content"]))
    config = {k: v for k, v in request.items() if k in _EMBED_CONFIG}
    types.EmbedContentConfig.model_validate_json(json.dumps(config))
    if "taskType" in request:
        assert request["taskType"] in GEMINI_TASK_TYPES, request["taskType"]


def check_embedding_body(path: str, body: Mapping[str, Any]) -> None:
    """Validate an ``embedContent`` or ``batchEmbedContents`` body (REST, camelCase) with
    google-genai's types; a batch's entries must name the model of the URL, at most 100."""
    model = path.rsplit("/", 1)[-1].split(":", 1)[0]
    if path.endswith(":embedContent"):
        _check_embed_request(body, None)
        return
    assert set(body) == {"requests"}, sorted(body)
    assert 1 <= len(body["requests"]) <= 100, len(body["requests"])
    for request in body["requests"]:
        _check_embed_request(request, model)


def embedding_answer(path: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """A Gemini embeddings answer: one short vector per text (its length and first letter)."""

    def vector(request: Mapping[str, Any]) -> dict[str, Any]:
        text = "".join(p.get("text", "") for p in request["content"]["parts"])
        return {"values": [float(len(text)), float(ord(text[:1] or " ")), 0.5]}

    if path.endswith(":embedContent"):
        return {"embedding": vector(body)}
    return {"embeddings": [vector(r) for r in body["requests"]]}

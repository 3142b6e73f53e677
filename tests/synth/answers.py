"""The canned answers (see routes.py for the conventions)."""

from __future__ import annotations

from .routes import Answer, SynthRequest, as_json, as_sse, route


def _bad_key(req: SynthRequest) -> bool:
    auth = req.headers.get("authorization", "") or req.headers.get("x-goog-api-key", "")
    return "invalid" in auth


@route("POST", "/v1/chat/completions")
def chat(req: SynthRequest) -> Answer:
    # WIRE: OpenAI chat completion object; REF: "Create chat completion (non-streaming)".
    body = req.json()
    if _bad_key(req):
        # REF (Help Center / HTTP status codes): new-api style 401 for an invalid token.
        return as_json(
            {"error": {"message": "Invalid token", "type": "new_api_error", "code": "invalid_api_key"}},
            401,
        )
    model = body.get("model", "gpt-4o-mini")
    text = "Hello! How can I help you today?"
    if body.get("stream"):
        words = text.split(" ")
        events = [
            {
                "id": "chatcmpl-synth-1",
                "object": "chat.completion.chunk",
                "created": 1763103034,
                "model": model,
                "choices": [
                    {"index": 0, "delta": {"role": "assistant", "content": ("" if i == 0 else " ") + w}, "finish_reason": None}
                ],
            }
            for i, w in enumerate(words)
        ]
        events.append(
            {"id": "chatcmpl-synth-1", "object": "chat.completion.chunk", "created": 1763103034, "model": model,
             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        )
        events.append(
            {"id": "chatcmpl-synth-1", "object": "chat.completion.chunk", "created": 1763103034, "model": model,
             "choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": len(words), "total_tokens": 9 + len(words)}}
        )
        return as_sse(events)
    return as_json(
        {
            "id": "chatcmpl-synth-1",
            "object": "chat.completion",
            "created": 1763103034,
            "model": model,
            "system_fingerprint": "fp_synth",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 9, "completion_tokens": 9, "total_tokens": 18},
        }
    )

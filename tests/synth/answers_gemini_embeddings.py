"""Canned answers for Gemini-native embeddings: ``embedContent`` and ``batchEmbedContents``.

The reference (``shared/yescale-api/endpoint-index.txt``) only lists "Gemini Embedding" under the
official v1beta endpoint, with no example body; so every answer here is WIRE: the public Gemini
REST format (ai.google.dev/api/embeddings): ``{"embedding": {"values": [...]}}`` for one text,
``{"embeddings": [{"values": [...]}, ...]}`` in request order for a batch (no index, no usage),
errors as ``{"error": {"code", "message", "status"}}``.

What a real service checks is checked: the key in ``x-goog-api-key`` (``/v1beta``), a Gemini
embedding model in the path, each batch entry naming the same model as ``models/<model>``, at
most 100 entries, non-empty texts of at most 2048 tokens, a known ``taskType``, and an
``outputDimensionality`` within the model's size.

The vectors are those of ``answers_embeddings`` (a hashed bag of words, so retrieval works
offline), with a small component hashed from the task type and the text (Gemini embeds a text
differently for each task type), and, as Gemini does, normalized only at the model's full size
(a shortened vector has a norm of 0.75 here: cosine similarity does not care).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from .answers import _gemini_auth, _gemini_error, _on_api
from .answers_embeddings import DEFAULT_DIMENSIONS, _float32, _tokens, synth_vector
from .routes import Answer, SynthRequest, as_json, route

METHODS = (":embedContent", ":batchEmbedContents")
#: ai.google.dev/api/embeddings#tasktype (TASK_TYPE_UNSPECIFIED is also accepted there).
TASK_TYPES = {
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
MODELS = {"gemini-embedding-001": 3072, "text-embedding-004": 768, "embedding-001": 768}
MAX_TOKENS = 2048
MAX_REQUESTS = 100
#: the norm of a shortened vector (Gemini normalizes only full-size ones)
SHORTENED_NORM = 0.75


def _embedding_call(req: SynthRequest) -> bool:
    return _on_api(req) and req.path.endswith(METHODS)


def gemini_vector(model: str, text: str, task: str | None, size: int) -> list[float]:
    """The vector served for ``text`` (see the module docstring)."""
    vector = synth_vector(model, text, size)
    digest = hashlib.sha256(f"{model}\x00task\x00{task}\x00{text}".encode()).digest()
    for k in range(4):
        slot = int.from_bytes(digest[4 * k : 4 * k + 4], "little") % size
        vector[slot] += (digest[16 + k] - 127.5) / 5100.0  # at most +-0.025
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    scale = (1.0 if size == DEFAULT_DIMENSIONS.get(model, MODELS[model]) else SHORTENED_NORM) / norm
    return [_float32(x * scale) for x in vector]


def _invalid(message: str) -> Answer:
    return _gemini_error(400, message, "INVALID_ARGUMENT")


def _one(model: str, entry: Any, where: str) -> list[float] | Answer:
    """The vector for one request entry, or Gemini's refusal of it."""
    if not isinstance(entry, dict):
        return _invalid(f"* {where}: must be an object")
    parts = (entry.get("content") or {}).get("parts") or []
    texts = [p.get("text") for p in parts if isinstance(p, dict)]
    if not texts or not all(isinstance(t, str) for t in texts):
        return _invalid(f"* {where}.content: contents must not be empty")
    text = "".join(str(t) for t in texts)
    if not text:
        return _invalid(
            f"* {where}.content.parts[0].data: required oneof field 'data' must have one "
            "initialized field"
        )
    task = entry.get("taskType")
    if task is not None and task not in TASK_TYPES:
        return _invalid(
            f"Invalid value at '{where}.task_type' "
            f'(type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), "{task}"'
        )
    if entry.get("title") is not None and task != "RETRIEVAL_DOCUMENT":
        return _invalid("Title is only valid with task type RETRIEVAL_DOCUMENT.")
    full = MODELS[model]
    size = entry.get("outputDimensionality")
    if size is not None and (not isinstance(size, int) or not 1 <= size <= full):
        return _invalid(f"* {where}.output_dimensionality: must be between 1 and {full}")
    if _tokens(text) > MAX_TOKENS:
        return _invalid(
            f"The input token count ({_tokens(text)}) exceeds the maximum number of tokens "
            f"allowed ({MAX_TOKENS})."
        )
    return gemini_vector(model, text, task, int(size or full))


@route("POST", "/v1beta/models/", when=_embedding_call, priority=20)
def gemini_embeddings(req: SynthRequest) -> Answer:
    denied = _gemini_auth(req)
    if denied is not None:
        return denied
    model, _, method = req.path.removeprefix("/v1beta/models/").partition(":")
    if model not in MODELS:
        return _gemini_error(
            404, f"models/{model} is not found for API version v1beta", "NOT_FOUND"
        )
    body = req.json()
    if method == "embedContent":
        vector = _one(model, body, "EmbedContentRequest")
        if not isinstance(vector, list):
            return vector
        return as_json({"embedding": {"values": vector}})
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        return _invalid("* BatchEmbedContentsRequest.requests: requests is not specified")
    if len(requests) > MAX_REQUESTS:
        return _invalid(
            "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch"
        )
    vectors = []
    for i, entry in enumerate(requests):
        where = f"BatchEmbedContentsRequest.requests[{i}]"
        if isinstance(entry, dict) and entry.get("model") != f"models/{model}":
            return _invalid(
                f"* {where}.model: the model of each request must be the batch's, "
                f"models/{model}, got {entry.get('model')!r}"
            )
        vector = _one(model, entry, where)
        if not isinstance(vector, list):
            return vector
        vectors.append({"values": vector})
    return as_json({"embeddings": vectors})

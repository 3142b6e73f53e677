"""Canned answers for the embedding classes' tests and example.

Only for ``tests/**/test_embedding*.py`` (``when=``; the client's own ``test_client_embeddings``
keeps the default answers), at priority 10.

The vectors mean something, so that retrieval over them works offline: a text's vector is a
hashed bag of its words (lower-cased, a plural ``s`` dropped, stop words skipped), each word
adding +-1 at two positions chosen by a hash of the model and the word, plus a small component
hashed from the whole text (so distinct texts never share a vector), L2-normalized and rounded to
float32 (so ``encoding_format="base64"`` and float answers hold the same numbers). Texts sharing
words get similar vectors; a query finds the documents that use its words.

The answers check what a real service checks: the API key, a non-empty list of non-empty strings,
the per-request input limit (2048 for OpenAI models; 100 for Gemini embedding models, which the
gateway sends to Gemini's ``batchEmbedContents``), ``dimensions`` only where the model supports
it, and each input's token limit.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from pathlib import PurePosixPath
from typing import Any

from .routes import Answer, SynthRequest, as_json, route

API_HOSTS = ("api.yescale.io", "api.yescale.vip")

#: Default vector length per model (the providers' published sizes).
DEFAULT_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
    "gemini-embedding-001": 3072,
    "text-embedding-004": 768,
}
#: Models that take ``dimensions`` (Matryoshka embeddings).
SHORTENABLE = ("text-embedding-3-", "gemini-embedding-", "text-embedding-004")
MAX_INPUT_TOKENS = {"gemini-embedding-001": 2048, "text-embedding-004": 2048}
OPENAI_MAX_INPUT_TOKENS = 8192
OPENAI_MAX_INPUTS = 2048
GEMINI_MAX_INPUTS = 100

_STOP = """a an and are as at be by can did do does for from has have how in is it its of on or
that the their them they this to was what when where which who why with you your"""
STOP_WORDS = frozenset(_STOP.split())
_WORDS = re.compile(r"[a-z0-9]+")


#: Other tests whose retrieval needs these meaningful vectors (transcripts indexed).
ALSO_MINE = (
    "tests/integration/test_audio_tools.py",
    "tests/integration/test_examples.py::test_audio",
)


def _mine(req: SynthRequest) -> bool:
    """Only the embedding classes' test modules: tests/**/test_embedding*.py (and
    :data:`ALSO_MINE`)."""
    if req.nodeid.startswith(ALSO_MINE):
        return True
    return PurePosixPath(req.nodeid.split("::", 1)[0]).name.startswith("test_embedding")


def _is_gemini(model: str) -> bool:
    return model.startswith(("gemini-embedding", "text-embedding-004"))


def words(text: str) -> list[str]:
    out = []
    for word in _WORDS.findall(text.lower()):
        if word in STOP_WORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


def _float32(x: float) -> float:
    return float(struct.unpack("<f", struct.pack("<f", x))[0])


def synth_vector(model: str, text: str, dimensions: int) -> list[float]:
    """A deterministic, normalized hashed bag of words (see the module docstring)."""
    vector = [0.0] * dimensions
    for word in words(text):
        digest = hashlib.sha256(f"{model}\x00w\x00{word}".encode()).digest()
        for k in range(2):
            slot = int.from_bytes(digest[4 * k : 4 * k + 4], "little") % dimensions
            vector[slot] += 1.0 if digest[8 + k] & 1 else -1.0
    digest = hashlib.sha256(f"{model}\x00t\x00{text}".encode()).digest()
    for k in range(4):
        slot = int.from_bytes(digest[4 * k : 4 * k + 4], "little") % dimensions
        vector[slot] += (digest[16 + k] - 127.5) / 2550.0  # at most +-0.05
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [_float32(x / norm) for x in vector]


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _error(message: str, status: int = 400, code: str | None = None) -> Answer:
    # WIRE: OpenAI embeddings format -- the OpenAI error object the new-api gateway relays.
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    return as_json({"error": error}, status)


@route("POST", "/v1/embeddings", when=_mine, priority=10)
def embeddings(req: SynthRequest) -> Answer:
    # WIRE: OpenAI embeddings format ("Create embed": POST /v1/embeddings, a list of
    # {"object": "embedding", "index", "embedding"} plus usage), listed in reverse order so the
    # clients must sort by `index`.
    if req.host not in API_HOSTS:
        return _error(f"synth: unexpected host {req.host}", 404)
    auth = req.headers.get("authorization", "")
    if not auth.startswith("Bearer ") or "invalid" in auth or "access-key" in auth:
        # WIRE: OpenAI embeddings format -- new-api's 401 for an invalid token.
        return as_json(
            {"error": {"message": "Invalid token", "type": "new_api_error", "code": None}}, 401
        )
    body = req.json()
    model = str(body.get("model") or "")
    inputs = body.get("input")
    texts: list[Any] = [inputs] if isinstance(inputs, str) else list(inputs or [])
    if not model:
        return _error("you must provide a model parameter")
    if not texts or not all(isinstance(t, str) for t in texts):
        return _error("'input' must be a string or a non-empty list of strings")
    if any(t == "" for t in texts):
        # WIRE: OpenAI embeddings format -- empty strings are refused.
        return _error("'$.input' is invalid. Please check the API reference.")
    gemini = _is_gemini(model)
    limit = GEMINI_MAX_INPUTS if gemini else OPENAI_MAX_INPUTS
    if len(texts) > limit:
        if gemini:
            # WIRE: Gemini batchEmbedContents' refusal, relayed by the gateway.
            return _error(
                "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch"
            )
        return _error(f"'$.input' is invalid: maximum {OPENAI_MAX_INPUTS} items per request")
    max_tokens = MAX_INPUT_TOKENS.get(model, OPENAI_MAX_INPUT_TOKENS)
    for text in texts:
        if _tokens(text) > max_tokens:
            return _error(
                f"This model's maximum context length is {max_tokens} tokens, however you "
                f"requested {_tokens(text)} tokens in your input. Please reduce your input.",
                code="context_length_exceeded",
            )
    dimensions = body.get("dimensions")
    if dimensions is not None and not model.startswith(SHORTENABLE):
        return _error("This model does not support specifying dimensions.")
    size = int(dimensions or DEFAULT_DIMENSIONS.get(model, 1536))
    # Gemini models: the gateway converts Gemini's float lists and ignores encoding_format.
    as_base64 = body.get("encoding_format") == "base64" and not gemini
    data = []
    for index, text in enumerate(texts):
        vector = synth_vector(model, text, size)
        embedding: Any = vector
        if as_base64:
            # WIRE: OpenAI embeddings format -- base64 of little-endian float32.
            embedding = base64.b64encode(struct.pack(f"<{size}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    tokens = sum(_tokens(t) for t in texts)
    return as_json(
        {
            "object": "list",
            "data": data[::-1],
            "model": model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )

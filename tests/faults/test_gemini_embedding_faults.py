"""Gemini-native embeddings (``embedContent``, ``batchEmbedContents``) against a hostile wire: the
local fault server (127.0.0.1) answers errors inside 2xx bodies, cut, trickled, huge and nested
bodies, redirects, and 429s with ``Retry-After`` or Gemini's own ``retryDelay``; through the
client and through the framework classes, which pick this endpoint for Gemini models.

(The fault matrix also runs both endpoints through every fault it has: 429, 5xx, HTML pages,
resets, stalls, cut bodies; ``test_hostile_wire`` through its 200-error and missing-answer rows.)
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

import yescale.errors as errors
from yescale import (
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InvalidResponseError,
    RateLimitError,
    YEScaleClient,
)

from .conftest import FaultServer, huge_body, partial_body, redirect, reply, reply_json, trickle
from .gemini_embedding_calls import (
    BATCH_PATH,
    EMBED_BATCH,
    GEMINI_EMBEDDING,
    abatch_embed_contents,
    batch_embed_contents,
)
from .support import API_KEY, HOSTILE_BODIES, AsyncSleeps, Sleeps, client_for, in_mode

MODES = ["sync", "async"]
MiB = 1 << 20


def batch(mode: str, client: YEScaleClient) -> Any:
    return in_mode(mode, client, batch_embed_contents, abatch_embed_contents)


def gemini_error(code: int, message: str, status: str) -> dict[str, Any]:
    """Gemini's error object (google.rpc.Status)."""
    return {"error": {"code": code, "message": message, "status": status}}


# -- errors inside 2xx bodies ----------------------------------------------------------------------

ERRORS_IN_200 = [
    pytest.param(
        gemini_error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED"),
        AuthenticationError,
        "invalid authentication credentials",
        id="bad-key",
    ),
    pytest.param(
        gemini_error(400, "Invalid value at 'requests[0].task_type'", "INVALID_ARGUMENT"),
        BadRequestError,
        "task_type",
        id="invalid-argument",
    ),
    pytest.param(
        gemini_error(429, "Resource has been exhausted (e.g. check quota).", "RESOURCE_EXHAUSTED"),
        RateLimitError,
        "Resource has been exhausted",
        id="exhausted",
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("body", "expected", "says"), ERRORS_IN_200)
def test_a_gemini_error_in_a_200_is_the_typed_error(
    fault_server: FaultServer, body: dict[str, Any], expected: type[Exception], says: str, mode: str
) -> None:
    fault_server.script(reply_json(200, body))
    with pytest.raises(expected) as caught:
        batch(mode, client_for(fault_server))
    assert says in str(caught.value)
    assert "HTTP 200" not in str(caught.value)
    assert API_KEY not in str(caught.value)
    assert fault_server.count == 1


@pytest.mark.parametrize("mode", MODES)
def test_the_langchain_class_bridges_an_error_in_a_200(
    fault_server: FaultServer, mode: str
) -> None:
    from langchain_core.exceptions import ModelAuthenticationError

    from langchain_yescale import YEScaleEmbeddings

    fault_server.script(reply_json(200, gemini_error(401, "API key not valid.", "UNAUTHENTICATED")))
    model = YEScaleEmbeddings(
        model=GEMINI_EMBEDDING, api_key=API_KEY, base_url=fault_server.url, max_retries=0
    )
    run: Callable[[], object] = (
        (lambda: model.embed_documents(["a", "b"]))
        if mode == "sync"
        else (lambda: asyncio.run(model.aembed_documents(["a", "b"])))
    )
    with pytest.raises(AuthenticationError) as caught:
        run()
    assert isinstance(caught.value, ModelAuthenticationError)
    assert fault_server.seen[0].path == BATCH_PATH


@pytest.mark.parametrize("mode", MODES)
def test_the_llamaindex_class_raises_an_answer_missing_a_vector(
    fault_server: FaultServer, mode: str
) -> None:
    from llama_index_yescale import YEScaleEmbedding

    fault_server.script(reply_json(200, {"embeddings": [{"values": [0.5]}]}))
    model = YEScaleEmbedding(
        model_name=GEMINI_EMBEDDING, api_key=API_KEY, base_url=fault_server.url, max_retries=0
    )
    run: Callable[[], object] = (
        (lambda: model.get_text_embedding_batch(["a", "b"]))
        if mode == "sync"
        else (lambda: asyncio.run(model.aget_text_embedding_batch(["a", "b"])))
    )
    with pytest.raises(InvalidResponseError, match="1 embedding for 2 inputs"):
        run()


# -- cut, trickled, huge and nested bodies ---------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_cut_body_is_retried_then_answered(fault_server: FaultServer, mode: str) -> None:
    fault_server.script(partial_body(b'{"embeddings": [{"valu', 4000), reply_json(200, EMBED_BATCH))
    sleeps, asleeps = Sleeps(), AsyncSleeps()
    client = client_for(fault_server, max_retries=2, sleep=sleeps, async_sleep=asleeps)
    assert batch(mode, client).vectors() == [[0.25, -0.5], [0.5, 0.75]]
    assert fault_server.count == 2
    assert len(sleeps) + len(asleeps) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_trickled_answer_ends_at_the_timeout(fault_server: FaultServer, mode: str) -> None:
    fault_server.script(trickle(json.dumps(EMBED_BATCH).encode() + b" " * 1000))
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as caught:
        batch(mode, client_for(fault_server, timeout=0.5))
    assert time.monotonic() - started < 3.0
    assert "0.5" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_an_answer_over_max_response_bytes_is_refused(fault_server: FaultServer, mode: str) -> None:
    fault_server.script(huge_body(128 * MiB))
    started = time.monotonic()
    with pytest.raises(errors.ResponseTooLargeError) as caught:
        batch(mode, client_for(fault_server, max_response_bytes=MiB, max_retries=2))
    assert "max_response_bytes" in str(caught.value)
    assert fault_server.count == 1  # the same answer would come again: not retried
    assert time.monotonic() - started < 5.0


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", list(HOSTILE_BODIES))
def test_a_hostile_body_is_an_invalid_answer(
    fault_server: FaultServer, kind: str, mode: str
) -> None:
    fault_server.script(reply(200, HOSTILE_BODIES[kind], {"Content-Type": "application/json"}))
    with pytest.raises(InvalidResponseError) as caught:  # never a RecursionError
        batch(mode, client_for(fault_server))
    assert len(str(caught.value)) < 2000


# -- redirects and Retry-After ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_redirect_is_not_followed_and_the_key_stays_home(
    fault_server: FaultServer, mode: str
) -> None:
    fault_server.script(redirect(f"{fault_server.url}/elsewhere:batchEmbedContents", 307))
    with pytest.raises(APIStatusError) as caught:
        batch(mode, client_for(fault_server, max_retries=2))
    assert caught.value.status_code == 307
    assert "redirect" in str(caught.value).lower()
    assert [s.path for s in fault_server.seen] == [BATCH_PATH]  # the Location was never asked


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_is_honoured(fault_server: FaultServer, mode: str) -> None:
    fault_server.script(
        reply(429, busy_body(), {"Content-Type": "application/json", "Retry-After": "2"}),
        reply_json(200, EMBED_BATCH),
    )
    sleeps, asleeps = Sleeps(), AsyncSleeps()
    client = client_for(fault_server, max_retries=2, sleep=sleeps, async_sleep=asleeps)
    assert batch(mode, client).vectors()[1] == [0.5, 0.75]
    waits = sleeps if mode == "sync" else asleeps
    assert len(waits) == 1
    assert 2.0 <= waits[0] <= 2.5  # plus at most a quarter (jitter)
    assert len({s.body for s in fault_server.seen}) == 1  # the same body sent again


def busy_body() -> bytes:
    return json.dumps(gemini_error(429, "Too many requests", "RESOURCE_EXHAUSTED")).encode()


def test_the_batching_routine_retries_one_batch_and_keeps_order(fault_server: FaultServer) -> None:
    """A corpus over 100 texts: the first batch meets a 429, is retried after its wait, and
    every vector still lands at its text's position."""
    from yescale import embedding_batches

    def answer_in_order(h: Any) -> None:
        body = json.loads(h.server.script.seen[-1].body)
        values = [{"values": [float(r["content"]["parts"][0]["text"])]} for r in body["requests"]]
        reply_json(200, {"embeddings": values})(h)

    busy = reply(429, busy_body(), {"Content-Type": "application/json", "Retry-After": "1"})
    fault_server.script(busy, answer_in_order)
    sleeps = Sleeps()
    texts = [str(i) for i in range(150)]
    with client_for(fault_server, max_retries=2, sleep=sleeps) as client:
        vectors = embedding_batches.embed(
            client.gemini.embeddings, texts, model=GEMINI_EMBEDDING, max_concurrency=1
        )
    assert vectors == [[float(i)] for i in range(150)]
    assert [len(s.json()["requests"]) for s in fault_server.seen] == [100, 100, 50]
    assert len(sleeps) == 1
    assert 1.0 <= sleeps[0] <= 1.25  # plus at most a quarter (jitter)

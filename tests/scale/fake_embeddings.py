"""A local ``/v1/embeddings`` service on 127.0.0.1 that counts what it embeds and fails on cue.

Shared by the Ray tests (tests/scale) and ``scripts/scale_corpus.py``. It runs on a thread of the
process that owns it (the test, or the proof script that outlives the job it kills), so its
counts survive a crashed job; Ray workers reach it over HTTP.

* Vectors are fixed by the text (:func:`vector_for`): any two runs, any batching, give the same
  vector for a passage.
* ``counts[text]``: how many times a text was embedded (answered with 200).
* ``fail_texts[text] = n``: the next ``n`` requests holding ``text`` are answered with
  ``fail_status`` (500 by default; 429 with ``Retry-After: 0``) and counted in ``failures``.
* ``max_inputs``: a request with more inputs is refused with a 400 ("too many inputs").
* Only requests with ``Authorization: Bearer <api_key>`` are served (401 otherwise).
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "sk-scale0123456789abcdefSECRET"
MODEL = "text-embedding-3-small"
DIMENSIONS = 8


def vector_for(text: str, dimensions: int = DIMENSIONS) -> list[float]:
    """The vector of ``text``: exact in float32 (multiples of 1/128 in [-1, 1))."""
    digest = hashlib.sha256(text.encode()).digest()
    return [(digest[i % 32] - 128) / 128 for i in range(dimensions)]


class FakeEmbeddings(ThreadingHTTPServer):
    """The service; see the module. ``url`` is its base URL."""

    daemon_threads = True

    def __init__(
        self,
        *,
        api_key: str = API_KEY,
        max_inputs: int = 2048,
        fail_status: int = 500,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api_key = api_key
        self.max_inputs = max_inputs
        self.fail_status = fail_status
        self.fail_texts: dict[str, int] = {}
        self.counts: Counter[str] = Counter()
        self.requests = 0
        self.failures = 0
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished mid-request (a killed job) is not an error of the service."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The status and JSON answer for one embeddings request."""
        texts = body.get("input")
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not texts:
            return 400, _error("input must be a non-empty list")
        if len(texts) > self.max_inputs:
            return 400, _error(f"too many inputs: at most {self.max_inputs} per request")
        with self.lock:
            self.requests += 1
            failing = [t for t in texts if self.fail_texts.get(t, 0) > 0]
            if failing:
                for text in failing:
                    self.fail_texts[text] -= 1
                self.failures += 1
                return self.fail_status, _error("upstream failed, try again")
            self.counts.update(texts)
        dimensions = int(body.get("dimensions") or DIMENSIONS)
        data = []
        for index, text in enumerate(texts):
            vector: Any = vector_for(text, dimensions)
            if body.get("encoding_format") == "base64":
                vector = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": vector})
        usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
        return 200, {"object": "list", "model": body.get("model"), "data": data, "usage": usage}


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error"}}


class _Handler(BaseHTTPRequestHandler):
    server: FakeEmbeddings
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Authorization") != f"Bearer {self.server.api_key}":
            self._send(401, _error("invalid api key"))
        elif self.path.rstrip("/") != "/v1/embeddings":
            self._send(404, _error(f"no route {self.path}"))
        else:
            self._send(*self.server.answer(json.loads(body)))

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 429:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def running(**options: Any) -> Iterator[FakeEmbeddings]:
    """A :class:`FakeEmbeddings` serving on a thread until the block ends."""
    server = FakeEmbeddings(**options)
    thread = threading.Thread(target=server.serve_forever, name="fake-embeddings", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

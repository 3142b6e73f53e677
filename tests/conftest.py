"""Test configuration: vcrpy cassettes, secret scrubbing, provenance, and the offline synthesizer.

Modes (``--record-mode`` comes from pytest-recording; the default is ``none``):

* replay (default, CI): cassettes in ``cassettes/`` answer every request; real network is blocked
  except 127.0.0.1 (``--block-network`` in pyproject).
* re-record live: ``YESCALE_API_KEY=... YESCALE_ACCESS_KEY=... pytest tests/integration
  --record-mode=rewrite`` sends the tests' requests to the real service and rewrites the cassettes,
  each marked ``# source: recorded live``.
* re-synthesize: ``YESCALE_SYNTHESIZE=1 pytest tests/integration --record-mode=rewrite`` answers
  every request from ``tests/synth`` (the reference's documented examples) instead of the network,
  and marks each cassette ``# source: synthesized``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import json
import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
TESTS = ROOT / "tests"
SYNTHESIZE = os.environ.get("YESCALE_SYNTHESIZE") == "1"

#: Keys used when replaying: not real, and not shaped like real keys.
OFFLINE_API_KEY = "offline-test-api-key"
OFFLINE_ACCESS_KEY = "offline-test-access-key"

SECRET_HEADERS = ["authorization", "x-goog-api-key", "x-api-key", "api-key", "cookie"]
SECRET_QUERY = ["key", "api_key", "token"]
DROPPED_RESPONSE_HEADERS = {
    "set-cookie",
    "x-request-id",
    "x-oneapi-request-id",
    "x-new-api-request-id",
    "request-id",
    "cf-ray",
    "openai-organization",
    "x-goog-request-id",
}
_SECRET_JSON_FIELDS = re.compile(rb'("(?:access_token|api_key|apikey|key|secret)"\s*:\s*)"[^"]*"')
_KEY_SHAPES = re.compile(rb"sk-[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{20,}")


def _live_secrets() -> list[bytes]:
    values = [os.environ.get("YESCALE_API_KEY", ""), os.environ.get("YESCALE_ACCESS_KEY", "")]
    return [v.encode() for v in values if v and v not in (OFFLINE_API_KEY, OFFLINE_ACCESS_KEY)]


def scrub_bytes(body: bytes) -> bytes:
    """Remove every key-like value from a recorded body."""
    for secret in _live_secrets():
        body = body.replace(secret, b"***")
    body = _SECRET_JSON_FIELDS.sub(rb'\1"***"', body)
    return _KEY_SHAPES.sub(b"sk-***", body)


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in DROPPED_RESPONSE_HEADERS:
            del headers[name]
    body = response.get("body", {})
    if isinstance(body.get("string"), bytes):
        body["string"] = scrub_bytes(body["string"])
    elif isinstance(body.get("string"), str):
        body["string"] = scrub_bytes(body["string"].encode()).decode()
    return response


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    # No record_mode / cassette_library_dir here: either would override the command line.
    return {
        "filter_headers": SECRET_HEADERS,
        "filter_query_parameters": SECRET_QUERY,
        "before_record_response": scrub_response,
        "match_on": ["method", "scheme", "host", "port", "path", "query", "json_body"],
        "decode_compressed_response": True,
        "allow_playback_repeats": False,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """``cassettes/<tests sub-folder>/<test module>/``."""
    relative = Path(request.path).resolve().relative_to(TESTS).with_suffix("")
    return str(CASSETTES / relative)


# ---------------------------------------------------------------------------------------------
# Provenance: every cassette's first line says where it came from.


class ProvenancePersister:
    """vcrpy persister that writes a ``# source: ...`` header line above each cassette."""

    @staticmethod
    def header() -> str:
        today = _dt.date.today().isoformat()
        if SYNTHESIZE:
            return (
                "# source: synthesized from the YEScale API reference (shared/yescale-api) and the "
                f"public OpenAI/Gemini/Anthropic wire formats by tests/synth on {today}; not "
                "recorded live.\n"
                "# regenerate: YESCALE_SYNTHESIZE=1 pytest tests --record-mode=rewrite\n"
            )
        return (
            f"# source: recorded live against the YEScale service on {today}.\n"
            "# re-record: YESCALE_API_KEY=... YESCALE_ACCESS_KEY=... pytest tests "
            "--record-mode=rewrite\n"
        )

    @classmethod
    def load_cassette(cls, cassette_path: str, serializer: Any) -> Any:
        from vcr.persisters.filesystem import FilesystemPersister

        return FilesystemPersister.load_cassette(cassette_path, serializer)

    @classmethod
    def save_cassette(cls, cassette_path: str, cassette_dict: Any, serializer: Any) -> None:
        from vcr.serialize import serialize

        data = serialize(cassette_dict, serializer)
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(cls.header() + data, encoding="utf-8")


def _same_words_in_descriptions(value: Any) -> Any:
    """A JSON body with every ``description`` string's white space folded.

    Tool descriptions come from docstrings, and Python 3.13 strips their indentation when it
    compiles them: the same tool is described with other white space on 3.10-3.12.
    """
    if isinstance(value, dict):
        return {
            k: " ".join(v.split())
            if k == "description" and isinstance(v, str)
            else _same_words_in_descriptions(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_same_words_in_descriptions(v) for v in value]
    return value


def json_body(r1: Any, r2: Any) -> None:
    """vcrpy's ``body`` matcher, but JSON bodies compare with descriptions' white space folded."""
    from vcr.matchers import body

    try:
        one, two = (json.loads(r.body) for r in (r1, r2))
    except (TypeError, ValueError):
        try:
            body(r1, r2)  # vcrpy's transforms: form fields in any order...
        except ValueError:  # ...but it parses a JSON content type as JSON, whatever the body
            assert r1.body == r2.body, f"{r1.body!r} != {r2.body!r}"
        return
    if _same_words_in_descriptions(one) != _same_words_in_descriptions(two):
        body(r1, r2)  # raises, with vcrpy's own account of the difference


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_persister(ProvenancePersister)
    vcr.register_matcher("json_body", json_body)


# ---------------------------------------------------------------------------------------------
# Keys and the synthesizer


def _record_mode(config: pytest.Config) -> str:
    return str(config.getoption("--record-mode", default="none") or "none")


@contextlib.contextmanager
def warnings_as_errors(category: type[Warning] = Warning) -> Iterator[None]:
    """Every warning of ``category`` raised inside the block is an error, except the
    ``ResourceWarning`` of garbage other tests left: an event loop a library made implicitly
    (``asyncio.get_event_loop()`` on 3.10 to 3.13) and nobody closed warns when the collector
    happens to run, which may be inside this block. That garbage is collected first, and the
    collector's later warnings are not this block's."""
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("error", category)
        warnings.simplefilter("default", ResourceWarning)
        yield


@pytest.fixture(autouse=True)
def _keys(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replay and synthesis use fixed fake keys; live recording uses the environment's."""
    live = _record_mode(request.config) != "none" and not SYNTHESIZE
    if not live:
        monkeypatch.setenv("YESCALE_API_KEY", OFFLINE_API_KEY)
        monkeypatch.setenv("YESCALE_ACCESS_KEY", OFFLINE_ACCESS_KEY)
    for name in ("YESCALE_BASE_URL", "YESCALE_SYSTEM_BASE_URL"):
        if not live:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _synthesizer(request: pytest.FixtureRequest) -> Iterator[None]:
    """With ``YESCALE_SYNTHESIZE=1``, answer HTTP from tests/synth below vcrpy (which records)."""
    if not SYNTHESIZE or request.node.get_closest_marker("vcr") is None:
        yield
        return
    from tests.synth.patch import synthesized_http

    with synthesized_http(request):
        yield


@pytest.fixture(autouse=True)
def _own_connection_pools(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own process-wide pools: clients share pools across keys (and would
    across tests), and tests that patch ``httpx.Client`` must see their own class used."""
    from yescale._http import pools

    monkeypatch.setattr(pools, "_SHARED", {})


@pytest.fixture(autouse=True)
def _cooldowns_forgotten() -> None:
    """429 cooldowns are process-wide (``yescale._http.cooldown``): no test is held by the
    ``Retry-After`` of another's 429 (a replayed 429 says 20 s)."""
    from yescale._http import cooldown

    cooldown.SHARED.clear()


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries still happen, in the same number and for the same reasons, but each backoff the
    policy chooses is cut to a millisecond: for tests about what a retry does, not how long it
    waits. Returns the delays the policy chose, uncut."""
    from yescale import RetryPolicy

    chosen: list[float] = []
    delay_for = RetryPolicy.delay_for

    def short(self: RetryPolicy, attempt: int, error: Any) -> float | None:
        delay = delay_for(self, attempt, error)
        if delay is not None:
            chosen.append(delay)
            return min(delay, 0.001)
        return None

    monkeypatch.setattr(RetryPolicy, "delay_for", short)
    return chosen


@pytest.fixture
def live_recording(request: pytest.FixtureRequest) -> bool:
    """True when this run talks to the real service (re-recording with a real key)."""
    return _record_mode(request.config) != "none" and not SYNTHESIZE


@pytest.fixture(autouse=True)
def _prices_forgotten() -> Iterator[None]:
    """Prices are process-wide (yescale.costs): no test sees another's."""
    from yescale.costs import use_prices

    use_prices(None)
    yield
    use_prices(None)


@pytest.fixture
def no_prices() -> Iterator[None]:
    """No prices before or after the test, and the profiles' catalog limits forgotten after it
    (loading prices applies the catalog's limits too)."""
    from yescale.models.profiles import reset_profiles

    yield
    reset_profiles()

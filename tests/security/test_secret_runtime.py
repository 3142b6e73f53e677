"""The key never shows while objects work: callbacks and tracing, logs, errors, results.

* LangChain: a callback handler records everything ``on_chat_model_start`` / ``on_llm_*`` /
  ``on_tool_*`` / custom events receive (``serialized``, ``invocation_params``, ``metadata`` with
  the LangSmith ``ls_*`` parameters, outputs, errors), and a run collector keeps the run trees a
  LangSmith tracer would upload; all of it is dumped and scanned.
* LlamaIndex: an instrumentation event handler and span handler on the root dispatcher, and a
  legacy callback handler, record what they receive (``model_dict``, payloads, bound arguments).
* Logs: every record of every logger at level 1 (httpx, httpcore, yescale included), over
  ``httpx.MockTransport`` and over real HTTP to 127.0.0.1, where httpcore logs the response
  headers (the service here echoes the key in one).
* Errors: 401 and 500 answers that echo the key and the auth header back, connection errors
  whose text holds the request headers, and bad input; sync, async and streaming; every
  rendering of the error and of its chain (``str``, ``repr``, ``args``, attributes, traceback,
  pickle).
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import httpx
import pytest

from yescale import (
    APIConnectionError,
    AuthenticationError,
    InternalServerError,
    YEScaleClient,
    YEScaleError,
)

from .conftest import (
    ACALLABLE,
    ACCESS_KEY,
    API_KEY,
    CALLABLE,
    FRAMEWORK_SUBJECTS,
    SUBJECTS,
    USER,
    Service,
    Subject,
    assert_clean,
    assert_exception_clean,
    ids,
    serve,
)

STREAMING = [s for s in SUBJECTS if s.stream is not None]


def _dump(value: Any) -> str:
    def default(obj: Any) -> Any:
        if hasattr(obj, "model_dump"):
            try:
                return obj.model_dump(mode="json")
            except Exception:
                return repr(obj)
        return repr(obj)

    return json.dumps(value, default=default) + repr(value)


# -- LangChain callbacks and tracing --------------------------------------------------------------


def _lc_handlers() -> tuple[Any, Any]:
    from langchain_core.callbacks import BaseCallbackHandler
    from langchain_core.tracers.run_collector import RunCollectorCallbackHandler

    class Capture(BaseCallbackHandler):
        raise_error = True  # a broken handler fails the test instead of logging a warning

        def __init__(self) -> None:
            self.seen: list[tuple[str, Any]] = []

        def _add(self, _event: str, *values: Any, **kwargs: Any) -> None:
            kwargs = {k: v for k, v in kwargs.items() if not isinstance(v, UUID)}
            self.seen.append((_event, (values, kwargs)))

        def on_chat_model_start(self, serialized: Any, messages: Any, **kw: Any) -> None:
            self._add("on_chat_model_start", serialized, messages, **kw)

        def on_llm_start(self, serialized: Any, prompts: Any, **kw: Any) -> None:
            self._add("on_llm_start", serialized, prompts, **kw)

        def on_llm_new_token(self, token: str, **kw: Any) -> None:
            self._add("on_llm_new_token", token, **kw)

        def on_llm_end(self, response: Any, **kw: Any) -> None:
            self._add("on_llm_end", response, **kw)

        def on_llm_error(self, error: BaseException, **kw: Any) -> None:
            self._add("on_llm_error", repr(error), str(error), **kw)

        def on_tool_start(self, serialized: Any, input_str: str, **kw: Any) -> None:
            self._add("on_tool_start", serialized, input_str, **kw)

        def on_tool_end(self, output: Any, **kw: Any) -> None:
            self._add("on_tool_end", output, **kw)

        def on_tool_error(self, error: BaseException, **kw: Any) -> None:
            self._add("on_tool_error", repr(error), str(error), **kw)

        def on_custom_event(self, name: str, data: Any, **kw: Any) -> None:
            self._add("on_custom_event", name, data, **kw)

        def on_chain_start(self, serialized: Any, inputs: Any, **kw: Any) -> None:
            self._add("on_chain_start", serialized, inputs, **kw)

        def on_chain_end(self, outputs: Any, **kw: Any) -> None:
            self._add("on_chain_end", outputs, **kw)

    return Capture(), RunCollectorCallbackHandler()


LC_RUNNABLES = [
    s for s in FRAMEWORK_SUBJECTS if s.framework == "langchain" and s.name != "YEScaleEmbeddings"
]


def _lc_call(subject: Subject, obj: Any, config: dict[str, Any], mode: str) -> Any:
    if subject.name.startswith("Chat"):
        if mode == "stream":
            return list(obj.stream("Hi", config=config))
        if mode == "async":
            return asyncio.run(obj.ainvoke("Hi", config=config))
        return obj.invoke("Hi", config=config)
    args = {
        "YEScaleImageGenerationTool": {"prompt": "a red fox"},
        "YEScaleMediaTaskTool": {"model": "sora-2", "prompt": "a cat surfing"},
        "YEScaleGeminiStructuredOutputTool": {"text": "Invoice INV-7"},
        "YEScaleSpeechToTextTool": {"file": "hello.wav"},
        "YEScaleTextToSpeechTool": {"text": "Hello there."},
    }[subject.name]
    call = {"type": "tool_call", "id": "call-1", "name": obj.name, "args": args}
    if mode == "async":
        return asyncio.run(obj.ainvoke(call, config=config))
    return obj.invoke(call, config=config)


def _lc_modes(subject: Subject) -> list[str]:
    return ["sync", "async", "stream"] if subject.name.startswith("Chat") else ["sync", "async"]


LC_CASES = [
    pytest.param(s, mode, id=f"{s.name}-{mode}") for s in LC_RUNNABLES for mode in _lc_modes(s)
]


@pytest.mark.parametrize(("subject", "mode"), LC_CASES)
@pytest.mark.parametrize("outcome", ["success", "401"])
def test_langchain_callbacks_and_traces_never_see_the_key(
    subject: Subject, mode: str, outcome: str
) -> None:
    service = Service(fail=401 if outcome == "401" else None)
    obj = subject.build(service)
    capture, runs = _lc_handlers()
    config = {"callbacks": [capture, runs], "metadata": {"app": "security-suite"}}
    if outcome == "success":
        result = _lc_call(subject, obj, config, mode)
        assert_clean(_dump(result), f"{subject.name} result")
    else:
        with pytest.raises(AuthenticationError) as info:
            _lc_call(subject, obj, config, mode)
        assert_exception_clean(info.value, f"{subject.name} {mode}")
    names = [name for name, _ in capture.seen]
    if subject.name.startswith("Chat"):
        start = next(payload for name, payload in capture.seen if name == "on_chat_model_start")
        _, kwargs = start
        assert kwargs["invocation_params"]["model_name"]  # what LangSmith records as params
        assert kwargs["metadata"]["ls_provider"] == "yescale"
        assert start[0][0]["kwargs"]["api_key"]["type"] == "secret"  # a reference, not the key
        assert ("on_llm_end" if outcome == "success" else "on_llm_error") in names
    else:
        assert "on_tool_start" in names
        assert ("on_tool_end" if outcome == "success" else "on_tool_error") in names
    assert runs.traced_runs, "the run collector saw the run"
    assert_clean(_dump(capture.seen), f"{subject.name} callbacks")
    for run in runs.traced_runs:
        assert_clean(_dump(run.model_dump()), f"{subject.name} traced run")
        assert_clean(_dump(run.extra), f"{subject.name} run extra (invocation params, metadata)")


def test_langchain_media_progress_events_never_see_the_key() -> None:
    subject = next(s for s in LC_RUNNABLES if s.name == "YEScaleMediaTaskTool")
    obj = subject.build(Service())
    capture, runs = _lc_handlers()
    _lc_call(subject, obj, {"callbacks": [capture, runs]}, "sync")
    events = [payload for name, payload in capture.seen if name == "on_custom_event"]
    assert events, "progress was reported"
    assert_clean(_dump(events), "media progress events")


# -- LlamaIndex instrumentation and callbacks -----------------------------------------------------


@pytest.fixture
def li_capture() -> Iterator[list[Any]]:
    from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler
    from llama_index.core.instrumentation.span_handlers import SimpleSpanHandler

    seen: list[Any] = []

    class Events(BaseEventHandler):
        @classmethod
        def class_name(cls) -> str:
            return "SecurityEvents"

        def handle(self, event: Any, **kwargs: Any) -> None:
            seen.append(("event", type(event).__name__, event.model_dump(mode="json")))

    class Spans(SimpleSpanHandler):
        def new_span(self, id_: str, bound_args: Any, instance: Any = None, **kw: Any) -> Any:
            seen.append(("span", id_, repr(bound_args.arguments), repr(instance)))
            return super().new_span(id_, bound_args, instance, **kw)

        def prepare_to_exit_span(
            self, id_: str, bound_args: Any, instance: Any = None, result: Any = None, **kw: Any
        ) -> Any:
            seen.append(("span exit", id_, repr(result)))
            return super().prepare_to_exit_span(id_, bound_args, instance, result, **kw)

        def prepare_to_drop_span(
            self, id_: str, bound_args: Any, instance: Any = None, err: Any = None, **kw: Any
        ) -> Any:
            seen.append(("span drop", id_, repr(err), str(err)))
            return super().prepare_to_drop_span(id_, bound_args, instance, err, **kw)

    root = get_dispatcher()
    events, spans = Events(), Spans()
    root.add_event_handler(events)
    root.add_span_handler(spans)
    try:
        yield seen
    finally:
        root.event_handlers.remove(events)
        root.span_handlers.remove(spans)


def _li_callback_manager() -> tuple[Any, list[Any]]:
    from llama_index.core.callbacks import CallbackManager
    from llama_index.core.callbacks.base_handler import BaseCallbackHandler

    seen: list[Any] = []

    class Legacy(BaseCallbackHandler):
        def __init__(self) -> None:
            super().__init__(event_starts_to_ignore=[], event_ends_to_ignore=[])

        def on_event_start(self, event_type: Any, payload: Any = None, **kw: Any) -> str:
            seen.append(("start", str(event_type), payload))
            return kw.get("event_id", "")

        def on_event_end(self, event_type: Any, payload: Any = None, **kw: Any) -> None:
            seen.append(("end", str(event_type), payload))

        def start_trace(self, trace_id: str | None = None) -> None:
            pass

        def end_trace(self, trace_id: str | None = None, trace_map: Any = None) -> None:
            pass

    return CallbackManager([Legacy()]), seen


LI_OBJECTS = [s for s in FRAMEWORK_SUBJECTS if s.framework == "llama_index"]
LI_CASES = [
    pytest.param(s, mode, id=f"{s.name}-{mode}")
    for s in LI_OBJECTS
    for mode in (["sync", "async", "stream"] if s.stream else ["sync", "async"])
]


@pytest.mark.parametrize(("subject", "mode"), LI_CASES)
@pytest.mark.parametrize("outcome", ["success", "401"])
def test_llama_index_events_spans_and_callbacks_never_see_the_key(
    subject: Subject, mode: str, outcome: str, li_capture: list[Any]
) -> None:
    service = Service(fail=401 if outcome == "401" else None)
    extra: dict[str, Any] = {}
    legacy: list[Any] = []
    # the tool spec and the reader take no callback manager (no LLM / embedding events either)
    no_events = subject.name in ("YEScaleToolSpec", "YEScaleAudioReader")
    if not no_events:
        extra["callback_manager"], legacy = _li_callback_manager()
    obj = subject.build(service, **extra)
    run = {"sync": subject.call, "stream": subject.stream}.get(mode)

    def go() -> Any:
        if mode == "async":
            assert subject.acall is not None
            return asyncio.run(subject.acall(obj))
        assert run is not None
        return run(obj)

    if outcome == "success":
        assert_clean(_dump(go()), f"{subject.name} result")
    else:
        with pytest.raises(AuthenticationError) as info:
            go()
        assert_exception_clean(info.value, f"{subject.name} {mode}")
    if not no_events:  # (image calls send no events; media: see below)
        assert li_capture, "instrumentation saw the call"
        model_dicts = [e[2].get("model_dict") for e in li_capture if e[0] == "event"]
        assert any(d for d in model_dicts), "events carry the object's to_dict()"
        assert legacy, "the legacy callback manager saw the call"
    assert_clean(_dump(li_capture), f"{subject.name} instrumentation")
    assert_clean(_dump(legacy), f"{subject.name} legacy callbacks")


def test_llama_index_media_events_never_see_the_key(li_capture: list[Any]) -> None:
    from .conftest import BY_NAME

    spec = BY_NAME["YEScaleToolSpec"].build(Service())
    outcome = spec.generate_media("sora-2", "a cat surfing")
    assert outcome.state == "succeeded"
    kinds = {e[1] for e in li_capture if e[0] == "event"}
    assert {"YEScaleMediaTaskProgressEvent", "YEScaleMediaTaskResultEvent"} <= kinds
    assert_clean(_dump(li_capture), "media events")
    assert_clean(_dump(outcome.artifact()) + str(outcome), "media outcome")


# -- logs ------------------------------------------------------------------------------------------


def _records_text(records: list[logging.LogRecord]) -> str:
    parts = []
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in records:
        parts.append(formatter.format(record))
        parts.append(repr(record.__dict__))
    return "\n".join(parts)


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(1)
    for name in ("httpx", "httpcore", "hpack", "yescale", "langchain_core", "llama_index"):
        caplog.set_level(1, logger=name)
    return caplog


SCENARIOS = ["success", "401", "500", "connect"]


def _service(scenario: str) -> Service:
    return Service(fail={"401": 401, "500": 500}.get(scenario), connect_error=scenario == "connect")


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("subject", CALLABLE, ids=ids(CALLABLE))
def test_logs_never_show_the_key(
    subject: Subject, scenario: str, all_logs: pytest.LogCaptureFixture, fast_retries: list[float]
) -> None:
    service = _service(scenario)
    obj = subject.build(service, max_retries=1)  # the retry is logged too
    assert subject.call is not None
    try:
        subject.call(obj)
    except (YEScaleError, ValueError):
        assert scenario != "success"
    else:
        assert scenario == "success"
    assert service.requests, "a request was made"
    assert all_logs.records, "logging was captured"
    if scenario == "connect":  # never sent, so retried everywhere (unlike a paid submit's 500)
        assert fast_retries, "the failure was retried, so the retry was logged too"
    assert_clean(_records_text(all_logs.records), f"{subject.name} logs ({scenario})")


@pytest.mark.parametrize("scenario", ["success", "401", "500"])
def test_logs_over_real_http_never_show_the_key(
    scenario: str, all_logs: pytest.LogCaptureFixture
) -> None:
    """Our own pooled clients (no injected transport) to a server on 127.0.0.1: httpcore logs
    the connection, and the response headers, at DEBUG; the server echoes the credentials in a
    response header (as a misconfigured proxy might), which the log filter scrubs."""
    import langchain_yescale as lc
    import llama_index_yescale as li

    service = _service(scenario)
    with serve(_EchoingService(service)) as served:
        url = served.url
        client = YEScaleClient(
            api_key=API_KEY,
            access_key=ACCESS_KEY,
            base_url=url,
            system_base_url=url,
            max_retries=0,
        )
        calls: list[Any] = [
            lambda: client.chat.create(model="gpt-4o-mini", messages=USER),
            lambda: client.gemini.generate_content(model="gemini-2.5-flash", contents="Hi"),
            lambda: client.system.user(),
            lambda: lc.ChatYEScale(api_key=API_KEY, base_url=url, max_retries=0).invoke("Hi"),
            lambda: li.YEScaleEmbedding(
                api_key=API_KEY, base_url=url, max_retries=0
            ).get_text_embedding("Hi"),
            lambda: asyncio.run(client.aio.chat.create(model="gpt-4o-mini", messages=USER)),
        ]
        for call in calls:
            try:
                call()
            except YEScaleError as error:
                assert scenario != "success"
                assert_exception_clean(error, "error over real HTTP")
        client.close()
    text = _records_text(all_logs.records)
    assert "receive_response_headers.complete" in text  # httpcore did log the headers
    assert "x-echo-credentials" in text.lower()
    assert_clean(text, f"logs over real HTTP ({scenario})")


class _EchoingService:
    """A Service whose API answers carry the request's credentials in a response header."""

    def __init__(self, inner: Service) -> None:
        self.inner = inner

    def __call__(self, request: httpx.Request) -> httpx.Response:
        response = self.inner(request)
        echoed = request.headers.get("authorization") or request.headers.get("x-goog-api-key")
        if echoed:
            response.headers["X-Echo-Credentials"] = echoed
        return response


def test_http2_header_logs_are_scrubbed(all_logs: pytest.LogCaptureFixture) -> None:
    """With an injected HTTP/2 client, ``hpack`` logs every header it encodes at DEBUG,
    Authorization included (``Adding (b'authorization', b'Bearer ...') to the header table``).
    h2 is not installed here, so the record is emitted exactly as hpack emits it."""
    YEScaleClient(api_key=API_KEY, access_key=ACCESS_KEY)  # the keys are now known to the filter
    hpack = logging.getLogger("hpack.hpack")
    hpack.debug(
        "Adding %s to the header table, sensitive:%s, huffman:%s",
        (b"authorization", f"Bearer {API_KEY}".encode()),
        False,
        True,
    )
    hpack.debug("Adding %s to the header table", (b"x-goog-api-key", API_KEY.encode()))
    hpack.debug("Encoded header block to %s", f"...{ACCESS_KEY}...".encode())
    records = [r for r in all_logs.records if r.name == "hpack.hpack"]
    assert len(records) == 3
    assert "Adding (b'authorization', b'Bearer ***')" in records[0].getMessage()
    assert_clean(_records_text(records), "hpack header logs")


def test_log_filter_leaves_other_records_alone(all_logs: pytest.LogCaptureFixture) -> None:
    logging.getLogger("httpx").info("HTTP Request: %s %s", "POST", "https://api.yescale.io/v1")
    (record,) = [r for r in all_logs.records if r.name == "httpx"]
    assert record.getMessage() == "HTTP Request: POST https://api.yescale.io/v1"
    assert record.args == ("POST", "https://api.yescale.io/v1")  # untouched, still lazy


# -- errors ----------------------------------------------------------------------------------------


EXPECTED: dict[str, type[BaseException]] = {
    "401": AuthenticationError,
    "500": InternalServerError,
    "connect": APIConnectionError,
}


@pytest.mark.parametrize("scenario", ["401", "500", "connect"])
@pytest.mark.parametrize("subject", CALLABLE, ids=ids(CALLABLE))
def test_api_errors_never_show_the_key(subject: Subject, scenario: str) -> None:
    service = _service(scenario)
    obj = subject.build(service)
    assert subject.call is not None
    with pytest.raises(EXPECTED[scenario]) as info:
        subject.call(obj)
    assert_exception_clean(info.value, f"{subject.name} {scenario}")
    assert _key_was_sent(service)  # so the answer (or the connection error) echoed it


@pytest.mark.parametrize("scenario", ["401", "500", "connect"])
@pytest.mark.parametrize("subject", ACALLABLE, ids=ids(ACALLABLE))
def test_async_api_errors_never_show_the_key(subject: Subject, scenario: str) -> None:
    obj = subject.build(_service(scenario))
    assert subject.acall is not None
    with pytest.raises(EXPECTED[scenario]) as info:
        asyncio.run(subject.acall(obj))
    assert_exception_clean(info.value, f"{subject.name} async {scenario}")


@pytest.mark.parametrize("scenario", ["401", "500", "connect"])
@pytest.mark.parametrize("subject", STREAMING, ids=ids(STREAMING))
def test_stream_errors_never_show_the_key(subject: Subject, scenario: str) -> None:
    obj = subject.build(_service(scenario))
    assert subject.stream is not None
    with pytest.raises(EXPECTED[scenario]) as info:
        subject.stream(obj)
    assert_exception_clean(info.value, f"{subject.name} stream {scenario}")


BAD = [s for s in SUBJECTS if s.bad_input is not None]


@pytest.mark.parametrize("subject", BAD, ids=ids(BAD))
def test_bad_input_errors_never_show_the_key(subject: Subject) -> None:
    service = Service()
    obj = subject.build(service)
    assert subject.bad_input is not None
    with pytest.raises(ValueError) as info:
        subject.bad_input(obj)
    assert service.requests == []  # refused before sending
    assert_exception_clean(info.value, f"{subject.name} bad input")


@pytest.mark.parametrize(
    "family",
    ["chat", "gemini", "embeddings", "images", "media submit", "media poll", "system", "download"],
)
@pytest.mark.parametrize("scenario", ["401", "500", "connect"])
def test_client_errors_of_every_endpoint_never_show_the_key(family: str, scenario: str) -> None:
    from .conftest import _client

    service = _service(scenario)
    if family == "download" and scenario != "connect":
        service = _FailingCDN(int(scenario))  # type: ignore[assignment]
    client = _client(service)
    calls = {
        "chat": lambda: client.chat.create(model="gpt-4o-mini", messages=USER),
        "gemini": lambda: client.gemini.generate_content(model="gemini-2.5-flash", contents="Hi"),
        "embeddings": lambda: client.embeddings.create(model="text-embedding-3-small", input="a"),
        "images": lambda: client.images.generate(prompt="a fox", model="gpt-image-1"),
        "media submit": lambda: client.media.submit(model="sora-2", prompt="a cat"),
        "media poll": lambda: client.media.get("task-1"),
        "system": lambda: client.system.user(),
        "download": lambda: client.media.download(
            "https://cdn.example.com/v.mp4?sig=1", "/nonexistent-dir/x.mp4"
        ),
    }
    with pytest.raises((YEScaleError, ValueError)) as info:
        calls[family]()
    assert_exception_clean(info.value, f"client {family} {scenario}")


def _key_was_sent(service: Service) -> bool:
    sent = [dict(r.headers) for r in service.requests]
    return bool(sent) and all(
        API_KEY in (h.get("authorization", "") + h.get("x-goog-api-key", "")) for h in sent
    )


class _FailingCDN(Service):
    def __init__(self, status: int) -> None:
        super().__init__()
        self.status = status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._failure(request, self.status)


def test_system_api_refusal_never_shows_the_access_key() -> None:
    """A ``{"success": false}`` envelope (HTTP 200) echoing the access key."""
    from .conftest import _client

    def refuse(request: httpx.Request) -> httpx.Response:
        message = f"invalid access token {request.headers['authorization']}"
        return httpx.Response(200, json={"success": False, "message": message})

    with pytest.raises(AuthenticationError) as info:
        _client(refuse).system.user()
    assert "HTTP 400" not in str(info.value)
    assert_exception_clean(info.value, "system API refusal")


def test_tool_errors_returned_to_the_model_never_show_the_key() -> None:
    """With ``handle_tool_error`` (the default) an input error becomes the ToolMessage the model
    reads; an API error (401) is raised."""
    import langchain_yescale as lc

    from .conftest import clients

    service = Service()
    http = clients(service)
    tool = lc.YEScaleImageGenerationTool(
        api_key=API_KEY, http_client=http["sync"], http_async_client=http["async"], max_retries=0
    )
    call = {"type": "tool_call", "id": "1", "name": tool.name, "args": {"prompt": "x", "n": 99}}
    message = tool.invoke(call)
    assert message.status == "error"
    assert_clean(message.model_dump_json(), "ToolMessage of an input error")
    service.fail = 401
    with pytest.raises(AuthenticationError) as info:
        tool.invoke({**call, "args": {"prompt": "x"}})
    assert_exception_clean(info.value, "tool 401")


def test_results_and_their_pickles_never_hold_the_key() -> None:
    """What calls return (messages, responses, artifacts, system answers) can be logged,
    checkpointed or pickled: the user info's ``access_token`` (the access key) stays masked."""
    from .conftest import BY_NAME, _client

    results: list[Any] = []
    for subject in CALLABLE:
        assert subject.call is not None
        results.append(subject.call(subject.build(Service())))
    client = _client(Service())
    user = client.system.user()
    assert user.access_token is not None
    assert user.access_token.get_secret_value() == ACCESS_KEY  # it is there, masked
    results.append(user)
    results.append(BY_NAME["YEScaleToolSpec"].build(Service()).generate_media("sora-2", "x"))
    for result in results:
        assert_clean(_dump(result), f"result {type(result).__name__}")
        try:
            data = pickle.dumps(result)
        except Exception:
            continue
        if result is user:
            continue  # a SecretStr pickles its value, like any pickle of configured objects
        assert_clean(data, f"pickle of {type(result).__name__}")

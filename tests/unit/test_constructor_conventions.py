"""Constructor conventions: every argument a user of the peers types is used, warned about, or
refused with a clear error; never accepted and silently dropped.

Every public class of both frameworks is built with every argument a user coming from
langchain-openai (``ChatOpenAI``, ``OpenAIEmbeddings``), langchain-google-genai
(``ChatGoogleGenerativeAI``) or llama-index (``OpenAI``, ``OpenAILike``, ``OpenAIEmbedding``) is
likely to type, against a fake service on an ``httpx.MockTransport`` (nothing leaves the
process). Each argument must end in one of three ways:

* used: its value reaches the request (body, URL, headers) or the client's settings, or the
  object's own option it names (for options about the object, not the request);
* warned: a ``UserWarning`` naming the argument, the class and where it went (``model_kwargs`` /
  ``additional_kwargs``, whose content is then sent, or "ignored");
* refused: an error naming the argument and the class (and never a key's value).
"""

from __future__ import annotations

import ast
import json
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests.security.conftest import AsyncSleeps, Invoice, Service, Sleeps, recordings_dir
from yescale import ClientSettings

ROOT = Path(__file__).resolve().parents[2]

MY_KEY = "sk-mine-0123456789abcdefABCDEF"
FOREIGN_KEY = "sk-foreign-ZYXWVUT9876543210"
LOCAL_URL = "http://127.0.0.1:9"

# -- the classes ------------------------------------------------------------------------------


def _lc(name: str) -> type[Any]:
    import langchain_yescale

    return getattr(langchain_yescale, name)  # type: ignore[no-any-return]


def _li(name: str) -> type[Any]:
    import llama_index_yescale

    return getattr(llama_index_yescale, name)  # type: ignore[no-any-return]


def _chat_li(obj: Any) -> Any:
    from llama_index.core.base.llms.types import ChatMessage

    return obj.chat([ChatMessage(role="user", content="Hi")])


def _read_recording(reader: Any) -> Any:
    return reader.load_data(recordings_dir() / "hello.wav")


def _spec_calls(spec: Any) -> Any:
    spec.extract_structured("Invoice INV-7")
    return spec.generate_image("a red fox")


class Kind:
    """How to build one public class against a service and make one request with it."""

    def __init__(
        self,
        name: str,
        framework: str,
        call: Callable[[Any], Any],
        *,
        passthrough: str | None,
        model: str | None,
        fixed: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.framework = framework
        self.call = call
        self.passthrough = passthrough
        self.model = model  # a valid model for model= / model_name= (None: not an option)
        self.fixed = fixed or {}

    def cls(self) -> type[Any]:
        return _lc(self.name) if self.framework == "langchain" else _li(self.name)

    def build(self, service: Service, **kwargs: Any) -> Any:
        transport = httpx.MockTransport(service)
        http: dict[str, Any] = {"http_client": httpx.Client(transport=transport)}
        if self.framework == "langchain":
            http["http_async_client"] = httpx.AsyncClient(transport=transport)
        else:
            http["async_http_client"] = httpx.AsyncClient(transport=transport)
        if not any(name.endswith("api_key") for name in kwargs):
            kwargs["api_key"] = MY_KEY
        return self.cls()(**self.fixed, **http, **kwargs)

    def __repr__(self) -> str:
        return self.name


KINDS = [
    Kind(
        "ChatYEScale",
        "langchain",
        lambda o: o.invoke("Hi"),
        passthrough="model_kwargs",
        model="gpt-4.1-mini",
    ),
    Kind(
        "ChatYEScaleGemini",
        "langchain",
        lambda o: o.invoke("Hi"),
        passthrough="model_kwargs",
        model="gemini-2.0-flash",
    ),
    Kind(
        "ChatYEScaleAnthropic",
        "langchain",
        lambda o: o.invoke("Hi"),
        passthrough="model_kwargs",
        model="claude-haiku-4-5",
    ),
    Kind(
        "YEScaleEmbeddings",
        "langchain",
        lambda o: o.embed_documents(["a", "b"]),
        passthrough="model_kwargs",
        model="text-embedding-3-large",
    ),
    Kind(
        "YEScaleImageGenerationTool",
        "langchain",
        lambda t: t.invoke({"prompt": "a red fox"}),
        passthrough=None,
        model="dall-e-3",
        fixed={"handle_tool_error": False},
    ),
    Kind(
        "YEScaleMediaTaskTool",
        "langchain",
        lambda t: t.invoke({"model": "sora-2", "prompt": "a cat surfing"}),
        passthrough=None,
        model=None,
        fixed={"handle_tool_error": False, "sleep": Sleeps(), "async_sleep": AsyncSleeps()},
    ),
    Kind(
        "YEScaleGeminiStructuredOutputTool",
        "langchain",
        lambda t: t.invoke({"text": "Invoice INV-7"}),
        passthrough=None,
        model="gemini-2.0-flash",
        fixed={"handle_tool_error": False, "schema": Invoice},
    ),
    Kind(
        "YEScaleSpeechToTextTool",
        "langchain",
        lambda t: t.invoke({"file": "hello.wav"}),
        passthrough=None,
        model="whisper-1",
        fixed={"handle_tool_error": False, "allowed_input_dirs": [recordings_dir()]},
    ),
    Kind(
        "YEScaleTextToSpeechTool",
        "langchain",
        lambda t: t.invoke({"text": "Hello there."}),
        passthrough=None,
        model="tts-1",
        fixed={"handle_tool_error": False},
    ),
    Kind("YEScale", "llama_index", _chat_li, passthrough="additional_kwargs", model="gpt-4.1-mini"),
    Kind(
        "YEScaleGemini",
        "llama_index",
        _chat_li,
        passthrough="additional_kwargs",
        model="gemini-2.0-flash",
    ),
    Kind(
        "YEScaleAnthropic",
        "llama_index",
        _chat_li,
        passthrough="additional_kwargs",
        model="claude-haiku-4-5",
    ),
    Kind(
        "YEScaleResponses",
        "llama_index",
        _chat_li,
        passthrough="additional_kwargs",
        model="gpt-5-mini",
    ),
    Kind(
        "YEScaleEmbedding",
        "llama_index",
        lambda o: o.get_text_embedding_batch(["a", "b"]),
        passthrough="additional_kwargs",
        model="text-embedding-3-large",
    ),
    Kind(
        "YEScaleToolSpec",
        "llama_index",
        _spec_calls,
        passthrough=None,
        model=None,
        fixed={"structured_schema": Invoice, "sleep": Sleeps(), "async_sleep": AsyncSleeps()},
    ),
    Kind(
        "YEScaleAudioReader",
        "llama_index",
        _read_recording,
        passthrough=None,
        model="whisper-1",
    ),
]
BY_NAME = {kind.name: kind for kind in KINDS}


def test_every_public_class_is_covered() -> None:
    import langchain_yescale
    import llama_index_yescale

    public = {
        name
        for module in (langchain_yescale, llama_index_yescale)
        for name in module.__all__
        if not name.endswith("Error") and isinstance(getattr(module, name), type)
    }
    # the argument schemas of the tools and the tool spec's event classes are not built by users;
    # the cost handlers take no settings (get_yescale_callback() makes them around a tracker)
    public -= {n for n in public if n.endswith(("Input", "Event", "Options", "Handler"))}
    assert public <= set(BY_NAME), sorted(public - set(BY_NAME))


# -- the arguments users of the peers type ------------------------------------------------------

#: argument -> a distinctive sample value (``None``: the class's own valid model)
PEER_ARGUMENTS: dict[str, Any] = {
    # the model
    "model": None,
    "model_name": None,
    # sampling and length
    "temperature": 0.37,
    "max_tokens": 77,
    "max_output_tokens": 78,
    "max_completion_tokens": 79,
    "top_p": 0.91,
    "top_k": 13,
    "n": 3,
    "stop": ["END-X"],
    "stop_sequences": ["END-Y"],
    "seed": 4242,
    "presence_penalty": 0.23,
    "frequency_penalty": 0.29,
    "logprobs": True,
    "top_logprobs": 4,
    "logit_bias": {"50256": -100},
    "reasoning_effort": "low",
    "reasoning": {"effort": "low"},
    "verbosity": "low",
    "thinking_budget": 512,
    "thinking_level": "low",
    "include_thoughts": True,
    "response_mime_type": "application/json",
    "response_modalities": ["TEXT"],
    "modalities": ["text"],
    "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
    "cached_content": "cachedContents/abc",
    "user": "user-77",
    "service_tier": "flex",
    "dimensions": 256,
    "encoding_format": "float",
    # passthrough dicts
    "model_kwargs": {"x_model_kwarg": 11},
    "additional_kwargs": {"x_additional": 12},
    "extra_body": {"x_extra_body": 13},
    # keys
    "api_key": MY_KEY,
    "yescale_api_key": MY_KEY,
    "openai_api_key": FOREIGN_KEY,
    "google_api_key": FOREIGN_KEY,
    "anthropic_api_key": FOREIGN_KEY,
    "azure_openai_api_key": FOREIGN_KEY,
    "groq_api_key": FOREIGN_KEY,
    "credentials": object(),
    # where requests go
    "base_url": LOCAL_URL,
    "api_base": LOCAL_URL,
    "openai_api_base": LOCAL_URL,
    "client_options": {"api_endpoint": LOCAL_URL},
    "organization": "org-1",
    "openai_organization": "org-1",
    "openai_proxy": "http://127.0.0.1:3128",
    "api_version": "2024-06-01",
    "openai_api_version": "2024-06-01",
    "openai_api_type": "azure",
    "deployment": "my-deployment",
    "default_query": {"a": "b"},
    "openai_client": object(),
    # HTTP behaviour
    "timeout": 12.5,
    "request_timeout": 12.5,
    "max_retries": 5,
    "default_headers": {"X-Peer": "yes"},
    "headers": {"X-Peer": "yes"},
    "additional_headers": {"X-Peer": "yes"},
    "reuse_client": False,
    "transport": "rest",
    # the peers' own machinery
    "streaming": True,
    "stream_usage": True,
    "tiktoken_model_name": "gpt-4o",
    "embedding_ctx_length": 8191,
    "check_embedding_ctx_length": False,
    "skip_empty": True,
    "show_progress_bar": True,
    "show_progress": True,
    "retry_min_seconds": 1,
    "retry_max_seconds": 5,
    "convert_system_message_to_human": True,
    "verbose": True,
    # options about the object (LlamaIndex, embeddings)
    "embed_batch_size": 10,
    "chunk_size": 10,
    "num_workers": 2,
    "context_window": 1000,
    "is_function_calling_model": True,
    "is_chat_model": True,
    "strict": True,
    "system_prompt": "Be brief.",
    # a typo
    "foo": 1,
    "temprature": 0.5,
}

KEY_ARGS = {"api_key", "yescale_api_key"}
URL_ARGS = {"base_url", "api_base", "openai_api_base"}
HEADER_ARGS = {"default_headers", "headers", "additional_headers"}
#: options about the object itself: used when the object holds them (under this name)
OBJECT_OPTIONS = {
    "streaming": "streaming",
    "stream_usage": "stream_usage",
    "verbose": "verbose",
    "show_progress_bar": "show_progress",
    "show_progress": "show_progress",
    "num_workers": "num_workers",
    "context_window": "context_window",
    "is_function_calling_model": "is_function_calling_model",
    "strict": "strict",
    "system_prompt": "system_prompt",
}
#: where the wire carries a request parameter, besides its own name (compared without case or
#: underscores, so ``max_output_tokens`` matches Gemini's ``maxOutputTokens``)
WIRE_NAMES: dict[str, set[str]] = {
    "model": {"model"},
    "model_name": {"model"},
    "max_tokens": {"maxoutputtokens", "maxcompletiontokens"},
    "max_output_tokens": {"maxtokens", "maxcompletiontokens"},
    "max_completion_tokens": {"maxtokens", "maxoutputtokens"},
    "stop": {"stopsequences"},
    "stop_sequences": {"stop"},
    "n": {"candidatecount"},
    "user": {"userid"},  # the Messages API's metadata.user_id
    "reasoning_effort": {"effort"},  # the Responses API's reasoning.effort
    "thinking_budget": {"thinkingbudget"},
    "embed_batch_size": set(),
    "chunk_size": set(),
}
#: options about batching, seen in how the texts are split into requests
BATCHING = {"embed_batch_size", "chunk_size"}


def _norm(name: str) -> str:
    return name.replace("_", "").lower()


def _bodies(service: Service) -> list[Any]:
    out = []
    for request in service.requests:
        if request.content[:1] == b"{":
            out.append(json.loads(request.content))
        elif request.headers.get("content-type", "").startswith("multipart/form-data"):
            out.append(_form_fields(request))  # audio uploads: the form fields
    return out


def _form_fields(request: Any) -> dict[str, str]:
    """The text fields of a multipart/form-data request (files left out)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.content)
    return {
        str(part.get_param("name", header="content-disposition")): part.get_content()
        for part in message.iter_parts()  # type: ignore[attr-defined]
        if part.get_filename() is None
    }


def _found(node: Any, names: set[str], value: Any) -> bool:
    """Whether ``value`` sits under one of ``names`` (normalized) anywhere in ``node``."""
    if isinstance(node, dict):
        for key, item in node.items():
            if _norm(str(key)) in names and (item == value or (item == [value])):
                return True
            if _found(item, names, value):
                return True
    elif isinstance(node, list):
        return any(_found(item, names, value) for item in node)
    return False


def _in_request(service: Service, arg: str, value: Any) -> bool:
    names = {_norm(arg), *WIRE_NAMES.get(arg, set())}
    if isinstance(value, dict) and arg in ("model_kwargs", "additional_kwargs", "extra_body"):
        return any(all(body.get(k) == v for k, v in value.items()) for body in _bodies(service))
    if arg in ("model", "model_name"):
        in_path = any(f"/models/{value}:" in r.url.path for r in service.requests)
        if in_path:
            return True
    return any(_found(body, names, value) for body in _bodies(service))


def _value(kind: Kind, arg: str) -> Any:
    value = PEER_ARGUMENTS[arg]
    return kind.model if value is None else value


def _client_of(obj: Any) -> Any:
    return obj.client


def _passthrough_of(kind: Kind, obj: Any) -> dict[str, Any]:
    assert kind.passthrough is not None
    return getattr(obj, kind.passthrough)  # type: ignore[no-any-return]


def _assert_used(kind: Kind, obj: Any, service: Service, arg: str, value: Any) -> None:
    settings: ClientSettings = _client_of(obj).settings
    if arg in ("timeout", "request_timeout"):
        assert settings.timeout.read == value, f"{kind}({arg}=...) did not reach the client"
        return
    if arg == "max_retries":
        assert settings.max_retries == value, f"{kind}({arg}=...) did not reach the client"
        return
    if arg in OBJECT_OPTIONS:
        owner = obj.options if kind.name == "YEScaleToolSpec" else obj
        held = getattr(owner, OBJECT_OPTIONS[arg], None)
        assert held == value, f"{kind}({arg}=...) was accepted but not used"
        return
    kind.call(obj)
    assert service.requests, f"{kind} sent no request"
    if arg in KEY_ARGS:
        for request in service.requests:
            sent = request.headers.get("authorization") or request.headers.get("x-goog-api-key")
            assert sent in (f"Bearer {MY_KEY}", MY_KEY), f"{kind}({arg}=...) key not sent"
        return
    if arg in URL_ARGS:
        assert {r.url.host for r in service.requests} == {"127.0.0.1"}, service.requests
        return
    if arg in HEADER_ARGS:
        assert all(r.headers.get("x-peer") == "yes" for r in service.requests)
        return
    if arg in BATCHING:
        # two texts, ten per batch: one request (the fake service answers any batch)
        assert len([r for r in service.requests if r.url.path == "/v1/embeddings"]) == 1
        return
    assert _in_request(service, arg, value), (
        f"{kind}({arg}={value!r}) was accepted without a warning, but is not in the request: "
        f"{_bodies(service)}"
    )


CASES = [
    pytest.param(kind, arg, id=f"{kind.name}-{arg}") for kind in KINDS for arg in PEER_ARGUMENTS
]


@pytest.mark.parametrize(("kind", "arg"), CASES)
def test_every_peer_argument_is_used_warned_or_refused(kind: Kind, arg: str) -> None:
    value = _value(kind, arg)
    if value is None:  # model= on a class without a model option: refused (below)
        value = "sora-2"
    service = Service()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            obj = kind.build(service, **{arg: value})
        except (ValueError, TypeError) as error:
            text = str(error)
            assert f"`{arg}`" in text, f"{kind}({arg}=...) refused without naming it: {text}"
            assert kind.name in text, f"the error does not name {kind}: {text}"
            if arg.endswith("api_key"):
                assert FOREIGN_KEY not in text
                assert MY_KEY not in text
                assert "api_key" in text
            return
    ours = [
        w for w in caught if issubclass(w.category, UserWarning) and f"`{arg}`" in str(w.message)
    ]
    if not ours:
        _assert_used(kind, obj, service, arg, value)
        return
    assert len(ours) == 1, [str(w.message) for w in ours]
    warning = ours[0]
    message = str(warning.message)
    assert kind.name in message, message
    assert warning.filename == __file__  # it points at the line that built the object
    assert FOREIGN_KEY not in message
    assert MY_KEY not in message
    if kind.passthrough is not None and kind.passthrough in message:
        assert _passthrough_of(kind, obj)[arg] == value
        kind.call(obj)
        assert _in_request(service, arg, value), f"{arg} moved to {kind.passthrough}, not sent"
    else:
        assert "ignore" in message, message
        kind.call(obj)
        assert not _in_request(service, arg, value), f"{kind} said it ignores {arg}, but sent it"


# -- the cases of the issue -----------------------------------------------------------------------


def _unknown_warning(caught: list[warnings.WarningMessage], arg: str) -> str:
    found = [str(w.message) for w in caught if f"`{arg}`" in str(w.message)]
    assert found, f"no warning about {arg}"
    return found[0]


def test_unknown_argument_warns_and_goes_to_model_kwargs() -> None:
    service = Service()
    with pytest.warns(UserWarning, match="model_kwargs") as caught:
        llm = BY_NAME["ChatYEScale"].build(service, foo=1, top_k=3)
    assert caught[0].filename == __file__  # the warning points at the caller's line
    for arg in ("foo", "top_k"):
        message = _unknown_warning(list(caught), arg)
        assert "ChatYEScale" in message
        assert "model_kwargs" in message
    assert llm.model_kwargs == {"foo": 1, "top_k": 3}
    llm.invoke("Hi")
    body = json.loads(service.requests[0].content)
    assert body["foo"] == 1
    assert body["top_k"] == 3


def test_unknown_argument_goes_to_additional_kwargs_in_llamaindex() -> None:
    service = Service()
    with pytest.warns(UserWarning, match="additional_kwargs") as caught:
        llm = BY_NAME["YEScale"].build(service, foo=1)
    assert caught[0].filename == __file__
    assert "`foo`" in str(caught[0].message)
    assert "YEScale" in str(caught[0].message)
    assert llm.additional_kwargs == {"foo": 1}
    _chat_li(llm)
    assert json.loads(service.requests[0].content)["foo"] == 1


def test_tools_refuse_unknown_arguments() -> None:
    for name in (
        "YEScaleImageGenerationTool",
        "YEScaleMediaTaskTool",
        "YEScaleGeminiStructuredOutputTool",
        "YEScaleToolSpec",
    ):
        with pytest.raises((ValueError, TypeError), match=rf"{name} .*`foo`|`foo`.*{name}"):
            BY_NAME[name].build(Service(), foo=1)


def test_a_typo_gets_a_suggestion() -> None:
    with pytest.raises(ValueError, match="output_dir") as info:
        BY_NAME["YEScaleImageGenerationTool"].build(Service(), outptu_dir="x")
    assert "`outptu_dir`" in str(info.value)
    with pytest.warns(UserWarning, match="temperature"):
        BY_NAME["ChatYEScale"].build(Service(), temprature=0.5)


def test_yescale_api_key_is_used_not_the_environment_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YESCALE_API_KEY", "sk-environment-key-000000000")
    for kind in KINDS:
        service = Service()
        obj = kind.build(service, yescale_api_key=MY_KEY)
        assert obj.client.settings.api_key.get_secret_value() == MY_KEY, kind
        kind.call(obj)
        sent = service.requests[0].headers
        assert MY_KEY in (sent.get("authorization", "") + sent.get("x-goog-api-key", "")), kind


@pytest.mark.parametrize(
    "arg", ["openai_api_key", "google_api_key", "anthropic_api_key", "azure_openai_api_key"]
)
def test_a_foreign_key_is_refused_not_replaced_by_the_environment_key(arg: str) -> None:
    # the environment holds a key (the root conftest sets YESCALE_API_KEY)
    for kind in KINDS:
        with pytest.raises(ValueError, match="api_key") as info:
            kind.build(Service(), **{arg: FOREIGN_KEY})
        text = str(info.value)
        assert f"`{arg}`" in text
        assert kind.name in text
        assert FOREIGN_KEY not in text
        assert FOREIGN_KEY not in repr(info.value.args)


def test_max_output_tokens_reaches_generation_config() -> None:
    service = Service()
    BY_NAME["ChatYEScaleGemini"].build(service, max_output_tokens=100).invoke("Hi")
    _chat_li(BY_NAME["YEScaleGemini"].build(service, max_output_tokens=100))
    for request in service.requests:
        assert json.loads(request.content)["generationConfig"]["maxOutputTokens"] == 100


@pytest.mark.parametrize("arg", ["api_base", "base_url", "openai_api_base"])
@pytest.mark.parametrize("name", ["YEScale", "YEScaleGemini", "YEScaleEmbedding", "ChatYEScale"])
def test_base_url_spellings_send_requests_there(arg: str, name: str) -> None:
    service = Service()
    kind = BY_NAME[name]
    obj = kind.build(service, **{arg: LOCAL_URL})
    kind.call(obj)
    assert [str(r.url).startswith(f"{LOCAL_URL}/") for r in service.requests] == [True] * len(
        service.requests
    )


def test_model_is_readable_on_langchain_chat_models() -> None:
    llm = BY_NAME["ChatYEScale"].build(Service(), model="gpt-4.1-mini")
    assert llm.model == llm.model_name == "gpt-4.1-mini"
    gemini = BY_NAME["ChatYEScaleGemini"].build(Service(), model_name="gemini-2.0-flash")
    assert gemini.model == "gemini-2.0-flash"


def test_model_name_is_accepted_by_llamaindex_llms() -> None:
    assert BY_NAME["YEScale"].build(Service(), model_name="gpt-4.1-mini").model == "gpt-4.1-mini"
    embedding = BY_NAME["YEScaleEmbedding"].build(Service(), model="text-embedding-3-large")
    assert embedding.model_name == "text-embedding-3-large"


@pytest.mark.parametrize(
    "name", ["YEScale", "YEScaleGemini", "YEScaleEmbedding", "YEScaleToolSpec"]
)
def test_llamaindex_timeout_takes_an_httpx_timeout(name: str) -> None:
    timeout = httpx.Timeout(30.0, connect=5.0)
    obj = BY_NAME[name].build(Service(), timeout=timeout)
    assert obj.client.settings.timeout == timeout
    again = BY_NAME[name].build(Service(), request_timeout=timeout)
    assert again.client.settings.timeout == timeout


def test_llamaindex_serialization_keeps_an_httpx_timeout() -> None:
    cls = _li("YEScale")
    llm = cls(api_key=MY_KEY, timeout=httpx.Timeout(30.0, connect=5.0))
    restored = cls.from_json(llm.to_json())
    assert restored.client.settings.timeout == httpx.Timeout(30.0, connect=5.0)


def test_a_known_argument_inside_model_kwargs_is_refused() -> None:
    with pytest.raises(ValueError, match="temperature") as info:
        BY_NAME["ChatYEScale"].build(Service(), model_kwargs={"temperature": 0.2})
    assert "model_kwargs" in str(info.value)
    assert "ChatYEScale" in str(info.value)
    with pytest.raises(ValueError, match="temperature"):
        BY_NAME["ChatYEScale"].build(Service(), temperature=0.1, model_kwargs={"temperature": 0.2})
    with pytest.raises(ValueError, match="`foo` both as an argument and inside model_kwargs"):
        BY_NAME["ChatYEScale"].build(Service(), foo=1, model_kwargs={"foo": 2})
    # framework options are not request fields: OpenAI's ``metadata`` stays a body field
    llm = BY_NAME["ChatYEScale"].build(Service(), model_kwargs={"metadata": {"team": "docs"}})
    assert llm.model_kwargs == {"metadata": {"team": "docs"}}


def test_the_same_argument_under_two_spellings_is_refused() -> None:
    with pytest.raises(ValueError, match="max_output_tokens"):
        BY_NAME["ChatYEScaleGemini"].build(Service(), max_tokens=10, max_output_tokens=20)
    with pytest.raises(ValueError, match="api_base"):
        BY_NAME["YEScale"].build(Service(), base_url=LOCAL_URL, api_base="http://127.0.0.1:8")
    with pytest.raises(ValueError, match="yescale_api_key"):
        BY_NAME["YEScale"].build(Service(), api_key=MY_KEY, yescale_api_key=MY_KEY)


# -- one configuration path ----------------------------------------------------------------------


def _count_resolves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    resolve = ClientSettings.resolve.__func__  # type: ignore[attr-defined]

    def counting(cls: type[ClientSettings], /, **settings: Any) -> ClientSettings:
        calls.append(1)
        return resolve(cls, **settings)  # type: ignore[no-any-return]

    monkeypatch.setattr(ClientSettings, "resolve", classmethod(counting))
    return calls


@pytest.mark.parametrize("kind", KINDS, ids=repr)
def test_settings_are_resolved_once(kind: Kind, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_resolves(monkeypatch)
    obj = kind.build(Service())
    kind.call(obj)
    kind.call(obj)
    assert len(calls) == 1


@pytest.mark.parametrize("kind", KINDS, ids=repr)
def test_shared_client_needs_no_second_resolve(kind: Kind, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_resolves(monkeypatch)
    obj = kind.cls()(api_key=MY_KEY, **kind.fixed)
    assert obj.client.settings.api_key == SecretStr(MY_KEY)
    assert len(calls) == 1


@pytest.mark.parametrize("kind", KINDS, ids=repr)
def test_the_environment_is_read_when_the_object_is_built(
    kind: Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YESCALE_BASE_URL", LOCAL_URL)
    service = Service()
    obj = kind.build(service)
    monkeypatch.setenv("YESCALE_BASE_URL", "http://127.0.0.1:8")
    kind.call(obj)
    assert {r.url.port for r in service.requests} == {9}


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_framework_packages_do_not_import_private_settings() -> None:
    for package in ("langchain_yescale", "llama_index_yescale"):
        for path in (ROOT / package).rglob("*.py"):
            private = [
                name
                for name in _imports(path)
                if name.startswith(("yescale._settings", "yescale._validate"))
            ]
            assert not private, f"{path.relative_to(ROOT)} imports {private}"


def test_integration_modules_import_no_framework() -> None:
    for name in ("arguments.py", "clients.py"):
        path = ROOT / "yescale" / "integration" / name
        assert path.exists(), path
        frameworks = [
            imported
            for imported in _imports(path)
            if imported.split(".")[0] in ("langchain_core", "langchain", "llama_index")
        ]
        assert not frameworks, f"{name} imports {frameworks}"

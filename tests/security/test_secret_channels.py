"""The key never shows through what an object says about itself.

Every public object of the three layers, built with the canary keys, is rendered through every
channel that applies to it: ``repr``/``str``, ``vars``, LangChain's ``dumps``/``dumpd``/
``to_json``, pydantic's ``model_dump``/``model_dump_json``/``dict``/``json``, LlamaIndex's
``to_dict``/``to_json``,
the LangSmith parameters (``_get_ls_params``, ``_identifying_params``, ``_llm_type``, the invocation
parameters), what a model sees of a tool (its schema), and a round trip through
``langchain_core.load`` / ``from_json``. One test per (object, channel) pair.

Pickles of configured objects are the one deliberate exception (see
:func:`test_pickled_objects_keep_their_key_for_worker_processes`).
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from .conftest import (
    ACCESS_KEY,
    API_KEY,
    FRAMEWORK_SUBJECTS,
    SUBJECTS,
    Service,
    Subject,
    assert_clean,
    assert_exception_clean,
    ids,
    leaks,
)


def _quiet(fn: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydantic's deprecation of dict() / json()
        return fn()


def _is_lc(obj: Any) -> bool:
    from langchain_core.load.serializable import Serializable

    return isinstance(obj, Serializable)


def _is_li(obj: Any) -> bool:
    from llama_index.core.schema import BaseComponent

    return isinstance(obj, BaseComponent)


def _is_chat(obj: Any) -> bool:
    from langchain_core.language_models import BaseChatModel

    return isinstance(obj, BaseChatModel)


def _is_lc_tool(obj: Any) -> bool:
    from langchain_core.tools import BaseTool

    return isinstance(obj, BaseTool)


def _is_spec(obj: Any) -> bool:
    from llama_index_yescale import YEScaleToolSpec

    return isinstance(obj, YEScaleToolSpec)


def _is_li_llm(obj: Any) -> bool:
    from llama_index.core.llms import LLM

    return isinstance(obj, LLM)


def _dumps(obj: Any) -> str:
    from langchain_core.load import dumps

    return dumps(obj, pretty=True)


def _dumpd(obj: Any) -> str:
    from langchain_core.load import dumpd

    return json.dumps(dumpd(obj), default=repr)


def _openai_tool(obj: Any) -> str:
    from langchain_core.utils.function_calling import convert_to_openai_tool

    return json.dumps(convert_to_openai_tool(obj))


def _li_tools(spec: Any) -> str:
    parts = []
    for tool in spec.to_tool_list():
        parts.append(tool.metadata.to_openai_tool())
        parts.append(repr(tool))
    return json.dumps(parts, default=repr)


def _settings_asdict(obj: Any) -> str:
    return repr(dataclasses.asdict(obj))


#: name -> (applies to, render)
CHANNELS: dict[str, tuple[Callable[[Any], bool], Callable[[Any], str]]] = {
    "repr": (lambda o: True, repr),
    "str": (lambda o: True, str),
    "format": (lambda o: True, lambda o: f"{o!s} {o!r:>10}"),
    "vars": (lambda o: hasattr(o, "__dict__"), lambda o: repr(vars(o))),
    "langchain dumps": (lambda o: True, _dumps),
    "langchain dumpd": (lambda o: True, _dumpd),
    "langchain to_json": (_is_lc, lambda o: json.dumps(o.to_json(), default=repr)),
    "model_dump": (lambda o: isinstance(o, BaseModel), lambda o: repr(o.model_dump())),
    "model_dump json mode": (
        lambda o: isinstance(o, BaseModel) and not _is_lc_tool(o),
        lambda o: json.dumps(o.model_dump(mode="json"), default=repr),
    ),
    "model_dump_json": (
        lambda o: isinstance(o, BaseModel) and not _is_lc_tool(o),
        lambda o: o.model_dump_json(),
    ),
    "dict()": (lambda o: isinstance(o, BaseModel), lambda o: repr(_quiet(o.dict))),
    "json()": (
        lambda o: isinstance(o, BaseModel) and not _is_lc_tool(o) and not _is_chat(o),
        lambda o: _quiet(o.json),
    ),
    "llama_index to_dict": (_is_li, lambda o: json.dumps(o.to_dict(), default=repr)),
    "llama_index to_json": (_is_li, lambda o: o.to_json()),
    "llama_index metadata": (_is_li_llm, lambda o: o.metadata.model_dump_json()),
    "langsmith _get_ls_params": (_is_chat, lambda o: repr(o._get_ls_params())),
    "langsmith _identifying_params": (_is_chat, lambda o: repr(o._identifying_params)),
    "langsmith _llm_type": (_is_chat, lambda o: o._llm_type),
    "langsmith invocation params": (
        _is_chat,
        lambda o: json.dumps(o._get_invocation_params(stop=["x"]), default=repr),
    ),
    "tool schema seen by the model": (_is_lc_tool, _openai_tool),
    "tool args": (_is_lc_tool, lambda o: json.dumps(o.args, default=repr)),
    "tool spec tools seen by the model": (_is_spec, _li_tools),
    "tool spec options model_dump_json": (_is_spec, lambda o: o.options.model_dump_json()),
    "tool spec options to_dict": (_is_spec, lambda o: repr(o.options.model_dump())),
    "settings asdict": (
        lambda o: dataclasses.is_dataclass(o) and not isinstance(o, type),
        _settings_asdict,
    ),
    "settings secrets masked in repr of fields": (
        lambda o: dataclasses.is_dataclass(o) and not isinstance(o, type),
        lambda o: repr([getattr(o, f.name) for f in dataclasses.fields(o)]),
    ),
}


def _build(subject: Subject) -> Any:
    return subject.build(Service())


def _pairs() -> list[Any]:
    pairs = []
    for subject in SUBJECTS:
        obj = _build(subject)
        for channel, (applies, _) in CHANNELS.items():
            if applies(obj):
                pairs.append(pytest.param(subject, channel, id=f"{subject.name}-{channel}"))
    return pairs


PAIRS = _pairs()


@pytest.mark.parametrize(("subject", "channel"), PAIRS)
def test_channel_never_shows_the_key(subject: Subject, channel: str) -> None:
    obj = _build(subject)
    _, render = CHANNELS[channel]
    try:
        text = render(obj)
    except Exception as error:  # a channel the object refuses: its error must be clean too
        assert_exception_clean(error, f"{subject.name} {channel} (raised)", frame_locals=False)
        return
    assert text  # the channel rendered something
    assert_clean(text, f"{subject.name} {channel}")


def test_every_public_object_is_covered() -> None:
    import langchain_yescale
    import llama_index_yescale

    classes = {
        name
        for name in langchain_yescale.__all__
        if not name.endswith("Error") and isinstance(getattr(langchain_yescale, name), type)
    }
    classes |= set(llama_index_yescale.__all__)
    # the cost handlers, their event and get_yescale_callback hold totals, never a client or a
    # key: nothing there to leak (test_cost_objects_hold_no_key checks it)
    classes -= {
        "YEScaleCallbackHandler",
        "YEScaleCostEvent",
        "YEScaleCostHandler",
        "get_yescale_callback",
    }
    covered = {s.name for s in SUBJECTS}
    assert classes <= covered, f"not covered: {sorted(classes - covered)}"
    assert {"YEScaleClient", "YEScaleClient.aio", "ClientSettings"} <= covered
    # every object goes through at least the basic channels
    for subject in SUBJECTS:
        names = {p.values[1] for p in PAIRS if p.values[0] is subject}
        assert {"repr", "str", "langchain dumps", "langchain dumpd"} <= names, subject.name


def test_cost_objects_hold_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    from langchain_yescale import get_yescale_callback as lc_costs
    from llama_index_yescale import get_yescale_callback as li_costs
    from yescale.costs import PriceTable, use_prices

    monkeypatch.setenv("YESCALE_API_KEY", API_KEY)
    use_prices(PriceTable.from_json('{"data": [{"model_name": "m", "input_price": 1}]}'))
    try:
        with lc_costs(budget_usd=1, prices=False) as cb, li_costs(prices=False) as costs:
            shown = [repr(cb), str(cb), repr(costs), str(costs), costs.model_dump_json()]
            shown += [repr(vars(cb)), str(pickle.dumps(cb.tracker.by_model))]
    finally:
        use_prices(None)
    for text in shown:
        assert API_KEY not in text


# -- the secrets are there (the checks above are not vacuous) -----------------------------------


@pytest.mark.parametrize("subject", FRAMEWORK_SUBJECTS, ids=ids(FRAMEWORK_SUBJECTS))
def test_the_objects_do_hold_the_key(subject: Subject) -> None:
    obj = _build(subject)
    client = obj.client
    assert client.settings.api_key is not None
    assert client.settings.api_key.get_secret_value() == API_KEY


def test_the_client_holds_both_keys() -> None:
    from .conftest import _client

    client = _client(Service())
    assert client.settings.secrets() == (API_KEY, ACCESS_KEY)
    assert "api_key=set" in repr(client)
    assert "access_key=set" in repr(client)


# -- LangChain serialization: secrets become references, and come back from the environment ----


LC_SERIALIZABLE = [
    s
    for s in FRAMEWORK_SUBJECTS
    if s.name in ("ChatYEScale", "ChatYEScaleGemini", "ChatYEScaleAnthropic")
]


@pytest.mark.parametrize("subject", LC_SERIALIZABLE, ids=ids(LC_SERIALIZABLE))
def test_langchain_dumps_writes_a_secret_reference(
    subject: Subject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from langchain_core.load import dumpd, loads

    obj = _build(subject)
    serialized = dumpd(obj)
    assert serialized["kwargs"]["api_key"] == {
        "lc": 1,
        "type": "secret",
        "id": ["YESCALE_API_KEY"],
    }
    monkeypatch.setenv("YESCALE_API_KEY", "key-from-the-environment")
    from langchain_core.load import dumps

    again = _quiet(
        lambda: loads(
            dumps(obj),
            valid_namespaces=["langchain_yescale"],
            secrets_from_env=True,
            allowed_objects=[type(obj)],
        )
    )
    assert again.api_key.get_secret_value() == "key-from-the-environment"


LI_COMPONENTS = [
    s
    for s in FRAMEWORK_SUBJECTS
    if s.name in ("YEScale", "YEScaleGemini", "YEScaleAnthropic", "YEScaleResponses")
]
LI_COMPONENTS += [s for s in FRAMEWORK_SUBJECTS if s.name == "YEScaleEmbedding"]


@pytest.mark.parametrize("subject", LI_COMPONENTS, ids=ids(LI_COMPONENTS))
def test_llama_index_round_trip_reads_the_key_from_the_environment(
    subject: Subject, monkeypatch: pytest.MonkeyPatch
) -> None:
    obj = _build(subject)
    data = obj.to_dict()
    assert data.get("api_key") is None
    monkeypatch.setenv("YESCALE_API_KEY", "key-from-the-environment")
    again = type(obj).from_dict(data)
    assert again.api_key.get_secret_value() == "key-from-the-environment"


# -- pickles --------------------------------------------------------------------------------------


PICKLABLE = [
    s
    for s in FRAMEWORK_SUBJECTS
    if s.name not in ("YEScaleToolSpec", "YEScaleGeminiStructuredOutputTool")  # hold a built client
]


@pytest.mark.parametrize("subject", PICKLABLE, ids=ids(PICKLABLE))
def test_pickled_objects_keep_their_key_for_worker_processes(subject: Subject) -> None:
    """A pickle is a full copy for another process (LlamaIndex ``IngestionPipeline(num_workers=)``,
    ``ProcessPoolExecutor``): it keeps the key, as a ``SecretStr``, so the copy works. Treat
    pickles of configured objects as secrets; persist configuration with ``dumps`` / ``to_json``,
    which never hold the key (checked above)."""
    import langchain_yescale
    import llama_index_yescale

    module = langchain_yescale if subject.framework == "langchain" else llama_index_yescale
    obj = getattr(module, subject.name)(api_key=API_KEY)
    copy = pickle.loads(pickle.dumps(obj))
    assert isinstance(copy.api_key, SecretStr)
    assert copy.api_key.get_secret_value() == API_KEY
    assert_clean(repr(copy), f"repr of an unpickled {subject.name}")


# -- construction errors --------------------------------------------------------------------------


def _bad_constructions() -> list[Any]:
    """Arguments each class refuses, in a model validator (whose error shows the whole input)
    or in a field."""
    import langchain_yescale as lc
    import llama_index_yescale as li

    cases: list[tuple[str, Callable[[], Any]]] = [
        ("ChatYEScale n=0", lambda: lc.ChatYEScale(api_key=API_KEY, n=0)),
        (
            "ChatYEScale n=2 streaming",
            lambda: lc.ChatYEScale(api_key=API_KEY, n=2, streaming=True),
        ),
        ("ChatYEScale temperature", lambda: lc.ChatYEScale(api_key=API_KEY, temperature="hot")),
        ("ChatYEScaleGemini n=0", lambda: lc.ChatYEScaleGemini(api_key=API_KEY, n=0)),
        (
            "YEScaleEmbeddings model_kwargs",
            lambda: lc.YEScaleEmbeddings(api_key=API_KEY, model_kwargs={"model": "x"}),
        ),
        (
            "YEScaleEmbeddings dimensions",
            lambda: lc.YEScaleEmbeddings(api_key=API_KEY, dimensions=0),
        ),
        (
            "YEScaleImageGenerationTool poll_interval",
            lambda: lc.YEScaleImageGenerationTool(api_key=API_KEY, poll_interval=-1),
        ),
        (
            "YEScaleMediaTaskTool task_timeout",
            lambda: lc.YEScaleMediaTaskTool(api_key=API_KEY, task_timeout=0),
        ),
        (
            "YEScaleGeminiStructuredOutputTool schema",
            lambda: lc.YEScaleGeminiStructuredOutputTool(api_key=API_KEY, schema=42),
        ),
        ("YEScale temperature", lambda: li.YEScale(api_key=API_KEY, temperature=9)),
        ("YEScale max_retries", lambda: li.YEScale(api_key=API_KEY, max_retries="many")),
        ("YEScaleGemini temperature", lambda: li.YEScaleGemini(api_key=API_KEY, temperature=9)),
        (
            "YEScaleEmbedding additional_kwargs",
            lambda: li.YEScaleEmbedding(api_key=API_KEY, additional_kwargs={"model": "x"}),
        ),
        (
            "YEScaleEmbedding embed_batch_size",
            lambda: li.YEScaleEmbedding(api_key=API_KEY, embed_batch_size=0),
        ),
        (
            "YEScaleToolSpec poll_interval",
            lambda: li.YEScaleToolSpec(api_key=API_KEY, poll_interval=-1),
        ),
        (
            "YEScaleToolSpec structured_schema",
            lambda: li.YEScaleToolSpec(api_key=API_KEY, structured_schema=42),
        ),
        (
            "YEScaleClient max_retries",
            lambda: __import__("yescale").YEScaleClient(
                api_key=API_KEY, access_key=ACCESS_KEY, max_retries=-1
            ),
        ),
        (
            "YEScaleClient base_url",
            lambda: __import__("yescale").YEScaleClient(
                api_key=API_KEY, access_key=ACCESS_KEY, base_url="ftp://x"
            ),
        ),
    ]
    broken = {
        "line break": API_KEY[:10] + "\n" + API_KEY[10:],
        "space": API_KEY[:10] + " " + API_KEY[10:],
        "non-ASCII": API_KEY[:10] + "é" + API_KEY[10:],
    }
    for what, key in broken.items():
        cases.append(
            (
                f"YEScaleClient key with a {what}",
                lambda key=key: __import__("yescale").YEScaleClient(api_key=key),
            )
        )
        cases.append(
            (
                f"ChatYEScale key with a {what} (first call)",
                # (chat models check their settings when first used)
                lambda key=key: lc.ChatYEScale(api_key=key).invoke("Hi"),
            )
        )
        cases.append(
            (
                f"YEScaleEmbedding key with a {what}",
                lambda key=key: li.YEScaleEmbedding(api_key=key),
            )
        )
    return [pytest.param(make, id=name) for name, make in cases]


@pytest.mark.parametrize("make", _bad_constructions())
def test_construction_errors_never_show_the_key(make: Callable[[], Any]) -> None:
    with pytest.raises((ValidationError, ValueError, TypeError)) as info:
        make()
    # (not the frames' local variables: the caller's own frame holds the key it passed)
    assert_exception_clean(info.value, "construction error", frame_locals=False)


def test_model_validator_errors_show_a_masked_key() -> None:
    """The leak this guards against: pydantic puts the whole input of a model validator into its
    error (``input_value={'api_key': '...', 'n': 0}``); the key arrives there as a SecretStr."""
    import langchain_yescale as lc

    with pytest.raises(ValidationError) as info:
        lc.ChatYEScale(api_key=API_KEY, n=0)
    text = str(info.value)
    assert "n must be at least 1" in text
    assert "SecretStr('**********')" in text
    assert not leaks(repr(info.value.errors()))


@pytest.mark.parametrize("where", ["argument", "environment"])
def test_a_key_that_cannot_be_a_header_is_refused_without_showing_it(
    where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key pasted with a line break inside would fail deep in httpx (and be retried as a
    network error); it is refused up front, by position, never shown."""
    from yescale import InvalidRequestError, YEScaleClient

    key = API_KEY[:10] + "\n" + API_KEY[10:]
    if where == "environment":
        monkeypatch.setenv("YESCALE_API_KEY", key)
    with pytest.raises(InvalidRequestError, match="position 11 of") as info:
        YEScaleClient(api_key=key if where == "argument" else None)
    assert "YESCALE_API_KEY" in str(info.value)
    assert_exception_clean(info.value, "malformed key", frame_locals=False)

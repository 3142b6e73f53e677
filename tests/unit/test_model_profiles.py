"""Model profiles: one table in ``yescale.models.profiles``, read by LangChain's ``profile`` and
LlamaIndex's ``metadata``, with an opt-in refresh of the limits from the System API catalog."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any, get_type_hints

import httpx
import pytest
from langchain_core.language_models.model_profile import ModelProfile as LangChainProfile

from langchain_yescale import ChatYEScale, ChatYEScaleGemini
from llama_index_yescale import YEScale, YEScaleGemini
from tests.conftest import warnings_as_errors
from yescale.models import families, profiles
from yescale.models.limits import DEFAULT_LIMITS, FAMILY_LIMITS, model_limits
from yescale.models.profiles import (
    FAMILY_PROFILES,
    MODEL_PROFILES,
    CatalogLimits,
    arefresh_profiles,
    model_profile,
    refresh_profiles,
    reset_profiles,
)

from .conftest import ACCESS_KEY, API_KEY, make_client, never_called

#: One model of each family families.py knows, and what its profile must say.
SAMPLES = {
    "openai": "gpt-4o-mini",
    "gemini": "gemini-2.5-flash",
    "claude": "claude-sonnet-4-5",
    "deepseek": "deepseek-reasoner",
    "qwen": "qwen-max",
    "xai": "grok-4",
    "moonshot": "kimi-k2",
    "zhipu": "glm-4.5",
}


@pytest.fixture(autouse=True)
def _forget_catalog() -> Iterator[None]:
    """Every test starts and ends with the built-in table only."""
    reset_profiles()
    yield
    reset_profiles()


# -- the table ----------------------------------------------------------------------------------


def test_every_family_has_a_profile() -> None:
    named = {fam for _, fam in families.FAMILY_PREFIXES}
    assert named == set(FAMILY_PROFILES) == set(FAMILY_LIMITS)
    assert set(SAMPLES) == named
    for fam, model in SAMPLES.items():
        assert families.family(model) == fam
        profile = model_profile(model)
        assert profile["text_inputs"] is profile["text_outputs"] is True, model
        assert profile["tool_calling"] is True, model
        assert min(profile["max_input_tokens"], profile["max_output_tokens"]) > 0, model


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (
            "gpt-4o-mini",
            {
                "max_input_tokens": 128_000,
                "max_output_tokens": 16_384,
                "tool_calling": True,
                "tool_choice": True,
                "structured_output": True,
                "image_inputs": True,
                "image_url_inputs": True,
                "pdf_inputs": True,
                "reasoning_output": False,
            },
        ),
        (
            "claude-sonnet-4-5",
            {
                "max_input_tokens": 200_000,
                "max_output_tokens": 64_000,
                "tool_calling": True,
                "structured_output": False,
                "image_inputs": True,
                "reasoning_output": True,
            },
        ),
        (
            "gemini-2.5-flash",
            {
                "max_input_tokens": 1_048_576,
                "max_output_tokens": 65_536,
                "tool_calling": True,
                "structured_output": True,
                "image_inputs": True,
                "audio_inputs": True,
                "video_inputs": True,
                "pdf_inputs": True,
                "reasoning_output": True,
            },
        ),
        (
            "deepseek-reasoner",
            {
                "max_input_tokens": 128_000,
                "max_output_tokens": 64_000,
                "tool_calling": True,
                "structured_output": False,
                "image_inputs": False,
                "reasoning_output": True,
            },
        ),
        ("deepseek-chat", {"structured_output": False, "reasoning_output": False}),
        ("gpt-4", {"max_input_tokens": 8_192, "structured_output": False, "image_inputs": False}),
        # gpt-5 takes 400k tokens in all, of which at most 272k of input
        ("gpt-5-mini", {"max_input_tokens": 272_000, "max_output_tokens": 128_000}),
        ("o1-mini", {"tool_calling": False, "reasoning_output": True}),
        ("o4-mini", {"structured_output": True, "reasoning_output": True}),
        ("gemini-2.0-flash", {"reasoning_output": False, "structured_output": True}),
        ("gemini-2.5-flash-image", {"tool_calling": False, "image_outputs": True}),
        # names as users write them: provider prefix, models/, upper case, dated versions
        ("openai/GPT-4o-mini-2024-07-18", {"max_input_tokens": 128_000, "tool_calling": True}),
        ("models/gemini-2.5-pro", {"max_output_tokens": 65_536, "structured_output": True}),
    ],
)
def test_profiles_of_known_models(model: str, expected: dict[str, Any]) -> None:
    profile = model_profile(model)
    assert {key: profile.get(key) for key in expected} == expected


def test_what_is_not_known_is_not_claimed() -> None:
    # a name nobody knows: no limits (the defaults are a guess), no capabilities
    assert model_profile("brand-new-model-9000") == {}
    assert model_profile("") == {}
    # a new model of a known family: the family's limits and what all its models do
    claude = model_profile("claude-9-ultra")
    assert (claude["max_input_tokens"], claude["max_output_tokens"]) == FAMILY_LIMITS["claude"]
    assert claude["tool_calling"] is True
    assert "reasoning_output" not in claude  # some Claude models reason, some do not
    # chatgpt-4o: the family says "tools"; nobody here knows for this one, so it is left out
    assert "tool_calling" not in model_profile("chatgpt-4o-latest")


def test_profiles_are_copies() -> None:
    profile = model_profile("gpt-4o")
    profile["max_input_tokens"] = 1
    assert model_profile("gpt-4o")["max_input_tokens"] == 128_000


def _every_profile() -> Iterator[tuple[str, dict[str, Any]]]:
    for prefix in MODEL_PROFILES:
        yield prefix, dict(model_profile(prefix))
    for model in SAMPLES.values():
        yield model, dict(model_profile(model))


def test_only_keys_langchain_knows() -> None:
    # langchain-core warns about keys its ModelProfile does not declare
    declared = set(get_type_hints(LangChainProfile))
    ours = set(get_type_hints(profiles.ModelProfile))
    assert ours <= declared
    for model, profile in _every_profile():
        assert set(profile) <= ours, model
        for key, value in profile.items():
            assert isinstance(value, int if key.startswith("max_") else bool), (model, key)


def test_structured_output_agrees_with_the_wire_rules() -> None:
    # what the profile claims is what ChatYEScale / YEScale send for structured output
    for model, profile in _every_profile():
        if "structured_output" in profile:
            assert profile["structured_output"] == families.supports_json_schema(model), model


def test_limits_come_from_the_limits_table() -> None:
    for model, profile in _every_profile():
        limits = model_limits(model)
        if "max_input_tokens" in profile:
            assert profile["max_input_tokens"] <= limits.context_window, model
            assert profile["max_output_tokens"] == limits.max_output_tokens, model


def test_import_does_no_io_and_needs_no_framework() -> None:
    code = (
        "import sys, yescale.models.profiles as p\n"
        "p.model_profile('gpt-4o')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('langchain_core', 'langchain', 'llama_index', 'httpx')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- LangChain: ``profile`` ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "deepseek-reasoner"]
)
def test_langchain_profile(model: str) -> None:
    with warnings_as_errors():  # langchain-core warns about keys it does not know
        llm = ChatYEScale(model=model, api_key=API_KEY)
    assert llm.profile == model_profile(model)
    assert llm.profile is not None
    assert llm.profile["max_input_tokens"] > 0


def test_langchain_gemini_profile() -> None:
    with warnings_as_errors():
        llm = ChatYEScaleGemini(model="gemini-2.5-flash", api_key=API_KEY)
    assert llm.profile == model_profile("gemini-2.5-flash")
    assert llm.profile is not None
    assert llm.profile["structured_output"] is True
    assert ChatYEScaleGemini(api_key=API_KEY).profile == model_profile("gemini-2.5-flash")


def test_langchain_user_profile_wins() -> None:
    llm = ChatYEScale(model="gpt-4o", api_key=API_KEY, profile={"max_input_tokens": 1_000})
    assert llm.profile == {"max_input_tokens": 1_000}
    # ... and one key can be changed while keeping the rest
    mine = {**model_profile("gpt-4o"), "max_input_tokens": 1_000}
    assert ChatYEScale(model="gpt-4o", api_key=API_KEY, profile=mine).profile == mine


def test_langchain_unknown_model_has_no_profile() -> None:
    assert ChatYEScale(model="brand-new-model-9000", api_key=API_KEY).profile is None


def test_langchain_profile_is_not_serialized() -> None:
    llm = ChatYEScale(model="gpt-4o", api_key=API_KEY)
    assert "profile" not in llm.model_dump()


# -- LlamaIndex: ``metadata`` -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "model"),
    [
        (YEScale, "gpt-4o-mini"),
        (YEScale, "claude-sonnet-4-5"),
        (YEScale, "deepseek-reasoner"),
        (YEScale, "gpt-5"),
        (YEScale, "o1-mini"),
        (YEScaleGemini, "gemini-2.5-flash"),
        (YEScaleGemini, "gemini-2.5-flash-image"),
    ],
)
def test_llamaindex_metadata_agrees_with_the_profile(cls: Any, model: str) -> None:
    profile = model_profile(model)
    meta = cls(api_key=API_KEY, model=model).metadata
    assert meta.context_window == profile["max_input_tokens"]
    assert meta.num_output == min(profile["max_output_tokens"], meta.context_window // 4)
    assert meta.is_function_calling_model is profile["tool_calling"]


def test_llamaindex_metadata_overrides_still_win() -> None:
    llm = YEScale(
        api_key=API_KEY,
        model="o1-mini",
        context_window=9_000,
        num_output=300,
        is_function_calling_model=True,
    )
    meta = llm.metadata
    assert (meta.context_window, meta.num_output) == (9_000, 300)
    assert meta.is_function_calling_model is True
    plain = YEScale(api_key=API_KEY, model="gpt-4o", is_function_calling_model=False)
    assert plain.metadata.is_function_calling_model is False
    # an unknown model: the conservative default limits, and tools allowed as before
    unknown = YEScale(api_key=API_KEY, model="brand-new-model-9000").metadata
    assert (unknown.context_window, unknown.is_function_calling_model) == (
        DEFAULT_LIMITS[0],
        True,
    )


def test_llamaindex_profile_default_survives_serialization() -> None:
    # the default is "ask the profile", not True: a round trip keeps asking
    llm = YEScale.from_dict(YEScale(api_key=API_KEY, model="o1-mini").to_dict())
    assert llm.metadata.is_function_calling_model is False


# -- the live refresh from the System API catalog -----------------------------------------------


def _model(name: str, max_input: int | None, max_output: int | None) -> dict[str, Any]:
    """One entry of ``GET /yescale/models`` as the System API reference shows it (3.5)."""
    return {
        "model_name": name,
        "provider_name": "OpenAI",
        "category": "Text Generation",
        "endpoint": "/v1/chat/completions",
        "billing_type": "pay-per-token",
        "max_input": max_input,
        "max_output": max_output,
        "uptime": 1,
        "is_deprecation": 0,
    }


CATALOG: dict[str, Any] = {
    "data": [
        _model("gpt-4o-mini", 100_000, 12_000),
        _model("house-model-1", 20_000, 2_000),  # known only to the catalog
        _model("claude-sonnet-4-5", None, None),  # no limits given: the table's stay
        _model("imagen4-fast", None, None),
        _model("deepseek-chat", 0, -1),  # nonsense: ignored
    ],
    "message": "",
    "success": True,
}


class Catalog:
    """A System API that answers ``GET /yescale/models`` with :data:`CATALOG`."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert (request.method, request.url.path) == ("GET", "/yescale/models")
        return httpx.Response(200, json=CATALOG)


def _check_refreshed(applied: dict[str, CatalogLimits]) -> None:
    assert applied == {
        "gpt-4o-mini": CatalogLimits(100_000, 12_000),
        "house-model-1": CatalogLimits(20_000, 2_000),
    }
    mini = model_profile("gpt-4o-mini")
    assert (mini["max_input_tokens"], mini["max_output_tokens"]) == (100_000, 12_000)
    assert mini["structured_output"] is True  # the rest of the profile stays
    assert model_profile("house-model-1") == {
        "max_input_tokens": 20_000,
        "max_output_tokens": 2_000,
    }
    assert model_profile("claude-sonnet-4-5")["max_input_tokens"] == 200_000
    assert model_profile("deepseek-chat")["max_input_tokens"] == 128_000
    # both frameworks see it: a LangChain model made after the refresh, LlamaIndex at once
    assert ChatYEScale(model="gpt-4o-mini", api_key=API_KEY).profile == mini
    house = ChatYEScale(model="house-model-1", api_key=API_KEY).profile
    assert house is not None
    assert house["max_input_tokens"] == 20_000
    assert YEScale(api_key=API_KEY, model="gpt-4o-mini").metadata.context_window == 100_000


def test_refresh_profiles_from_the_catalog() -> None:
    before = model_profile("gpt-4o-mini")
    llama = YEScale(api_key=API_KEY, model="gpt-4o-mini")
    catalog = Catalog()
    client = make_client(catalog, access_key=ACCESS_KEY)
    applied = refresh_profiles(client)
    (request,) = catalog.requests
    assert request.headers["authorization"] == f"Bearer {ACCESS_KEY}"  # the access key
    _check_refreshed(applied)
    assert llama.metadata.context_window == 100_000  # made before the refresh: follows it
    reset_profiles()
    assert model_profile("gpt-4o-mini") == before
    assert model_profile("house-model-1") == {}


async def test_arefresh_profiles_from_the_catalog() -> None:
    catalog = Catalog()
    client = make_client(catalog, access_key=ACCESS_KEY)
    _check_refreshed(await arefresh_profiles(client))
    assert len(catalog.requests) == 1


def test_a_refresh_replaces_the_previous_one() -> None:
    client = make_client(Catalog(), access_key=ACCESS_KEY)
    refresh_profiles(client)
    smaller = {"data": [_model("gpt-4o", 64_000, 4_000)], "success": True}
    other = make_client(lambda _: httpx.Response(200, json=smaller), access_key=ACCESS_KEY)
    assert refresh_profiles(other) == {"gpt-4o": CatalogLimits(64_000, 4_000)}
    assert model_profile("gpt-4o-mini")["max_input_tokens"] == 128_000
    assert model_profile("gpt-4o")["max_input_tokens"] == 64_000


def test_nothing_is_fetched_unless_asked() -> None:
    # making models and reading profiles never calls the System API
    transport = httpx.MockTransport(never_called)
    chat = ChatYEScale(
        model="gpt-4o-mini", api_key=API_KEY, http_client=httpx.Client(transport=transport)
    )
    llama = YEScale(
        model="gpt-4o-mini", api_key=API_KEY, http_client=httpx.Client(transport=transport)
    )
    assert chat.profile is not None
    assert llama.metadata.context_window > 0
    assert model_profile("gpt-4o-mini")


def test_catalog_json_is_read_by_the_client_types() -> None:
    # the refresh reads ModelInfo (yescale.types.system), not raw JSON of its own
    from yescale.types import ModelInfo

    infos = [ModelInfo.model_validate(m) for m in CATALOG["data"]]
    assert profiles.catalog_limits(infos) == {
        "gpt-4o-mini": CatalogLimits(100_000, 12_000),
        "house-model-1": CatalogLimits(20_000, 2_000),
    }
    assert json.loads(json.dumps(CATALOG))["success"] is True

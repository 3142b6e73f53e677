"""langchain-tests' standard unit tests for the chat models."""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.load import dumpd, dumps, load
from langchain_tests.unit_tests import ChatModelUnitTests
from langchain_tests.unit_tests.chat_models import TEST_PYDANTIC_MODELS
from syrupy.assertion import SnapshotAssertion

from langchain_yescale import ChatYEScale, ChatYEScaleAnthropic, ChatYEScaleGemini


class _SerdesWithAllowList(ChatModelUnitTests):
    """The standard ``test_serdes`` loads with ``allowed_objects="all"``, which admits only the
    partner classes langchain-core itself lists; ours is not among them. Same checks, with our
    class on the explicit allow-list that ``load`` offers for exactly this case."""

    @pytest.mark.xfail(
        reason="loads with allowed_objects='all', which admits only the partner classes "
        "langchain-core lists; test_serdes_allow_listed runs the same checks",
        strict=True,
    )
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)

    def test_serdes_allow_listed(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        env_params, _, _ = self.init_from_env_params
        with mock.patch.dict(os.environ, env_params):
            serialized = dumpd(model)
            assert serialized == snapshot(name="serialized")
            assert "test-key" not in dumps(model)
            restored = load(
                serialized,
                valid_namespaces=model.get_lc_namespace()[:1],
                allowed_objects=[self.chat_model_class],
                secrets_from_env=True,
            )
            assert type(restored) is self.chat_model_class
            assert restored.dict() == model.dict()
            assert restored.api_key.get_secret_value() == env_params["YESCALE_API_KEY"]


class TestChatYEScaleUnit(_SerdesWithAllowList):
    @property
    def chat_model_class(self) -> type[ChatYEScale]:
        return ChatYEScale

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-4o-mini", "api_key": "test-key", "temperature": 0}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"YESCALE_API_KEY": "env-key", "YESCALE_BASE_URL": "https://api.yescale.vip"},
            {"model": "gpt-4o-mini"},
            {"api_key": "env-key", "base_url": "https://api.yescale.vip"},
        )

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_model_override(self) -> bool:
        return True


class TestChatYEScaleResponsesUnit(TestChatYEScaleUnit):
    """``ChatYEScale`` on OpenAI's Responses API (``use_responses_api=True``)."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-5-mini", "api_key": "test-key", "use_responses_api": True}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"YESCALE_API_KEY": "env-key", "YESCALE_BASE_URL": "https://api.yescale.vip"},
            {"model": "gpt-5-mini", "use_responses_api": True},
            {"api_key": "env-key", "base_url": "https://api.yescale.vip"},
        )


class TestChatYEScaleGeminiUnit(_SerdesWithAllowList):
    @property
    def chat_model_class(self) -> type[ChatYEScaleGemini]:
        return ChatYEScaleGemini

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gemini-2.5-flash", "api_key": "test-key", "temperature": 0}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"YESCALE_API_KEY": "env-key"},
            {"model": "gemini-2.5-flash"},
            {"api_key": "env-key"},
        )

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_model_override(self) -> bool:
        return True


class TestChatYEScaleAnthropicUnit(_SerdesWithAllowList):
    @pytest.mark.xfail(
        reason="ChatYEScaleAnthropic refuses with_structured_output(method='json_mode') with a "
        "ValueError (Claude has no JSON mode; langchain-anthropic's ChatAnthropic warns and falls "
        "back to json_schema instead); the standard test tries json_mode whatever "
        "supports_json_mode says. test_with_structured_output_no_json_mode runs the other checks",
        raises=ValueError,
        strict=True,
    )
    @pytest.mark.parametrize("schema", TEST_PYDANTIC_MODELS)
    def test_with_structured_output(self, model: BaseChatModel, schema: Any) -> None:
        super().test_with_structured_output(model, schema)

    @pytest.mark.parametrize("schema", TEST_PYDANTIC_MODELS)
    def test_with_structured_output_no_json_mode(self, model: BaseChatModel, schema: Any) -> None:
        assert model.with_structured_output(schema) is not None
        for method in ("json_schema", "function_calling"):
            for strict in (None, False, True):
                assert model.with_structured_output(schema, method=method, strict=strict)
        with pytest.raises(ValueError, match="json_mode"):
            model.with_structured_output(schema, method="json_mode")

    @property
    def chat_model_class(self) -> type[ChatYEScaleAnthropic]:
        return ChatYEScaleAnthropic

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "claude-sonnet-4-5", "api_key": "test-key", "temperature": 0}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"YESCALE_API_KEY": "env-key"},
            {"model": "claude-sonnet-4-5"},
            {"api_key": "env-key"},
        )

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        # method="json_mode" is refused: Claude has no JSON mode (json_schema uses its
        # structured outputs, function_calling a forced tool).
        return False

    @property
    def supports_model_override(self) -> bool:
        return True

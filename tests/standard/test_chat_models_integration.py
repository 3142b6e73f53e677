"""langchain-tests' standard integration tests for the chat models, replayed from cassettes.

Every test here is a VCR test (``cassettes/standard/test_chat_models_integration/``): our
``tests/conftest.py`` provides ``vcr_config`` (secret filters, body matching, no playback repeats)
and ``vcr_cassette_dir``; langchain-tests' own ``vcr_config`` (in ``langchain_tests.conftest``,
which is not a pytest plugin) is never loaded, so ours are the ones in effect. The sample images,
PDF and audio some standard tests download themselves are in the cassettes too.

Re-record: ``YESCALE_SYNTHESIZE=1 pytest tests/standard/test_chat_models_integration.py
--record-mode=rewrite`` (offline synthesizer) or with a real key and no ``YESCALE_SYNTHESIZE``.
"""

from __future__ import annotations

import itertools
import uuid
from types import SimpleNamespace
from typing import Any, Literal

import langchain_core.utils.function_calling
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_yescale import ChatYEScale, ChatYEScaleAnthropic, ChatYEScaleGemini
from yescale.errors import InvalidRequestError

pytestmark = pytest.mark.vcr

#: A system prompt long enough (>1024 tokens) for the service's implicit prompt caching.
LONG_SYSTEM = "You are a meticulous assistant for a travel agency. " + " ".join(
    f"Rule {i}: always state prices in euros and mention the cancellation policy for trip {i}."
    for i in range(1, 90)
)

UsageKind = Literal[
    "audio_input", "audio_output", "reasoning_output", "cache_read_input", "cache_creation_input"
]


@pytest.fixture(autouse=True)
def _fixed_example_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """``tool_example_to_messages`` (``test_structured_few_shot_examples``) gives its tool calls
    random uuid4 ids, which land in the request body; fixed ones make the body replayable."""
    counter = itertools.count(1)
    monkeypatch.setattr(
        langchain_core.utils.function_calling,
        "uuid",
        SimpleNamespace(uuid4=lambda: uuid.UUID(int=next(counter))),
    )


def _run(model: BaseChatModel, messages: Any, *, stream: bool) -> AIMessage:
    if not stream:
        result = model.invoke(messages)
        assert isinstance(result, AIMessage)
        return result
    full: AIMessageChunk | None = None
    for chunk in model.stream(messages):
        assert isinstance(chunk, AIMessageChunk)
        full = chunk if full is None else full + chunk
    assert full is not None
    return full


# ``test_stream_time`` benchmarks replaying one recorded stream several times, so it alone may
# replay an interaction more than once (elsewhere repeats would make a retry or polling loop spin
# forever on replay). langchain-tests forbids overriding standard tests, so the marker goes on the
# inherited test function itself; pytest-recording merges the kwargs of all ``vcr`` markers.
if not any(
    mark.name == "vcr" and mark.kwargs.get("allow_playback_repeats")
    for mark in getattr(ChatModelIntegrationTests.test_stream_time, "pytestmark", [])
):
    pytest.mark.vcr(allow_playback_repeats=True)(ChatModelIntegrationTests.test_stream_time)


class _VCRTests(ChatModelIntegrationTests):
    """What the classes share: replayed cassettes, JSON mode, image and Anthropic-format inputs,
    and usage details (reasoning tokens, implicit prompt-cache reads; no cache-creation count).
    ``TestChatYEScaleAnthropicIntegration`` overrides JSON mode and the usage details."""

    #: the arguments of the model ``invoke_with_reasoning_output`` / ``..._cache_read_input`` use
    reasoning_model_params: dict[str, Any]
    cache_model_params: dict[str, Any]

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(
        self,
    ) -> dict[Literal["invoke", "stream"], list[UsageKind]]:
        # cache_creation_input: neither OpenAI-format usage nor Gemini reports cache writes.
        # audio_*: no audio tokens on these text models.
        return {
            "invoke": ["reasoning_output", "cache_read_input"],
            "stream": ["reasoning_output", "cache_read_input"],
        }

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        llm = self.chat_model_class(**self.reasoning_model_params)
        return _run(llm, "What is 17 * 23? Think it through.", stream=stream)

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        llm = self.chat_model_class(**self.cache_model_params)
        messages = [SystemMessage(LONG_SYSTEM), HumanMessage("Hello")]
        _run(llm, messages, stream=stream)  # fills the implicit prompt cache
        return _run(llm, messages, stream=stream)  # reads it


class TestChatYEScaleIntegration(_VCRTests):
    reasoning_model_params = {"model": "o4-mini", "reasoning_effort": "low", "max_tokens": 300}
    cache_model_params = {"model": "gpt-4o-mini", "temperature": 0}

    @property
    def chat_model_class(self) -> type[ChatYEScale]:
        return ChatYEScale

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-4o-mini", "temperature": 0}

    @property
    def model_override_value(self) -> str:
        return "gpt-4o"

    @property
    def supports_pdf_inputs(self) -> bool:
        # The YEScale reference documents text and image ("image recognition") input on
        # /v1/chat/completions only; PDF file parts are not documented as passed upstream.
        return False

    @property
    def supports_pdf_tool_message(self) -> bool:
        # As above: no documented file input on /v1/chat/completions.
        return False

    @property
    def supports_audio_inputs(self) -> bool:
        # gpt-4o-mini takes no audio input (only the gpt-4o*-audio models do).
        return False


class TestChatYEScaleGeminiIntegration(_VCRTests):
    # Gemini-native requests take images inline: the client fetches image URLs (without the API
    # key) and sends the bytes, so URLs work. Gemini reports thoughtsTokenCount (reasoning) and
    # cachedContentTokenCount (implicit cache hits).
    reasoning_model_params = {"model": "gemini-2.5-flash", "thinking_budget": 1024}
    cache_model_params = {"model": "gemini-2.5-flash", "thinking_budget": 0}

    @property
    def chat_model_class(self) -> type[ChatYEScaleGemini]:
        return ChatYEScaleGemini

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gemini-2.5-flash", "temperature": 0}

    @property
    def model_override_value(self) -> str:
        return "gemini-2.5-flash-lite"

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def supports_audio_inputs(self) -> bool:
        return True


def _cached_system(tag: str) -> SystemMessage:
    """A long system prompt (>1024 tokens, Claude Sonnet's least cacheable prefix) ending in an
    explicit cache breakpoint; ``tag`` makes each helper's prompt its own cache entry, so a
    "creation" call never finds the prompt an earlier call of the same test already wrote."""
    text = f"{LONG_SYSTEM} Desk: {tag}."
    return SystemMessage([{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}])


class TestChatYEScaleAnthropicIntegration(_VCRTests):
    """Claude on ``/v1/messages`` (Anthropic's Messages format). Where it differs from the
    shared assumptions: no JSON mode (the class refuses ``json_mode``: structured output is a
    forced tool by default, or Claude's structured outputs with ``json_schema``); prompt caching
    is explicit (``cache_control`` breakpoints, which the class keeps) and Anthropic reports both
    cache writes and reads; thinking tokens are not reported apart from the output tokens, so no
    ``reasoning_output`` detail. Image URLs go as Anthropic ``url`` sources (Claude fetches
    them); PDFs as ``document`` blocks, also inside tool results."""

    cache_model_params = {"model": "claude-sonnet-4-5", "temperature": 0}

    @property
    def chat_model_class(self) -> type[ChatYEScaleAnthropic]:
        return ChatYEScaleAnthropic

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "claude-sonnet-4-5", "temperature": 0}

    @property
    def model_override_value(self) -> str:
        return "claude-haiku-4-5"

    @property
    def supports_json_mode(self) -> bool:
        return False

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def supports_audio_inputs(self) -> bool:
        # Claude takes text, images and PDFs only (the translation refuses audio parts).
        return False

    @property
    def supported_usage_metadata_details(
        self,
    ) -> dict[Literal["invoke", "stream"], list[UsageKind]]:
        # reasoning_output: Anthropic counts thinking within output_tokens, with no separate
        # figure, so our usage has no reasoning detail. audio_*: Claude has no audio.
        return {
            "invoke": ["cache_read_input", "cache_creation_input"],
            "stream": ["cache_read_input", "cache_creation_input"],
        }

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        llm = self.chat_model_class(**self.cache_model_params)
        messages = [_cached_system(f"read, stream={stream}"), HumanMessage("Hello")]
        _run(llm, messages, stream=stream)  # writes the cache
        return _run(llm, messages, stream=stream)  # reads it

    def invoke_with_cache_creation_input(self, *, stream: bool = False) -> AIMessage:
        llm = self.chat_model_class(**self.cache_model_params)
        messages = [_cached_system(f"write, stream={stream}"), HumanMessage("Hello")]
        return _run(llm, messages, stream=stream)  # a prompt not cached yet: written


class TestChatYEScaleResponsesIntegration(_VCRTests):
    """``ChatYEScale(use_responses_api=True)``: OpenAI's Responses API (``/v1/responses``,
    through ``client.responses.chat``). Where it differs from the shared assumptions: no
    ``stop`` (the class refuses it with a hint; ``ChatOpenAI`` drops it); PDFs go as
    ``input_file`` parts, in messages and in ``function_call_output`` items; no audio input (the
    translation refuses audio parts). gpt-5-mini reasons: a ``reasoning`` item comes first in
    each answer and goes back before the function calls of its turn (``test_agent_loop``)."""

    reasoning_model_params = {
        "model": "gpt-5-mini",
        "use_responses_api": True,
        "reasoning": {"effort": "low", "summary": "auto"},
    }
    cache_model_params = {"model": "gpt-5-mini", "use_responses_api": True}

    @property
    def chat_model_class(self) -> type[ChatYEScale]:
        return ChatYEScale

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-5-mini", "use_responses_api": True}

    @property
    def model_override_value(self) -> str:
        return "gpt-5"

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def supports_audio_inputs(self) -> bool:
        # The Responses API takes text, images and files (the translation refuses audio parts).
        return False

    @pytest.mark.xfail(
        reason="the Responses API has no stop sequences: ChatYEScale refuses `stop` there with "
        "a hint (InvalidRequestError before anything is sent), where ChatOpenAI drops it "
        "silently; the standard test passes stop=['you']",
        raises=InvalidRequestError,
        strict=True,
    )
    def test_stop_sequence(self, model: BaseChatModel) -> None:
        super().test_stop_sequence(model)

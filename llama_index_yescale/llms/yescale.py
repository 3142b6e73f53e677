"""``YEScale``: LlamaIndex LLM over YEScale's OpenAI-format ``/v1/chat/completions``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.types import Model
from pydantic import Field

from yescale.integration.audio_chat import check_chat_audio
from yescale.integration.caching import CachePolicy
from yescale.integration.chat_calls import ChatEndpoint
from yescale.integration.chat_params import OPENAI_CHAT_FIELDS, field_values, openai_chat_params
from yescale.models import families as model_families
from yescale.translate.openai_schema import json_schema_response_format, strict_tool

from ._base import BaseYEScaleLLM

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool


class YEScale(BaseYEScaleLLM):
    """Every chat model YEScale serves (GPT, Claude, Gemini, DeepSeek, Qwen, ...) as a LlamaIndex
    ``FunctionCallingLLM``, through YEScale's OpenAI-compatible ``/v1/chat/completions``.

    Setup:
        .. code-block:: bash

            pip install "yescale-integrations[llama-index]"
            export YESCALE_API_KEY="your-key"

    Instantiate:
        .. code-block:: python

            from llama_index.llms.yescale import YEScale

            llm = YEScale(model="gpt-4o-mini", temperature=0, max_tokens=512)

    Chat, stream, complete (and ``achat`` / ``astream_chat`` / ``acomplete`` /
    ``astream_complete``):
        .. code-block:: python

            from llama_index.core.llms import ChatMessage

            llm.chat([ChatMessage(role="user", content="Hi")]).message.content
            for chunk in llm.stream_chat([ChatMessage(role="user", content="Hi")]):
                print(chunk.delta, end="")
            llm.complete("Paris is the capital of").text

    Tools and agents:
        .. code-block:: python

            from llama_index.core.agent.workflow import FunctionAgent

            agent = FunctionAgent(tools=[get_weather, convert], llm=llm)
            await agent.run("What's the weather in Hanoi, in Fahrenheit?")

        ``chat_with_tools(tools, user_msg, tool_required=..., tool_choice="get_weather",
        allow_parallel_tool_calls=..., strict=...)`` and ``get_tool_calls_from_response`` work
        on full and streamed responses.

    Structured output:
        ``structured_predict``, ``astructured_predict``, ``stream_structured_predict`` and
        ``as_structured_llm(Model)`` use ``response_format={"type": "json_schema", ...}`` on models
        that honour it (OpenAI gpt-4o and later, o-series, Gemini) and the function-calling
        program elsewhere (Claude, DeepSeek, ...) or with
        ``pydantic_program_mode=PydanticProgramMode.FUNCTION``.

    Reasoning and images:
        ``reasoning_content`` (DeepSeek-style) comes back as a ``ThinkingBlock`` (streamed:
        ``additional_kwargs["thinking_delta"]``) and is sent back on tool-call turns.
        ``ImageBlock`` s (URL, path or bytes) are sent as ``image_url`` parts.

    Audio (``gpt-4o-audio-preview``, ``gpt-audio``...):
        ``AudioBlock`` s (WAV or MP3) go as ``input_audio``; with ``modalities=["text",
        "audio"]`` and ``audio_config={"voice": "alloy", "format": "wav"}`` the answer holds the
        transcript as text and an ``AudioBlock``, streamed too, and its id goes back next turn
        (see docs/audio.md).

    Token usage:
        ``response.raw["usage"]`` (a plain dict) and ``response.additional_kwargs``
        (``prompt_tokens``, ``completion_tokens``, ``total_tokens``), which LlamaIndex's
        ``TokenCountingHandler`` reads, and ``cache_read_input_tokens`` /
        ``cache_creation_input_tokens`` when the answer reports cached prompt tokens.

    Prompt caching:
        With ``prompt_caching=True``, a ``CachePoint`` after a ``TextBlock`` sends that text with
        ``cache_control`` to Claude models (see docs/llamaindex-llms.md).

    Metadata:
        ``context_window`` and ``num_output`` come from the known-model table
        (:mod:`yescale.models.limits`), any unknown name gets safe defaults; override them with
        ``context_window=...`` / ``num_output=...``.
    """

    max_completion_tokens: int | None = Field(default=None, gt=0)
    """Sent as is; overrides ``max_tokens`` (which o-series / gpt-5 get as this anyway)."""
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    reasoning_effort: str | None = None
    """``"minimal"`` / ``"low"`` / ``"medium"`` / ``"high"`` for reasoning models."""
    modalities: list[str] | None = Field(
        default=None,
        description="Output modalities: ['text', 'audio'] for a spoken answer from the audio "
        "models (gpt-4o-audio-preview, gpt-audio...), with audio_config.",
    )
    audio_config: dict[str, Any] | None = Field(
        default=None,
        description="The spoken answer's voice and format, sent as 'audio', e.g. "
        "{'voice': 'alloy', 'format': 'wav'} ('pcm16' when streaming).",
    )
    stream_usage: bool = True
    """Ask for token usage at the end of streams (``stream_options.include_usage``)."""
    disabled_params: list[str] | None = None
    """Request fields the model rejects, e.g. ``["parallel_tool_calls"]``: never sent."""
    prompt_caching: bool = Field(
        default=False,
        description="Send CachePoint blocks to Claude models, as cache_control on the text part "
        "before each. Off by default (YEScale does not document that its OpenAI-compatible "
        "endpoint passes cache_control on): CachePoints are then left out, with one warning. "
        "On, they are refused for other families (OpenAI caches by itself, Gemini uses "
        "cached_content).",
    )

    _endpoint: ClassVar[ChatEndpoint] = "openai"

    @classmethod
    def class_name(cls) -> str:
        return "YEScale"

    def _cache_policy(self) -> CachePolicy:
        return CachePolicy(enabled=self.prompt_caching, owner=type(self).__name__)

    def _request_params(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        defaults = field_values(self, OPENAI_CHAT_FIELDS)
        if self.audio_config is not None:
            defaults["audio"] = self.audio_config  # llama-index-llms-openai's name for it
        params = openai_chat_params(
            defaults,
            self.additional_kwargs,
            kwargs,
            model=self.model,
            disabled=self.disabled_params,
        )
        params.setdefault("stream_usage", self.stream_usage)
        return params

    def _prepare(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        wire, params = super()._prepare(messages, kwargs)
        check_chat_audio(str(params.get("model", self.model)), wire, params)
        return wire, params

    # -- tools and structured output ------------------------------------------------------------

    def _tool_spec(self, tool: BaseTool, strict: bool) -> dict[str, Any]:
        spec = super()._tool_spec(tool, strict)
        return strict_tool(spec) if strict else spec

    def _native_structured_kwargs(self, output_cls: type[Model]) -> dict[str, Any] | None:
        if not model_families.supports_json_schema(self.model):
            return None
        # ``strict`` given (even False) wins; else the family's default (strict for OpenAI)
        given = self.strict if "strict" in self.model_fields_set else None
        response_format = json_schema_response_format(
            output_cls.model_json_schema(),
            strict=model_families.json_schema_strict(self.model, given),
            fallback_name=output_cls.__name__,
        )
        return {"response_format": response_format}


__all__ = ["YEScale"]

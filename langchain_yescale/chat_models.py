"""``ChatYEScale``: LangChain chat model over YEScale's OpenAI-format chat endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import BaseMessage
from pydantic import Field

from yescale.integration.audio_chat import check_chat_audio
from yescale.integration.caching import CachePolicy
from yescale.integration.chat_calls import ChatEndpoint
from yescale.integration.chat_params import (
    OPENAI_CHAT_FIELDS,
    field_values,
    openai_chat_params,
    wants_responses_api,
)
from yescale.models import families as model_families
from yescale.translate.openai_schema import json_schema_response_format

from ._chat_base import BaseChatYEScale, StructuredMethod, json_schema_of

#: The fields only the Responses API takes (sent when set).
_RESPONSES_FIELDS = ("reasoning", "include", "truncation")


class ChatYEScale(BaseChatYEScale):
    """YEScale chat model: every model YEScale serves (GPT, Claude, Gemini, DeepSeek, Qwen...)
    through its OpenAI-compatible ``/v1/chat/completions`` endpoint.

    Setup:
        Install ``yescale-integrations[langchain]`` and set ``YESCALE_API_KEY``.

        .. code-block:: bash

            pip install "yescale-integrations[langchain]"
            export YESCALE_API_KEY="your-key"

    Key init args — completion params:
        model: str
            Any model name YEScale serves, e.g. ``"gpt-4o-mini"``, ``"claude-sonnet-4-5"``,
            ``"gemini-2.5-flash"``, ``"deepseek-chat"``.
        temperature: float | None
            Sampling temperature.
        max_tokens: int | None
            Max output tokens (sent as ``max_completion_tokens`` to o-series / gpt-5 models).
        stop, top_p, n, seed, presence_penalty, frequency_penalty, logprobs, top_logprobs,
        reasoning_effort:
            As in the OpenAI API.
        model_kwargs / extra_body: dict
            Any other body field, e.g. ``{"thinking": {...}}``.
        stream_usage: bool
            Ask for token usage on streams (default True).

    Key init args — client params:
        api_key: SecretStr | None
            Read from ``YESCALE_API_KEY`` if not given.
        base_url: str | None
            Default ``https://api.yescale.io`` (env ``YESCALE_BASE_URL``).
        timeout, max_retries, default_headers, http_client, http_async_client:
            Passed to the shared YEScale client.

    Instantiate:
        .. code-block:: python

            from langchain_yescale import ChatYEScale

            llm = ChatYEScale(model="gpt-4o-mini", temperature=0, max_tokens=512)

    Invoke:
        .. code-block:: python

            messages = [("system", "Translate to French."), ("human", "I love programming.")]
            llm.invoke(messages)
            # AIMessage(content="J'adore la programmation.", usage_metadata={...}, ...)

    Stream:
        .. code-block:: python

            for chunk in llm.stream(messages):
                print(chunk.text, end="")

    Async:
        .. code-block:: python

            await llm.ainvoke(messages)
            async for chunk in llm.astream(messages):
                ...
            await llm.abatch([messages, messages])

    Tool calling:
        .. code-block:: python

            from pydantic import BaseModel, Field


            class GetWeather(BaseModel):
                '''Get the current weather in a given location.'''

                location: str = Field(..., description="City, e.g. Hanoi")


            llm_with_tools = llm.bind_tools([GetWeather], tool_choice="auto")
            ai_msg = llm_with_tools.invoke("What is the weather in Hanoi?")
            ai_msg.tool_calls
            # [{"name": "GetWeather", "args": {"location": "Hanoi"}, "id": "call_..."}]

    Structured output:
        .. code-block:: python

            class Joke(BaseModel):
                setup: str
                punchline: str


            llm.with_structured_output(Joke).invoke("Tell me a joke about cats")
            # Joke(setup=..., punchline=...)

        ``method`` is ``"json_schema"`` by default for OpenAI (gpt-4o and later, o-series) and
        Gemini models and ``"function_calling"`` for the others (Claude, DeepSeek, ...).

    Image input:
        .. code-block:: python

            from langchain_core.messages import HumanMessage

            message = HumanMessage(
                content=[
                    {"type": "text", "text": "Describe this image."},
                    {"type": "image", "url": "https://example.com/cat.png"},
                ]
            )
            llm.invoke([message])

    Audio (``gpt-4o-audio-preview``, ``gpt-audio``...):
        .. code-block:: python

            llm = ChatYEScale(
                model="gpt-4o-audio-preview",
                modalities=["text", "audio"],
                audio={"voice": "alloy", "format": "wav"},
            )
            heard = HumanMessage(
                [{"type": "audio", "base64": wav_b64, "mime_type": "audio/wav"}]
            )
            answer = llm.invoke([heard])
            answer.additional_kwargs["audio"]["transcript"]
            answer.content_blocks[-1]  # {"type": "audio", "base64": ..., "id": "audio_..."}

        Input audio goes as ``input_audio`` (WAV or MP3 only); see docs/audio.md.

    Reasoning:
        DeepSeek-style ``reasoning_content`` is kept in ``additional_kwargs`` and shown as a
        ``reasoning`` block in ``message.content_blocks``, streamed too. It is sent back on later
        turns of a tool-calling loop (``reasoning_history="auto"``), as those models require.

    Prompt caching (Claude):
        .. code-block:: python

            llm = ChatYEScale(model="claude-sonnet-4-5", prompt_caching=True)
            system = SystemMessage(
                [{"type": "text", "text": long_prompt, "cache_control": {"type": "ephemeral"}}]
            )
            llm.invoke([system, ("human", "...")]).usage_metadata["input_token_details"]
            # first call {"cache_read": 0, "cache_creation": 1876}, then {"cache_read": 1876, ...}

        ``cache_control`` also goes on tool dicts and as a call argument (the whole conversation
        so far). Without ``prompt_caching=True`` breakpoints are dropped with one warning (the
        gateway is not documented to take them); see docs/langchain-chat.md.

    Token usage:
        .. code-block:: python

            ai_msg.usage_metadata
            # {"input_tokens": 28, "output_tokens": 5, "total_tokens": 33,
            #  "input_token_details": {"cache_read": 0},
            #  "output_token_details": {"reasoning": 0}}

    Response metadata:
        .. code-block:: python

            ai_msg.response_metadata
            # {"model_name": "gpt-4o-mini", "finish_reason": "stop", "id": "chatcmpl-...",
            #  "system_fingerprint": "fp_...", "model_provider": "yescale"}
    """

    max_completion_tokens: int | None = None
    """Sent as is; overrides ``max_tokens``."""
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    reasoning_effort: str | None = None
    """``"minimal"``/``"low"``/``"medium"``/``"high"`` for reasoning models."""
    modalities: list[str] | None = None
    """Output modalities: ``["text", "audio"]`` for a spoken answer from the audio models
    (``gpt-4o-audio-preview``, ``gpt-audio``...), with ``audio``."""
    audio: dict[str, Any] | None = None
    """The spoken answer's voice and format, e.g. ``{"voice": "alloy", "format": "wav"}``
    (``"pcm16"`` when streaming). It comes back in ``additional_kwargs["audio"]`` and as an
    ``audio`` block in ``content_blocks``; the next turn sends its id back."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra body fields merged into every request."""
    extra_body: dict[str, Any] | None = None
    """Extra body fields merged into every request (OpenAI SDK spelling)."""
    stream_usage: bool = True
    """Request token usage on streams (``stream_options.include_usage``)."""
    disabled_params: dict[str, Any] | None = None
    """Parameters the model rejects: ``{"parallel_tool_calls": None}`` never sends the
    parameter, ``{"reasoning_effort": ["minimal"]}`` never sends those values."""
    prompt_caching: bool = False
    """Send Anthropic ``cache_control`` breakpoints (on text blocks, system blocks, tool dicts,
    or ``cache_control=`` as a call argument) to Claude models. Off by default: YEScale does not
    document that its OpenAI-compatible endpoint passes them on, so they are dropped, with one
    warning. On, they are refused for other families (OpenAI caches by itself, Gemini uses
    ``cached_content``)."""

    use_responses_api: bool | None = None
    """Send calls to OpenAI's Responses API (``/v1/responses``): ``True`` always, ``False``
    never; unset, when a call needs it: a model served there only (``*-pro``, ``codex``), a
    built-in tool bound (``{"type": "web_search"}``, ``image_generation``,
    ``code_interpreter``...), or a parameter only it takes (``reasoning``, ``include``,
    ``truncation``, ``previous_response_id``, ``use_previous_response_id``)."""
    use_previous_response_id: bool = False
    """Responses API: send only the messages after the last answer, with its id as
    ``previous_response_id`` (the service keeps the conversation; needs ``store``)."""
    reasoning: dict[str, Any] | None = None
    """Responses API: ``{"effort": "medium", "summary": "auto"}``; summaries come back as
    ``reasoning`` blocks."""
    include: list[str] | None = None
    """Responses API: extra output, e.g. ``["reasoning.encrypted_content"]`` (with
    ``store=False`` in ``model_kwargs``: reasoning carried across tool turns by the client)."""
    truncation: str | None = None
    """Responses API: ``"auto"`` lets the service drop the middle of a too-long conversation."""

    _endpoint = "openai"

    @property
    def _llm_type(self) -> str:
        return "yescale-chat"

    def _endpoint_for(self, params: Mapping[str, Any]) -> ChatEndpoint:
        if self.use_responses_api is not None:
            return "responses" if self.use_responses_api else "openai"
        model = str(params.get("model", self.model_name))
        return "responses" if wants_responses_api(model, params) else "openai"

    def _cache_policy(self) -> CachePolicy:
        return CachePolicy(enabled=self.prompt_caching, owner=type(self).__name__)

    def _prepare(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        wire, params = super()._prepare(messages, stop, kwargs)
        if self._endpoint_for(params) == "openai":
            check_chat_audio(str(params.get("model", self.model_name)), wire, params)
        return wire, params

    @property
    def _default_params(self) -> dict[str, Any]:
        params = field_values(self, (*OPENAI_CHAT_FIELDS, *_RESPONSES_FIELDS))
        if self.use_previous_response_id:
            params["use_previous_response_id"] = True
        params.update(self.model_kwargs)
        if self.extra_body:
            params.update(self.extra_body)
        return params

    def _call_params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        call = {**kwargs, "stop": stop} if stop is not None else kwargs
        params = openai_chat_params(
            self._default_params, {}, call, model=self.model_name, disabled=self.disabled_params
        )
        params.setdefault("stream_usage", self.stream_usage)
        return params

    # -- structured output ----------------------------------------------------------------------

    def _default_structured_method(self) -> StructuredMethod:
        if model_families.supports_json_schema(self.model_name):
            return "json_schema"
        return "function_calling"

    def _structured_bind_kwargs(
        self, method: StructuredMethod, schema: dict[str, Any] | type, strict: bool | None
    ) -> dict[str, Any]:
        if method == "json_mode":
            return {"response_format": {"type": "json_object"}}
        if method != "json_schema":
            return super()._structured_bind_kwargs(method, schema, strict)
        strict = model_families.json_schema_strict(self.model_name, strict)
        return {
            "response_format": json_schema_response_format(json_schema_of(schema), strict=strict)
        }


__all__ = ["ChatYEScale"]

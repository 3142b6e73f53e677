"""``ChatYEScaleAnthropic``: LangChain chat model over Anthropic's Messages format on YEScale."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable, RunnableLambda
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, Field, model_validator

from yescale.integration.arguments import ANTHROPIC_REFUSED
from yescale.integration.caching import CachePolicy
from yescale.integration.chat_params import (
    ANTHROPIC_CHAT_FIELDS,
    anthropic_chat_params,
    check_anthropic_fields,
    field_values,
)
from yescale.models.kinds import check_claude_model
from yescale.translate.anthropic_params import output_format

from ._chat_base import BaseChatYEScale, StructuredMethod, json_schema_of

#: JSON-schema ``type`` values: a dict with one is a schema (a tool to convert), not a server tool
_SCHEMA_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")


def is_server_tool(tool: Any) -> bool:
    """An Anthropic server tool dict (``{"type": "web_search_20250305", "name": "web_search"}``):
    sent as it is. A custom tool in Anthropic's shape has an ``input_schema``, an OpenAI tool a
    ``function``, and a JSON schema (``{"type": "object", "properties": ...}``) is converted."""
    return (
        isinstance(tool, dict)
        and isinstance(tool.get("type"), str)
        and tool["type"] not in ("function", "custom", *_SCHEMA_TYPES)
        and isinstance(tool.get("name"), str)
        and not {"input_schema", "function", "properties", "parameters"} & set(tool)
    )


def thinking_on(thinking: Any) -> bool:
    """Whether a ``thinking`` setting turns thinking on (Anthropic then refuses forced tools)."""
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")


_UNFORCED = (
    "{owner}: structured output through a forced tool is not possible with thinking on (Claude "
    "refuses a forced tool_choice then), so the tool is offered, not forced, and an answer "
    "without the tool call raises OutputParserException. method='json_schema' or thinking off "
    "avoids this."
)


class ChatYEScaleAnthropic(BaseChatYEScale):
    """Claude through YEScale's Anthropic-format endpoint (``/v1/messages``): extended thinking
    kept across tool turns, prompt caching, citations, the web-search server tool, images and
    PDFs.

    Setup:
        .. code-block:: bash

            pip install "yescale-integrations[langchain]"
            export YESCALE_API_KEY="your-key"   # sent as Authorization: Bearer

    Key init args:
        model: str
            A Claude model, e.g. ``"claude-sonnet-4-5"`` (default), ``"claude-haiku-4-5"``.
        max_tokens: int | None
            Max output tokens. The Messages API requires it; unset, the model's own maximum
            (its profile's ``max_output_tokens``, else 4096), as ``ChatAnthropic``.
        temperature, top_p, top_k, stop:
            As in the Messages API (``stop`` is sent as ``stop_sequences``).
        thinking: dict | None
            ``{"type": "enabled", "budget_tokens": 2048}`` (at least 1024, less than
            ``max_tokens``). Thinking blocks are kept, with their signatures, and sent back on
            the next turn, as tool loops need.
        model_kwargs: dict
            Any other Messages field, e.g. ``{"metadata": {...}}``, ``{"service_tier": ...}``.
        api_key, base_url, timeout, max_retries, default_headers, http_client:
            As for every YEScale class.

    Instantiate:
        .. code-block:: python

            from langchain_yescale import ChatYEScaleAnthropic

            llm = ChatYEScaleAnthropic(model="claude-sonnet-4-5", temperature=0)

    Invoke, stream, async:
        .. code-block:: python

            llm.invoke([("system", "Answer briefly."), ("human", "How does AI work?")])
            for chunk in llm.stream("How does AI work?"):
                print(chunk.text, end="")
            await llm.ainvoke("How does AI work?")

    Thinking:
        .. code-block:: python

            llm = ChatYEScaleAnthropic(thinking={"type": "enabled", "budget_tokens": 2048})
            msg = llm.invoke("What is 17 * 23?")
            [b for b in msg.content_blocks if b["type"] == "reasoning"]
            msg.additional_kwargs["extra_content"]["anthropic"]["thinking"]  # signed blocks

        The signed blocks go back first in the assistant turn when the message is in the
        history, so an agent with thinking and tools keeps working.

    Tool calling:
        .. code-block:: python

            llm.bind_tools([GetWeather], tool_choice="any", parallel_tool_calls=False)

        Tools are pydantic classes, functions, ``BaseTool`` s, OpenAI or Anthropic tool dicts;
        ``tool_choice`` ``"auto"``, ``"any"`` / ``"required"``, ``"none"`` or a tool's name.

    Web search (server tool) and citations:
        .. code-block:: python

            msg = llm.bind_tools(
                [{"type": "web_search_20250305", "name": "web_search", "max_uses": 3}]
            ).invoke("Who won the 2024 Euro?")
            msg.content_blocks  # text, server_tool_call, server_tool_result, cited text
            msg.additional_kwargs["annotations"]  # url_citation, as ChatOpenAI's

    Structured output:
        .. code-block:: python

            llm.with_structured_output(Recipe).invoke("A cookie recipe")

        ``method="function_calling"`` (default) forces a tool (offered, not forced, with thinking
        on: Claude refuses forced tools then); ``"json_schema"`` uses Claude's structured
        outputs (``output_config.format``).

    Prompt caching:
        .. code-block:: python

            system = SystemMessage(
                [{"type": "text", "text": long_prompt, "cache_control": {"type": "ephemeral"}}]
            )
            llm.invoke([system, ("human", "...")]).usage_metadata["input_token_details"]
            # first {"cache_creation": 1876, "cache_read": 0}, then {"cache_read": 1876, ...}

        ``cache_control`` is kept on text, system and tool blocks, and ``cache_control=`` as a
        call argument caches the whole conversation so far.

    Image and PDF input:
        .. code-block:: python

            HumanMessage(content=[{"type": "text", "text": "Summarise"},
                                  {"type": "file", "base64": pdf_b64,
                                   "mime_type": "application/pdf"}])

    Token usage:
        ``usage_metadata`` with ``input_token_details`` ``cache_read`` and ``cache_creation``
        (``input_tokens`` counts them, as ``ChatAnthropic``'s).

    Response metadata:
        ``model_name``, ``id``, ``finish_reason`` (OpenAI spelling) and
        ``anthropic_stop_reason`` (Claude's own), ``stop_sequence``, the call's estimated cost.
    """

    model_name: str = Field(default="claude-sonnet-4-5", alias="model")
    top_k: int | None = None
    """Sample from the ``top_k`` most likely tokens."""
    thinking: dict[str, Any] | None = None
    """Extended thinking: ``{"type": "enabled", "budget_tokens": 2048}``."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra Messages fields merged into every request."""

    _endpoint = "anthropic"
    _model_turn_blocks = True
    _refused_arguments = ANTHROPIC_REFUSED

    @staticmethod
    def _check_model(model: str) -> None:
        check_claude_model(model)  # a GPT or Gemini model is not served on /v1/messages

    @model_validator(mode="after")
    def _refuse_unsent_fields(self) -> ChatYEScaleAnthropic:
        check_anthropic_fields(type(self).__name__, self.seed, self.n)
        return self

    @property
    def _llm_type(self) -> str:
        return "yescale-anthropic"

    @property
    def _default_params(self) -> dict[str, Any]:
        return field_values(self, ANTHROPIC_CHAT_FIELDS)

    def _call_params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        return anthropic_chat_params(
            self._default_params,
            self.model_kwargs,
            {**kwargs, "stop": stop} if stop is not None else kwargs,
            model=self.model_name,
        )

    def _cache_policy(self) -> CachePolicy:
        return CachePolicy(enabled=True, owner=type(self).__name__, switch=None)

    # -- tools and structured output ------------------------------------------------------------

    def _format_tool(
        self, tool: dict[str, Any] | type | Callable[..., Any] | BaseTool, strict: bool | None
    ) -> dict[str, Any]:
        if is_server_tool(tool):
            return dict(tool)  # type: ignore[arg-type]
        return convert_to_openai_tool(tool)  # strict: Claude's tools have no such switch

    def _structured_bind_kwargs(
        self, method: StructuredMethod, schema: dict[str, Any] | type, strict: bool | None
    ) -> dict[str, Any]:
        if method != "json_schema":
            raise ValueError(
                f"{type(self).__name__} does not support method={method!r}: use "
                "'function_calling' (a forced tool) or 'json_schema' (Claude's structured outputs)."
            )
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            json_schema = schema.model_json_schema()
        else:
            json_schema = json_schema_of(schema)
        return {"output_config": {"format": output_format(json_schema)}}

    def _structured_tool_choice(self, name: str) -> str | None:
        # Claude refuses a forced tool with thinking on: the tool is offered, with a warning
        if thinking_on(self.thinking):
            warnings.warn(_UNFORCED.format(owner=type(self).__name__), stacklevel=4)
            return None
        return name

    def _structured_guard(
        self, llm: Runnable[LanguageModelInput, AIMessage]
    ) -> Runnable[LanguageModelInput, AIMessage]:
        if not thinking_on(self.thinking):
            return llm
        message = _UNFORCED.format(owner=type(self).__name__)

        def require_call(answer: AIMessage) -> AIMessage:
            if not answer.tool_calls:
                raise OutputParserException(message)
            return answer

        return llm | RunnableLambda(require_call)


__all__ = ["ChatYEScaleAnthropic"]

"""``YEScaleAnthropic``: LlamaIndex LLM over Anthropic's Messages format on YEScale."""

from __future__ import annotations

from typing import Any

from llama_index.core.types import Model
from pydantic import Field, model_validator

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

from ._base import BaseYEScaleLLM


def _thinking_on(thinking: Any) -> bool:
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")


class YEScaleAnthropic(BaseYEScaleLLM):
    """Claude as a LlamaIndex ``FunctionCallingLLM`` through YEScale's Anthropic-format endpoint
    (``/v1/messages``): extended thinking kept across tool turns, prompt caching with
    ``CachePoint``, citations, the web-search server tool, images and PDFs.

    Setup:
        .. code-block:: bash

            pip install "yescale-integrations[llama-index]"
            export YESCALE_API_KEY="your-key"   # sent as Authorization: Bearer

    Instantiate:
        .. code-block:: python

            from llama_index.llms.yescale import YEScaleAnthropic

            llm = YEScaleAnthropic(model="claude-sonnet-4-5",
                                   thinking={"type": "enabled", "budget_tokens": 2048})

    Key args:
        model: a Claude model (default ``"claude-sonnet-4-5"``).
        max_tokens: max output tokens; unset, the model's own maximum (else 4096), since the
            Messages API requires one.
        temperature, top_p, top_k, stop: as in the Messages API.
        thinking: ``{"type": "enabled", "budget_tokens": n}``; ``ThinkingBlock`` s come back
            and the signed blocks (``additional_kwargs["extra_content"]``) go back next turn.
        server_tools: Anthropic server tools sent with every request, e.g.
            ``[{"type": "web_search_20250305", "name": "web_search", "max_uses": 3}]``; what
            they find comes as ``CitationBlock`` s.
        additional_kwargs: other Messages fields (``metadata``, ``service_tier``...).

    Everything else (chat, streams, async, tools, agents, ``structured_predict`` /
    ``as_structured_llm``, images, PDFs as ``DocumentBlock``, token usage with
    ``cache_creation`` / ``cache_read``, metadata) works as in :class:`YEScale`. A ``CachePoint``
    after a ``TextBlock`` caches the prompt up to it. Structured output uses a forced tool (the
    function-calling program); with thinking on, Claude refuses forced tools, so the tool is
    offered and an answer without the call is an error. With
    ``pydantic_program_mode=PydanticProgramMode.DEFAULT`` and ``structured_outputs=True``,
    Claude's own structured outputs (``output_config.format``) are used instead.
    """

    model: str = Field(default="claude-sonnet-4-5", description="A Claude model.")
    top_k: int | None = Field(default=None, description="Sample from the top_k likeliest tokens.")
    thinking: dict[str, Any] | None = Field(
        default=None,
        description='Extended thinking: {"type": "enabled", "budget_tokens": 2048} (at least '
        "1024, less than max_tokens).",
    )
    server_tools: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Anthropic server tools sent with every request, e.g. "
        '[{"type": "web_search_20250305", "name": "web_search"}].',
    )
    structured_outputs: bool = Field(
        default=False,
        description="structured_predict through Claude's structured outputs "
        "(output_config.format; Claude 4.5 models and later) instead of a forced tool.",
    )

    _endpoint = "anthropic"
    _model_turn_blocks = True
    _refused_arguments = {
        **ANTHROPIC_REFUSED,
        "n": "YEScaleAnthropic returns one answer per call (LlamaIndex reads one).",
    }

    @classmethod
    def class_name(cls) -> str:
        return "YEScaleAnthropic"

    @staticmethod
    def _check_model_name(model: str) -> None:
        check_claude_model(model)

    @model_validator(mode="after")
    def _refuse_unsent_fields(self) -> YEScaleAnthropic:
        check_anthropic_fields(type(self).__name__, self.seed)
        return self

    def _cache_policy(self) -> CachePolicy:
        return CachePolicy(enabled=True, owner=type(self).__name__, switch=None)

    def _request_params(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        params = anthropic_chat_params(
            field_values(self, ANTHROPIC_CHAT_FIELDS),
            self.additional_kwargs,
            kwargs,
            model=self.model,
        )
        if self.server_tools:
            params["tools"] = [*self.server_tools, *(params.get("tools") or [])]
        return params

    # -- tools and structured output ------------------------------------------------------------

    def _may_force_tools(self, kwargs: dict[str, Any]) -> bool:
        # Claude refuses forced tools while thinking: the function-calling program's
        # tool_required then offers the tool instead
        return not _thinking_on(kwargs.get("thinking", self.thinking))

    def _native_structured_kwargs(self, output_cls: type[Model]) -> dict[str, Any] | None:
        if not self.structured_outputs:
            return None
        return {"output_config": {"format": output_format(output_cls.model_json_schema())}}


__all__ = ["YEScaleAnthropic"]

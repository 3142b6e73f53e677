"""``YEScaleGemini``: LlamaIndex LLM over Gemini-native ``generateContent`` on YEScale."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from llama_index.core.types import Model
from pydantic import Field

from yescale import InvalidRequestError
from yescale.models.kinds import check_gemini_model
from yescale.translate.gemini_chat import gemini_params
from yescale.translate.gemini_schema import to_gemini_schema
from yescale.types.chat import ChatCompletion, ChatCompletionChunk

from ._base import BaseYEScaleLLM

#: OpenAI-only fields that Gemini does not take (it decides on parallel calls itself).
_DROPPED = ("parallel_tool_calls", "stream_options", "n")


def _response_format(response_format: Any) -> dict[str, Any]:
    """An OpenAI ``response_format`` (handy in ``llm_kwargs``) as Gemini generation fields."""
    if not isinstance(response_format, dict):
        raise InvalidRequestError("response_format must be a dict, as in the OpenAI API.")
    kind = response_format.get("type")
    if kind == "json_object":
        return {"response_mime_type": "application/json"}
    if kind == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema") or {}
        return {
            "response_mime_type": "application/json",
            "response_schema": to_gemini_schema(schema),
        }
    if kind == "text":
        return {}
    raise InvalidRequestError(f"Unknown response_format type {kind!r}.")


class YEScaleGemini(BaseYEScaleLLM):
    """Gemini as a LlamaIndex ``FunctionCallingLLM`` through YEScale's Gemini-native endpoint
    (``/v1beta/models/{model}:generateContent``): thinking, native structured output
    (``responseSchema``), function calling with thought signatures, Google Search grounding.

    Setup:
        .. code-block:: bash

            pip install "yescale-integrations[llama-index]"
            export YESCALE_API_KEY="your-key"   # sent as x-goog-api-key

    Instantiate:
        .. code-block:: python

            from llama_index.llms.yescale import YEScaleGemini

            llm = YEScaleGemini(model="gemini-2.5-flash", thinking_budget=1024,
                                include_thoughts=True)

    Key args:
        model: a Gemini model (default ``"gemini-2.5-flash"``).
        temperature, top_p, top_k, max_tokens, stop, seed: sent in ``generationConfig``.
        thinking_budget: thinking tokens (``0`` off, ``-1`` the model decides).
        include_thoughts: return thought summaries as ``ThinkingBlock`` s.
        google_search, url_context, code_execution: Gemini's built-in tools.
        safety_settings: Gemini ``safetySettings``, as is.
        generation_config: any other ``generationConfig`` field (camelCase), as is.
        additional_kwargs: other top-level request fields (e.g. ``cached_content``).

    Everything else (chat, streams, async, tools, agents, ``structured_predict`` /
    ``as_structured_llm``, images, token usage, metadata) works as in :class:`YEScale`.
    Structured output uses ``responseSchema`` (translated from the pydantic schema; schemas
    Gemini's subset cannot express, e.g. recursive ones, go as ``responseJsonSchema``), or the
    function-calling program with ``pydantic_program_mode=PydanticProgramMode.FUNCTION``.
    Image URLs are fetched (without your key) and sent inline.
    """

    model: str = Field(default="gemini-2.5-flash", description="A Gemini model.")
    top_k: int | None = None
    thinking_budget: int | None = None
    """Thinking tokens: ``0`` disables thinking, ``-1`` lets the model decide."""
    include_thoughts: bool | None = None
    """Return thought summaries (as ``ThinkingBlock`` s)."""
    google_search: bool = False
    """Ground answers with Google Search (metadata in ``raw``)."""
    url_context: bool = False
    """Let the model read URLs given in the prompt."""
    code_execution: bool = False
    """Let the model run code."""
    safety_settings: list[dict[str, Any]] | None = None
    generation_config: dict[str, Any] | None = None
    """Extra ``generationConfig`` fields, sent as is."""

    @classmethod
    def class_name(cls) -> str:
        return "YEScaleGemini"

    @staticmethod
    def _check_model_name(model: str) -> None:
        check_gemini_model(model)

    def _request_params(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        defaults: dict[str, Any] = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "top_k": self.top_k,
            "max_tokens": self.max_tokens,
            "stop": self.stop,
            "seed": self.seed,
            "thinking_budget": self.thinking_budget,
            "include_thoughts": self.include_thoughts,
        }
        merged = {k: v for k, v in defaults.items() if v is not None}
        merged.update(self.additional_kwargs)
        merged.update(kwargs)
        if "response_format" in merged:
            merged.update(_response_format(merged.pop("response_format")))
        for name in _DROPPED:  # before the mapping: "n" is not a Gemini option here
            merged.pop(name, None)
        config, tools = gemini_params(
            merged,
            self.generation_config,
            google_search=self.google_search,
            url_context=self.url_context,
            code_execution=self.code_execution,
        )
        params: dict[str, Any] = {"model": str(merged.pop("model", self.model)), **merged}
        if tools:
            params["tools"] = tools
        elif "tool_choice" in params:
            del params["tool_choice"]  # no function declarations: nothing to choose from
        if config:
            params["generation_config"] = config
        safety = params.pop("safety_settings", None) or self.safety_settings
        if safety:
            params["safety_settings"] = safety
        return params

    def _wire_create(
        self, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> ChatCompletion:
        return self.client.gemini.chat.create(messages=messages, **params)

    async def _wire_acreate(
        self, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> ChatCompletion:
        return await self.client.aio.gemini.chat.create(messages=messages, **params)

    def _wire_stream(
        self, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> Iterator[ChatCompletionChunk]:
        return self.client.gemini.chat.stream(messages=messages, **params)

    def _wire_astream(
        self, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> AsyncIterator[ChatCompletionChunk]:
        return aiter(self.client.aio.gemini.chat.stream(messages=messages, **params))

    # -- structured output ----------------------------------------------------------------------

    def _native_structured_kwargs(self, output_cls: type[Model]) -> dict[str, Any]:
        schema = output_cls.model_json_schema()
        try:
            return {
                "response_mime_type": "application/json",
                "response_schema": to_gemini_schema(schema),
            }
        except InvalidRequestError:
            # Recursive or free-form schemas: Gemini 2.5 takes the JSON schema itself.
            return {"response_mime_type": "application/json", "response_json_schema": schema}


__all__ = ["YEScaleGemini"]

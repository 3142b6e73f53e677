"""``ChatYEScaleGemini``: LangChain chat model over Gemini-native ``generateContent`` on YEScale."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, Field

from yescale.models.kinds import check_gemini_model
from yescale.translate.gemini_chat import gemini_params
from yescale.translate.gemini_schema import to_gemini_schema
from yescale.types.chat import ChatCompletion, ChatCompletionChunk

from ._chat_base import BaseChatYEScale, StructuredMethod, json_schema_of

_NATIVE_TOOLS = ("googleSearch", "google_search", "urlContext", "url_context", "codeExecution")


class ChatYEScaleGemini(BaseChatYEScale):
    """Gemini through YEScale's Gemini-native endpoint (``/v1beta/models/{model}:generateContent``):
    thinking, native structured output, function calling, Google Search grounding, URL context.

    Setup:
        .. code-block:: bash

            pip install "yescale-integrations[langchain]"
            export YESCALE_API_KEY="your-key"   # sent as x-goog-api-key

    Key init args:
        model: str
            A Gemini model, e.g. ``"gemini-2.5-flash"`` (default), ``"gemini-2.5-pro"``.
        temperature, top_p, top_k, max_tokens, stop, n (candidates), seed:
            Sent in ``generationConfig``.
        thinking_budget: int | None
            Thinking tokens: ``0`` disables thinking, ``-1`` lets the model decide.
        include_thoughts: bool | None
            Return thought summaries (as ``reasoning`` blocks).
        google_search, url_context, code_execution: bool
            Enable Gemini's built-in tools; grounding metadata lands in ``response_metadata``.
        safety_settings: list[dict] | None
            Gemini ``safetySettings``, sent as is.
        generation_config: dict | None
            Any other ``generationConfig`` field, sent as is (camelCase).
        api_key, base_url, timeout, max_retries, default_headers, http_client:
            As for every YEScale class.

    Instantiate:
        .. code-block:: python

            from langchain_yescale import ChatYEScaleGemini

            llm = ChatYEScaleGemini(model="gemini-2.5-flash", thinking_budget=0)

    Invoke:
        .. code-block:: python

            llm.invoke([("system", "Answer briefly."), ("human", "How does AI work?")])

    Stream:
        .. code-block:: python

            for chunk in llm.stream("How does AI work?"):
                print(chunk.text, end="")

    Async:
        .. code-block:: python

            await llm.ainvoke("How does AI work?")
            async for chunk in llm.astream("How does AI work?"):
                ...

    Thinking:
        .. code-block:: python

            llm = ChatYEScaleGemini(model="gemini-2.5-flash", thinking_budget=1024,
                                    include_thoughts=True)
            msg = llm.invoke("What is 17 * 23?")
            [b for b in msg.content_blocks if b["type"] == "reasoning"]
            msg.usage_metadata["output_token_details"]["reasoning"]  # thoughtsTokenCount

    Tool calling:
        .. code-block:: python

            llm.bind_tools([GetWeather]).invoke("Weather in Hanoi?").tool_calls

        Thought signatures on function calls are kept and sent back on the next turn.

    Structured output:
        .. code-block:: python

            llm.with_structured_output(Recipe).invoke("A cookie recipe")

        The default ``method="json_schema"`` sends ``responseMimeType: application/json`` and a
        ``responseSchema`` translated from the pydantic / JSON schema (references inlined,
        ``Optional`` as ``nullable``, field order as ``propertyOrdering``);
        ``"response_json_schema"`` sends the JSON schema as is (Gemini 2.5), and
        ``"function_calling"`` and ``"json_mode"`` are available too.

    Image input:
        .. code-block:: python

            HumanMessage(content=[{"type": "text", "text": "Describe"},
                                  {"type": "image", "url": "https://.../cat.png"}])

        URLs are fetched (without your key) and sent inline.

    Grounding:
        .. code-block:: python

            llm = ChatYEScaleGemini(google_search=True)
            llm.invoke("Who won the 2024 Euro?").response_metadata["grounding_metadata"]

    Token usage:
        ``usage_metadata`` with ``output_token_details.reasoning`` = ``thoughtsTokenCount`` and
        ``input_token_details.cache_read`` = ``cachedContentTokenCount``.

    Response metadata:
        ``model_name`` (``modelVersion``), ``id`` (``responseId``), ``finish_reason`` (OpenAI
        spelling) and ``gemini_finish_reason``, ``safety_ratings``, ``grounding_metadata``.
    """

    @staticmethod
    def _check_model(model: str) -> None:
        check_gemini_model(model)  # a GPT or Claude model is not served on generateContent

    model_name: str = Field(default="gemini-2.5-flash", alias="model")
    top_k: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    thinking_budget: int | None = None
    """Thinking tokens: 0 disables, -1 dynamic."""
    include_thoughts: bool | None = None
    """Return thought summaries as reasoning blocks."""
    google_search: bool = False
    """Ground answers with Google Search."""
    url_context: bool = False
    """Let the model read URLs given in the prompt."""
    code_execution: bool = False
    """Let the model run code."""
    safety_settings: list[dict[str, Any]] | None = None
    generation_config: dict[str, Any] | None = None
    """Extra ``generationConfig`` fields, sent as is."""
    response_modalities: list[str] | None = None
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra top-level request fields (e.g. ``cached_content``)."""

    @property
    def _llm_type(self) -> str:
        return "yescale-gemini"

    @property
    def _default_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "top_k": self.top_k,
            "max_tokens": self.max_tokens,
            "stop": self.stop,
            "n": self.n,
            "seed": self.seed,
            "presence_penalty": self.presence_penalty,
            "frequency_penalty": self.frequency_penalty,
            "response_modalities": self.response_modalities,
            "thinking_budget": self.thinking_budget,
            "include_thoughts": self.include_thoughts,
        }
        return {k: v for k, v in params.items() if v is not None}

    def _call_params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        merged = {**self._default_params, **kwargs}
        if stop is not None:
            merged["stop"] = stop
        config, tools = gemini_params(
            merged,
            self.generation_config,
            google_search=self.google_search,
            url_context=self.url_context,
            code_execution=self.code_execution,
        )
        merged.pop("parallel_tool_calls", None)  # Gemini decides; not a Gemini field
        params: dict[str, Any] = {
            "model": str(merged.pop("model", self.model_name)),
            **self.model_kwargs,
            **merged,
        }
        if tools:
            params["tools"] = tools
        if config:
            params["generation_config"] = config
        safety = params.pop("safety_settings", None) or self.safety_settings
        if safety:
            params["safety_settings"] = safety
        return params

    def _complete(self, messages: list[dict[str, Any]], params: dict[str, Any]) -> ChatCompletion:
        return self.client.gemini.chat.create(messages=messages, **params)

    async def _acomplete(
        self, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> ChatCompletion:
        return await self.client.aio.gemini.chat.create(messages=messages, **params)

    def _chunks(
        self, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> Iterator[ChatCompletionChunk]:
        return self.client.gemini.chat.stream(messages=messages, **params)

    def _achunks(
        self, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> AsyncIterator[ChatCompletionChunk]:
        return aiter(self.client.aio.gemini.chat.stream(messages=messages, **params))

    # -- tools and structured output ------------------------------------------------------------

    def _format_tool(
        self, tool: dict[str, Any] | type | Callable[..., Any] | BaseTool, strict: bool | None
    ) -> dict[str, Any]:
        if isinstance(tool, dict) and any(key in tool for key in _NATIVE_TOOLS):
            return tool
        return convert_to_openai_tool(tool)

    def _default_structured_method(self) -> StructuredMethod:
        return "json_schema"

    def _structured_bind_kwargs(
        self, method: StructuredMethod, schema: dict[str, Any] | type, strict: bool | None
    ) -> dict[str, Any]:
        if method == "json_mode":
            return {"response_mime_type": "application/json"}
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            # pydantic's own schema keeps $defs/$ref, so a recursive model is recognised (and
            # refused for responseSchema, kept for responseJsonSchema) instead of being flattened
            # into an "any value" hole.
            json_schema = schema.model_json_schema()
        else:
            json_schema = json_schema_of(schema)
        if method == "response_json_schema":
            return {"response_mime_type": "application/json", "response_json_schema": json_schema}
        return {
            "response_mime_type": "application/json",
            "response_schema": to_gemini_schema(json_schema),
        }


__all__ = ["ChatYEScaleGemini"]

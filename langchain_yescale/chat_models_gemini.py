"""``ChatYEScaleGemini``: LangChain chat model over Gemini-native ``generateContent`` on YEScale."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, Field

from yescale.integration.arguments import GEMINI_REFUSED
from yescale.integration.chat_params import (
    GEMINI_CHAT_FIELDS,
    field_values,
    gemini_chat_params,
    gemini_json_output,
)
from yescale.integration.options import GeminiOptions
from yescale.models.kinds import check_gemini_model

from ._chat_base import BaseChatYEScale, StructuredMethod, json_schema_of

_NATIVE_TOOLS = ("googleSearch", "google_search", "urlContext", "url_context", "codeExecution")


class ChatYEScaleGemini(BaseChatYEScale, GeminiOptions):
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
            Enable Gemini's built-in tools: grounding supports become citations on the text
            (raw metadata in ``response_metadata``), code and its output become blocks.
        response_modalities: list[str] | None
            ``["TEXT", "IMAGE"]``, ``["IMAGE"]`` (image models), ``["AUDIO"]`` (speech models).
        aspect_ratio, image_size: str | None
            Image models (nano-banana): ``"16:9"``, ``"1:1"``...; ``"1K"``/``"2K"``/``"4K"``.
        voice, speech_config:
            Speech models: a prebuilt voice (``"Kore"``), or Gemini's ``speechConfig`` as is.
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

        Thought signatures (on function calls, and on text in
        ``additional_kwargs["extra_content"]``) are kept and sent back on the next turn.
        Tool arguments may be free-form dicts (sent as an ``OBJECT`` without properties).

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

    Grounding (citations):
        .. code-block:: python

            llm = ChatYEScaleGemini(google_search=True)
            msg = llm.invoke("Who won the 2024 Euro?")
            msg.content_blocks[0]["annotations"]  # [{"type": "citation", "url": ...}, ...]
            msg.response_metadata["grounding_metadata"]  # the raw metadata

    Images, speech and code (non-text outputs):
        .. code-block:: python

            artist = ChatYEScaleGemini(model="gemini-2.5-flash-image", aspect_ratio="16:9")
            msg = artist.invoke("Draw a red square")
            image = next(b for b in msg.content_blocks if b["type"] == "image")  # base64
            artist.invoke([HumanMessage("Draw a red square"), msg, HumanMessage("Make it blue")])

        An answer holding images, audio (speech arrives as WAV) or code execution has a list of
        standard blocks as its content (``image``, ``audio``, ``server_tool_call`` /
        ``server_tool_result`` for code), streamed as they come; with ``output_version="v1"``
        every answer does. Sent back next turn, each part keeps its thought signature, so an
        image can be edited across turns.

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
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra top-level request fields (e.g. ``cached_content``)."""

    _endpoint = "gemini"
    _model_turn_blocks = True
    _refused_arguments = GEMINI_REFUSED

    @property
    def _llm_type(self) -> str:
        return "yescale-gemini"

    @property
    def _default_params(self) -> dict[str, Any]:
        return field_values(self, GEMINI_CHAT_FIELDS)

    def _call_params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        return gemini_chat_params(
            self._default_params,
            self.model_kwargs,
            {**kwargs, "stop": stop} if stop is not None else kwargs,
            model=self.model_name,
            generation_config=self.generation_config,
            safety_settings=self.safety_settings,
            google_search=self.google_search,
            url_context=self.url_context,
            code_execution=self.code_execution,
        )

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
            return gemini_json_output(None)
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            # pydantic's own schema keeps $defs/$ref, so a recursive model is recognised (and
            # refused for responseSchema, kept for responseJsonSchema) instead of being flattened
            # into an "any value" hole.
            json_schema = schema.model_json_schema()
        else:
            json_schema = json_schema_of(schema)
        if method == "response_json_schema":
            return gemini_json_output(json_schema, "json_schema")
        return gemini_json_output(json_schema, "schema")


__all__ = ["ChatYEScaleGemini"]

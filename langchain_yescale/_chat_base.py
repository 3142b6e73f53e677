"""What ``ChatYEScale`` and ``ChatYEScaleGemini`` share: both speak OpenAI-format completions
with the client (Gemini's translation lives in ``yescale.translate.gemini_chat``), so results,
streaming, tool binding and structured output are built once here. Subclasses only say how to
call the client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, ClassVar, Literal, cast

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LangSmithParams, LanguageModelInput
from langchain_core.language_models.chat_models import (
    BaseChatModel,
    agenerate_from_stream,
    generate_from_stream,
)
from langchain_core.language_models.model_profile import ModelProfile
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import ConfigDict, Field, model_validator

from yescale.integration import presigned
from yescale.integration.answers import add_usage
from yescale.integration.caching import (
    CachePolicy,
    check_breakpoints,
    check_cache_control,
    mark_last_part,
    strip_tools,
    tools_carry_cache_control,
)
from yescale.integration.chat_calls import ChatCalls, ChatEndpoint
from yescale.integration.chat_params import openai_tool_choice, tool_names
from yescale.models.kinds import check_chat_model
from yescale.models.profiles import model_profile
from yescale.types.chat import ChatCompletion, ChatCompletionChunk

from ._client_params import YEScaleClientParams
from ._errors import langchain_errors
from ._openai_answers import (
    choice_metadata,
    chunk_to_langchain,
    completion_metadata,
    usage_to_langchain,
    wire_message_to_ai,
)
from ._openai_messages import ReasoningHistory, has_cache_control, messages_to_openai

ToolChoice = dict[str, Any] | str | bool | None
StructuredMethod = Literal["function_calling", "json_schema", "json_mode", "response_json_schema"]


class BaseChatYEScale(YEScaleClientParams, BaseChatModel):
    """Shared base of the YEScale chat models (not for direct use)."""

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    model_name: str = Field(default="gpt-4o-mini", alias="model")
    """The model to use: any chat model YEScale serves."""
    temperature: float | None = None
    max_tokens: int | None = None
    """Max output tokens."""
    top_p: float | None = None
    stop: list[str] | str | None = Field(default=None, alias="stop_sequences")
    n: int | None = None
    """Number of answers (choices / candidates) per call."""
    seed: int | None = None
    streaming: bool = False
    """Make ``invoke`` stream internally (callbacks get tokens as they come)."""
    reasoning_history: ReasoningHistory = "auto"
    """Send ``reasoning_content`` back: ``"auto"`` on tool-call turns, ``"always"``, ``"never"``."""

    @model_validator(mode="after")
    def _validate_common(self) -> BaseChatYEScale:
        self._check_settings()
        self._check_model(self.model_name)
        if self.n is not None and self.n < 1:
            raise ValueError("n must be at least 1")
        if self.n is not None and self.n > 1 and self.streaming:
            raise ValueError("n must be 1 when streaming")
        return self

    @staticmethod
    def _check_model(model: str) -> None:
        """Refuse a model this class certainly cannot talk to (an embedding model, say)."""
        check_chat_model(model)

    def _resolve_model_profile(self) -> ModelProfile | None:
        """``profile`` when none is given: the model's entry in ``yescale.models.profiles``
        (``None`` for a name nobody knows). langchain-core calls it once, when the model is made.
        """
        return cast("ModelProfile", model_profile(self.model_name)) or None

    # -- LangChain plumbing -------------------------------------------------------------------

    @property
    def model(self) -> str:
        """Same as ``model_name`` (as on ``ChatOpenAI``; ``model=`` sets it)."""
        return self.model_name

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "YESCALE_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_yescale"]

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, **self._default_params}

    def _get_invocation_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        # What BaseChatModel's version returns (``dict()`` plus stop and the call's kwargs),
        # without going through the deprecated ``dict()`` and its warning filter on every call.
        return {**self._identifying_params, "_type": self._llm_type, "stop": stop, **kwargs}

    @property
    def _default_params(self) -> dict[str, Any]:
        raise NotImplementedError

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        ls = LangSmithParams(
            ls_provider="yescale",
            ls_model_name=str(kwargs.get("model", self.model_name)),
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if isinstance(temperature, (int, float)):
            ls["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if isinstance(max_tokens, int):
            ls["ls_max_tokens"] = max_tokens
        stop_seq = stop if stop is not None else kwargs.get("stop", self.stop)
        if stop_seq:
            ls["ls_stop"] = [stop_seq] if isinstance(stop_seq, str) else list(stop_seq)
        return ls

    # -- the client calls (subclasses) --------------------------------------------------------

    def _call_params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The model and body parameters of one call (defaults, per-call overrides, stop)."""
        raise NotImplementedError

    #: The client's chat endpoint this class calls (subclasses).
    _endpoint: ClassVar[ChatEndpoint]
    #: Whether the model takes its own images, audio and code results back (Gemini does).
    _model_turn_blocks: ClassVar[bool] = False

    def _endpoint_for(self, params: Mapping[str, Any]) -> ChatEndpoint:
        """The endpoint of a call with ``params`` (``ChatYEScale`` chooses per call)."""
        return self._endpoint

    def _calls_for(self, params: Mapping[str, Any]) -> ChatCalls:
        return ChatCalls(self.client, self._endpoint_for(params))

    # -- conversion -----------------------------------------------------------------------------

    def _cache_policy(self) -> CachePolicy:
        """Whether breakpoints are sent (subclasses with a switch): here never, with a warning."""
        return CachePolicy(enabled=False, owner=type(self).__name__, switch=None)

    def _prepare(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        # ``cache_control=`` as a call / bind / model_kwargs argument is langchain-anthropic's
        # "cache the conversation so far": a breakpoint on the last text of the last message
        automatic = kwargs.get("cache_control")
        kwargs = {k: v for k, v in kwargs.items() if k != "cache_control"}
        params = self._call_params(stop, kwargs)
        default = params.pop("cache_control", None)
        automatic = default if automatic is None else automatic
        tools = params.get("tools")
        found = (
            automatic is not None or tools_carry_cache_control(tools) or has_cache_control(messages)
        )
        model = str(params.get("model", self.model_name))
        keep = self._cache_policy().keep(model, found)
        native = self._model_turn_blocks or self._endpoint_for(params) == "responses"
        wire = messages_to_openai(messages, self.reasoning_history, native, cache=keep)
        if keep:
            if automatic is not None:
                mark_last_part(wire, check_cache_control(automatic, "cache_control="))
            check_breakpoints(wire, tools)
        elif tools_carry_cache_control(tools):
            params["tools"] = strip_tools(tools)
        return wire, params

    def _to_result(self, completion: ChatCompletion) -> ChatResult:
        metadata = completion_metadata(completion)
        usage = usage_to_langchain(completion.usage) if completion.usage is not None else None
        generations = []
        for choice in completion.choices:
            message_metadata = {
                **metadata,
                "finish_reason": choice.finish_reason,
                **choice_metadata(choice),
            }
            message = wire_message_to_ai(choice.message, message_metadata, usage)
            generations.append(
                ChatGeneration(
                    message=message, generation_info={"finish_reason": choice.finish_reason}
                )
            )
        llm_output: dict[str, Any] = {"model_name": completion.model or self.model_name}
        if completion.usage is not None:
            llm_output["token_usage"] = completion.usage.model_dump(exclude_none=True)
        if completion.system_fingerprint:
            llm_output["system_fingerprint"] = completion.system_fingerprint
        return ChatResult(generations=generations, llm_output=llm_output)

    def _combine_llm_outputs(self, llm_outputs: list[dict[str, Any] | None]) -> dict[str, Any]:
        """One ``llm_output`` for ``generate`` over several prompts: token usage summed."""
        usage: dict[str, Any] = {}
        combined: dict[str, Any] = {}
        for output in llm_outputs:
            if not output:
                continue
            add_usage(usage, output.get("token_usage") or {})
            for key in ("model_name", "system_fingerprint"):
                if output.get(key) and key not in combined:
                    combined[key] = output[key]
        combined.setdefault("model_name", self.model_name)
        return {"token_usage": usage, **combined}

    @staticmethod
    def _generation_chunk(chunk: ChatCompletionChunk, sent: set[str]) -> ChatGenerationChunk | None:
        message = chunk_to_langchain(chunk, sent)
        if message is None:
            return None
        finish = message.response_metadata.get("finish_reason")
        info = {"finish_reason": finish} if finish else None
        return ChatGenerationChunk(message=message, generation_info=info)

    def _wants_stream(self, kwargs: dict[str, Any]) -> bool:
        return self.streaming and kwargs.get("n", self.n) in (None, 1)

    # -- calls ----------------------------------------------------------------------------------

    @presigned  # BaseChatModel inspects it on every call
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self._wants_stream(kwargs):
            return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))
        wire_messages, params = self._prepare(messages, stop, kwargs)
        with langchain_errors():
            return self._to_result(self._calls_for(params).create(wire_messages, params))

    @presigned
    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self._wants_stream(kwargs):
            return await agenerate_from_stream(self._astream(messages, stop, run_manager, **kwargs))
        wire_messages, params = self._prepare(messages, stop, kwargs)
        with langchain_errors():
            return self._to_result(await self._calls_for(params).acreate(wire_messages, params))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        wire_messages, params = self._prepare(messages, stop, kwargs)
        sent: set[str] = set()
        with langchain_errors():
            for chunk in self._calls_for(params).stream(wire_messages, params):
                generation = self._generation_chunk(chunk, sent)
                if generation is None:
                    continue
                if run_manager:
                    run_manager.on_llm_new_token(generation.text, chunk=generation)
                yield generation

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        wire_messages, params = self._prepare(messages, stop, kwargs)
        sent: set[str] = set()
        with langchain_errors():
            async for chunk in self._calls_for(params).astream(wire_messages, params):
                generation = self._generation_chunk(chunk, sent)
                if generation is None:
                    continue
                if run_manager:
                    await run_manager.on_llm_new_token(generation.text, chunk=generation)
                yield generation

    # -- tools ----------------------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: ToolChoice = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools: pydantic classes, functions, ``BaseTool``s or OpenAI tool dicts.

        Args:
            tool_choice: ``"auto"``, ``"none"``, ``"required"``/``"any"``/``True``, a tool name,
                or an OpenAI ``tool_choice`` dict.
            strict: ask for strict schema adherence (OpenAI models).
            parallel_tool_calls: allow several calls in one turn.
        """
        formatted = [_kept_breakpoint(tool, self._format_tool(tool, strict)) for tool in tools]
        choice = openai_tool_choice(tool_choice, tool_names(formatted))
        if choice is not None:
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def _format_tool(
        self, tool: dict[str, Any] | type | Callable[..., Any] | BaseTool, strict: bool | None
    ) -> dict[str, Any]:
        return convert_to_openai_tool(tool, strict=strict)

    # -- structured output ----------------------------------------------------------------------

    def _default_structured_method(self) -> StructuredMethod:
        return "function_calling"

    def _structured_tool_choice(self, name: str) -> str | None:
        """The ``tool_choice`` of the ``function_calling`` method: the schema's tool, forced."""
        return name

    def _structured_guard(
        self, llm: Runnable[LanguageModelInput, AIMessage]
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """``llm`` with whatever checks the answer before parsing (subclasses; none here)."""
        return llm

    def _structured_bind_kwargs(
        self, method: StructuredMethod, schema: dict[str, Any] | type, strict: bool | None
    ) -> dict[str, Any]:
        """Body parameters for the ``json_schema`` / ``json_mode`` methods (subclasses)."""
        raise ValueError(f"{type(self).__name__} does not support method={method!r}.")

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        method: StructuredMethod | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | Any]:
        """A runnable that returns ``schema``-shaped output (pydantic object or dict).

        Args:
            schema: a pydantic class, a TypedDict, an OpenAI tool / function dict or a JSON
                schema.
            method: ``"function_calling"``, ``"json_schema"`` (native schema-constrained output),
                ``"json_mode"`` (JSON without a schema; describe it in the prompt), and for
                Gemini ``"response_json_schema"``. Default: see the class docstring.
            include_raw: return ``{"raw": AIMessage, "parsed": ..., "parsing_error": ...}``.
            strict: strict schema adherence where the model supports it; with
                ``json_schema``, unset means strict for OpenAI models (as langchain-openai)
                and not sent for others (``yescale.models.families.json_schema_strict``).
        """
        if kwargs:
            raise ValueError(f"Unexpected arguments: {sorted(kwargs)}")
        method = method or self._default_structured_method()
        is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
        format_info = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
        parser: Runnable[Any, Any]
        if method == "function_calling":
            tool = self._format_tool(schema, strict)
            name = tool["function"]["name"] if "function" in tool else tool.get("name", "")
            llm = self.bind_tools(
                [schema],
                tool_choice=self._structured_tool_choice(name),
                strict=strict,
                ls_structured_output_format=format_info,
            )
            llm = self._structured_guard(llm)
            if is_pydantic:
                parser = PydanticToolsParser(tools=[schema], first_tool_only=True)  # type: ignore[list-item]
            else:
                parser = JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
        elif method in ("json_schema", "json_mode", "response_json_schema"):
            bind = self._structured_bind_kwargs(method, schema, strict)
            llm = self.bind(**bind, ls_structured_output_format=format_info)
            if is_pydantic:
                parser = PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
            else:
                parser = JsonOutputParser()
        else:
            raise ValueError(
                f"Unknown method {method!r}: use 'function_calling', 'json_schema' or 'json_mode'."
            )
        if not include_raw:
            return llm | parser
        parse = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        )
        fallback = RunnablePassthrough.assign(parsed=lambda _: None)
        with_fallback = parse.with_fallbacks([fallback], exception_key="parsing_error")
        return RunnableMap(raw=llm) | with_fallback


def _kept_breakpoint(tool: Any, formatted: dict[str, Any]) -> dict[str, Any]:
    """The formatted tool with the ``cache_control`` its dict carried (an Anthropic-format tool
    loses it in the conversion), at its top level as the neutral form has it."""
    if isinstance(tool, dict) and "cache_control" in tool and "cache_control" not in formatted:
        return {**formatted, "cache_control": tool["cache_control"]}
    return formatted


def json_schema_of(schema: dict[str, Any] | type) -> dict[str, Any]:
    """A JSON schema for a pydantic class, TypedDict, OpenAI tool dict or JSON schema."""
    if isinstance(schema, dict) and "function" in schema and schema.get("type") == "function":
        fn = schema["function"]
        return {"title": fn["name"], "description": fn.get("description", ""), **fn["parameters"]}
    return convert_to_json_schema(schema)

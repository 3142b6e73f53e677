"""What ``YEScale`` and ``YEScaleGemini`` share.

Both talk OpenAI-format completions with the client (Gemini's translation lives in
``yescale.translate.gemini_chat``), so responses, streaming, tool calling and structured output
are built once here. Subclasses only say how to build the request parameters, call the client,
describe a tool and ask for native structured output.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from llama_index.core.base.llms.generic_utils import (
    achat_to_completion_decorator,
    astream_chat_to_completion_decorator,
    chat_to_completion_decorator,
    stream_chat_to_completion_decorator,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
    ToolCallBlock,
)
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.program.utils import FlexibleModel
from llama_index.core.prompts import BasePromptTemplate
from llama_index.core.types import Model, PydanticProgramMode
from pydantic import ConfigDict, Field, model_validator

from yescale.integration import presigned
from yescale.integration.answers import cost_metadata, parse_json_answer, usage_counts
from yescale.integration.caching import (
    CachePolicy,
    check_breakpoints,
    strip_tools,
    tools_carry_cache_control,
)
from yescale.integration.chat_calls import ChatCalls, ChatEndpoint
from yescale.integration.chat_params import openai_tool_choice
from yescale.models.kinds import check_chat_model
from yescale.models.limits import model_limits
from yescale.models.profiles import model_profile
from yescale.types.chat import ChatCompletion

from .._client_params import YEScaleClientParams
from ..costs import report_cost
from ._convert import (
    ReasoningHistory,
    from_wire_message,
    has_cache_points,
    logprobs_from_wire,
    parse_tool_kwargs,
    to_openai_messages,
)
from ._stream import StreamAccumulator

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

dispatcher = get_dispatcher(__name__)

ToolChoice = str | dict[str, Any] | None
StructuredStream = Generator[Model | list[Model] | FlexibleModel | list[FlexibleModel], None, None]
AsyncStructuredStream = AsyncGenerator[
    Model | list[Model] | FlexibleModel | list[FlexibleModel], None
]

#: Keyword arguments LlamaIndex components may hand to ``chat`` that are not request fields.
_FRAMEWORK_KWARGS = (
    "tool_required",
    "allow_parallel_tool_calls",
    "verbose",
    "error_on_no_tool_call",
    "formatted",
    "use_chat_completions",
)
#: Tool-calling parameters that do not belong in a native structured-output request.
_TOOL_KWARGS = ("tools", "tool_choice", "parallel_tool_calls", *_FRAMEWORK_KWARGS)


def force_single_tool_call(response: ChatResponse) -> None:
    """Keep only the first tool call of a response (``allow_parallel_tool_calls=False``)."""
    message = response.message
    calls = [b for b in message.blocks if isinstance(b, ToolCallBlock)]
    if len(calls) > 1:
        message.blocks = [b for b in message.blocks if not isinstance(b, ToolCallBlock)]
        message.blocks.append(calls[0])
    raw = message.additional_kwargs.get("tool_calls")
    if isinstance(raw, list) and len(raw) > 1:
        message.additional_kwargs["tool_calls"] = raw[:1]


def parse_structured(output_cls: type[Model], response: ChatResponse) -> Model:
    """The JSON answer of a native structured-output call as ``output_cls``."""
    raw = response.raw if isinstance(response.raw, dict) else {}
    choices = raw.get("choices") or [{}]
    return parse_json_answer(output_cls, response.message.content, choices[0].get("finish_reason"))


class BaseYEScaleLLM(YEScaleClientParams, FunctionCallingLLM):
    """Shared base of the YEScale LlamaIndex LLMs (not for direct use)."""

    model_config = ConfigDict(arbitrary_types_allowed=True, populate_by_name=True)

    model: str = Field(default="gpt-4o-mini", description="The model: any name YEScale serves.")
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, gt=0, description="Max output tokens.")
    top_p: float | None = None
    stop: list[str] | None = None
    seed: int | None = None
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra request fields merged into every call."
    )
    context_window: int | None = Field(
        default=None, gt=0, description="Overrides the known context window of the model."
    )
    num_output: int | None = Field(
        default=None,
        gt=0,
        description="Output tokens LlamaIndex reserves in prompts (default: max_tokens, else "
        "the model's output limit, at most a quarter of the context window).",
    )
    is_function_calling_model: bool | None = Field(
        default=None,
        description="Whether LlamaIndex may use tool calling with this model (default: what "
        "the model's profile says, and True for a model without one).",
    )
    strict: bool = Field(
        default=False,
        description="Ask for strict schema adherence in tools and JSON schemas. Not given, "
        "native JSON-schema output is still strict on OpenAI models (as in llama-index's "
        "OpenAI); strict=False turns that off too.",
    )
    reasoning_history: ReasoningHistory = Field(
        default="auto",
        description="Send ThinkingBlocks back as reasoning_content: 'auto' on tool-call turns "
        "(DeepSeek-style reasoning models need it), 'always' or 'never'.",
    )

    @model_validator(mode="after")
    def _check_model(self) -> BaseYEScaleLLM:
        # e.g. an embedding model here would fail every request: say so when the LLM is built
        self._check_model_name(self.model)
        return self

    @staticmethod
    def _check_model_name(model: str) -> None:
        """Refuse a model the class's endpoint certainly does not serve (subclasses)."""
        check_chat_model(model)

    # -- LlamaIndex plumbing ------------------------------------------------------------------

    @property
    def metadata(self) -> LLMMetadata:
        # the model's profile (yescale.models.profiles, as LangChain's ``profile``), then the
        # conservative default limits for a name nobody knows; the user's settings win
        profile = model_profile(self.model)
        limits = model_limits(self.model)
        context = self.context_window or profile.get("max_input_tokens") or limits.context_window
        max_output = profile.get("max_output_tokens") or limits.max_output_tokens
        num_output = self.num_output or self.max_tokens or max(1, min(max_output, context // 4))
        calls_tools = self.is_function_calling_model
        if calls_tools is None:
            calls_tools = profile.get("tool_calling", True)
        return LLMMetadata(
            context_window=context,
            num_output=num_output,
            is_chat_model=True,
            is_function_calling_model=calls_tools,
            model_name=self.model,
            system_role=MessageRole.SYSTEM,
        )

    # -- what subclasses provide ----------------------------------------------------------------

    def _request_params(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The client parameters of one call (``model`` included): defaults plus ``kwargs``."""
        raise NotImplementedError

    #: The client's chat endpoint this class calls (subclasses).
    _endpoint: ClassVar[ChatEndpoint]
    #: Whether the model takes its own images, audio and code results back (Gemini does).
    _model_turn_blocks: ClassVar[bool] = False

    @property
    def _calls(self) -> ChatCalls:
        return ChatCalls(self.client, self._endpoint)

    def _tool_spec(self, tool: BaseTool, strict: bool) -> dict[str, Any]:
        """The OpenAI tool dict for a LlamaIndex tool."""
        return tool.metadata.to_openai_tool(skip_length_check=True)

    def _native_structured_kwargs(self, output_cls: type[Model]) -> dict[str, Any] | None:
        """Request parameters for schema-constrained JSON output; ``None`` when the model has
        no native structured output (the function-calling program is used instead)."""
        return None

    # -- conversion -----------------------------------------------------------------------------

    def _cache_policy(self) -> CachePolicy:
        """Whether breakpoints are sent (subclasses with a switch): here never, with a warning."""
        return CachePolicy(enabled=False, owner=type(self).__name__, switch=None)

    def _prepare(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        kwargs = {k: v for k, v in kwargs.items() if k not in _FRAMEWORK_KWARGS}
        params = self._request_params(kwargs)
        tools = params.get("tools")
        found = has_cache_points(messages) or tools_carry_cache_control(tools)
        keep = self._cache_policy().keep(str(params.get("model", self.model)), found)
        wire = to_openai_messages(
            messages, self.reasoning_history, self._model_turn_blocks, cache=keep
        )
        if keep:
            check_breakpoints(wire, tools)
        elif tools_carry_cache_control(tools):
            params["tools"] = strip_tools(tools)
        return wire, params

    @staticmethod
    def _to_response(completion: ChatCompletion) -> ChatResponse:
        choice = completion.choices[0] if completion.choices else None
        if choice is not None:
            message = from_wire_message(choice.message, completion.usage)
            logprobs = logprobs_from_wire(choice.logprobs)
        else:  # e.g. a Gemini prompt blocked before any candidate
            message = ChatMessage(role=MessageRole.ASSISTANT, content="")
            logprobs = None
        cost = cost_metadata(completion)
        report_cost(cost.get("cost"), "llm")
        return ChatResponse(
            message=message,
            raw={
                **completion.model_dump(mode="json", exclude_none=True),
                **cost_metadata(completion),
            },
            logprobs=logprobs,
            additional_kwargs={**usage_counts(completion.usage), **cost_metadata(completion)},
        )

    # -- calls (undecorated, so completions do not report twice) -------------------------------

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        wire, params = self._prepare(messages, kwargs)
        return self._to_response(self._calls.create(wire, params))

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        wire, params = self._prepare(messages, kwargs)
        return self._to_response(await self._calls.acreate(wire, params))

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        wire, params = self._prepare(messages, kwargs)

        def gen() -> ChatResponseGen:
            accumulator = StreamAccumulator()
            for chunk in self._calls.stream(wire, params):
                yield accumulator.add(chunk)

        return gen()

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        wire, params = self._prepare(messages, kwargs)

        async def gen() -> ChatResponseAsyncGen:
            accumulator = StreamAccumulator()
            stream = self._calls.astream(wire, params)
            try:
                async for chunk in stream:
                    yield accumulator.add(chunk)
            finally:
                close = getattr(stream, "aclose", None)
                if close is not None:
                    await close()

        return gen()

    # -- the LlamaIndex LLM interface -------------------------------------------------------------
    # ``presigned``: the instrumentation dispatcher inspects these on every call.
    @presigned
    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._chat(messages, **kwargs)

    @presigned
    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._stream_chat(messages, **kwargs)

    @presigned
    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return chat_to_completion_decorator(self._chat)(prompt, **kwargs)

    @presigned
    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        return stream_chat_to_completion_decorator(self._stream_chat)(prompt, **kwargs)

    @presigned
    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return await self._achat(messages, **kwargs)

    @presigned
    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        return await self._astream_chat(messages, **kwargs)

    @presigned
    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        return await achat_to_completion_decorator(self._achat)(prompt, **kwargs)

    @presigned
    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        return await astream_chat_to_completion_decorator(self._astream_chat)(prompt, **kwargs)

    # -- tool calling -------------------------------------------------------------------------

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: ToolChoice = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The ``chat`` arguments for a tool-calling turn.

        Args:
            tool_required: the model must call a tool (``tool_choice="required"``).
            tool_choice: ``"auto"``, ``"none"``, ``"required"``, a tool name, or an OpenAI
                ``tool_choice`` dict; wins over ``tool_required``.
            allow_parallel_tool_calls: let the model call several tools in one turn.
            strict: strict schema adherence for the tools (default: the ``strict`` field).
        """
        if tool_choice is None and not self._may_force_tools(kwargs):
            tool_required = False
        specs = [self._tool_spec(t, self.strict if strict is None else strict) for t in tools]
        names: dict[str, str] = {}
        for tool, spec in zip(tools, specs, strict=True):
            if "function" in spec:
                sent = spec["function"]["name"]
                names[sent] = sent
                names.setdefault(tool.metadata.name or sent, sent)
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
        if user_msg is not None:
            messages.append(user_msg)
        prepared: dict[str, Any] = {"messages": messages, **kwargs}
        if specs:
            prepared["tools"] = specs
            prepared["tool_choice"] = openai_tool_choice(
                tool_choice, names, required=tool_required, default="auto"
            )
            prepared["parallel_tool_calls"] = allow_parallel_tool_calls
        return prepared

    def _may_force_tools(self, kwargs: dict[str, Any]) -> bool:
        """Whether ``tool_required`` may force a tool on this call (a subclass says when the
        model refuses forced tools; an explicit ``tool_choice`` is always sent)."""
        return True

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        if not allow_parallel_tool_calls:
            force_single_tool_call(response)
        return response

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """The tool calls of a response, complete or streamed (partial arguments are parsed as
        far as they go)."""
        blocks = [b for b in response.message.blocks if isinstance(b, ToolCallBlock)]
        selections = [
            ToolSelection(
                tool_id=b.tool_call_id or "",
                tool_name=b.tool_name,
                tool_kwargs=parse_tool_kwargs(b.tool_kwargs),
            )
            for b in blocks
        ]
        if not blocks:
            for raw in response.message.additional_kwargs.get("tool_calls") or []:
                call = raw if isinstance(raw, dict) else raw.model_dump()
                function = call.get("function") or {}
                selections.append(
                    ToolSelection(
                        tool_id=call.get("id") or "",
                        tool_name=function.get("name") or "",
                        tool_kwargs=parse_tool_kwargs(function.get("arguments") or ""),
                    )
                )
        if not selections and error_on_no_tool_call:
            raise ValueError("Expected at least one tool call, but the model made none.")
        return selections

    # -- structured output ----------------------------------------------------------------------

    def _native_kwargs(
        self, output_cls: type[Model], llm_kwargs: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Request parameters for the native path, or ``None`` to use function calling."""
        if self.pydantic_program_mode != PydanticProgramMode.DEFAULT:
            return None
        native = self._native_structured_kwargs(output_cls)
        if native is None:
            return None
        kwargs = {k: v for k, v in (llm_kwargs or {}).items() if k not in _TOOL_KWARGS}
        return {**kwargs, **native}

    def _structured_messages(
        self, prompt: BasePromptTemplate, prompt_args: dict[str, Any]
    ) -> list[ChatMessage]:
        return self._extend_messages(prompt.format_messages(llm=self, **prompt_args))

    @dispatcher.span
    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """``output_cls`` from the model: native JSON-schema output where the model has it
        (see the class docs), else the function-calling program."""
        native = self._native_kwargs(output_cls, llm_kwargs)
        if native is None:
            fallback: Model = super().structured_predict(
                output_cls,
                prompt,  # type: ignore[arg-type]
                llm_kwargs=llm_kwargs,
                **prompt_args,
            )
            return fallback
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        response = self.chat(self._structured_messages(prompt, prompt_args), **native)
        result = parse_structured(output_cls, response)
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    @dispatcher.span
    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        native = self._native_kwargs(output_cls, llm_kwargs)
        if native is None:
            afallback: Model = await super().astructured_predict(
                output_cls,
                prompt,  # type: ignore[arg-type]
                llm_kwargs=llm_kwargs,
                **prompt_args,
            )
            return afallback
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        response = await self.achat(self._structured_messages(prompt, prompt_args), **native)
        result = parse_structured(output_cls, response)
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    def _structured_stream_call(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> StructuredStream[Model]:
        native = self._native_kwargs(output_cls, llm_kwargs)
        if native is None:
            return super()._structured_stream_call(
                output_cls,
                prompt,  # type: ignore[arg-type]
                llm_kwargs,
                **prompt_args,
            )
        from llama_index.core.program.streaming_utils import process_streaming_content_incremental

        messages = self._structured_messages(prompt, prompt_args)

        def gen() -> StructuredStream[Model]:
            current: Model | FlexibleModel | None = None
            for response in self.stream_chat(messages, **native):
                current = process_streaming_content_incremental(response, output_cls, current)
                yield current

        return gen()

    async def _structured_astream_call(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncStructuredStream[Model]:
        native = self._native_kwargs(output_cls, llm_kwargs)
        if native is None:
            return await super()._structured_astream_call(
                output_cls,
                prompt,  # type: ignore[arg-type]
                llm_kwargs,
                **prompt_args,
            )
        from llama_index.core.program.streaming_utils import process_streaming_content_incremental

        messages = self._structured_messages(prompt, prompt_args)

        async def gen() -> AsyncStructuredStream[Model]:
            current: Model | FlexibleModel | None = None
            async for response in await self.astream_chat(messages, **native):
                current = process_streaming_content_incremental(response, output_cls, current)
                yield current

        return gen()

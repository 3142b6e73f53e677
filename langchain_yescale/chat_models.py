"""``ChatYEScale``: LangChain chat model over YEScale's OpenAI-format chat endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LangSmithParams, LanguageModelInput
from langchain_core.language_models.chat_models import (
    BaseChatModel,
    agenerate_from_stream,
    generate_from_stream,
)
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field, model_validator

from yescale import model_families
from yescale.types.chat import ChatCompletion, ChatCompletionChunk

from ._client_params import YEScaleClientParams
from ._errors import langchain_errors
from ._openai_messages import (
    ReasoningHistory,
    chunk_to_langchain,
    completion_metadata,
    messages_to_openai,
    usage_to_langchain,
    wire_message_to_ai,
)

ToolChoice = dict[str, Any] | str | bool | None


class ChatYEScale(YEScaleClientParams, BaseChatModel):
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

    Reasoning:
        DeepSeek-style ``reasoning_content`` is kept in ``additional_kwargs`` and shown as a
        ``reasoning`` block in ``message.content_blocks``, streamed too. It is sent back on later
        turns of a tool-calling loop (``reasoning_history="auto"``), as those models require.

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

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    model_name: str = Field(default="gpt-4o-mini", alias="model")
    """The model to use: any chat model YEScale serves."""
    temperature: float | None = None
    max_tokens: int | None = Field(default=None)
    """Max output tokens; sent as ``max_completion_tokens`` where the model needs that."""
    max_completion_tokens: int | None = None
    """Sent as is; overrides ``max_tokens``."""
    top_p: float | None = None
    stop: list[str] | str | None = Field(default=None, alias="stop_sequences")
    n: int | None = None
    seed: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    reasoning_effort: str | None = None
    """``"minimal"``/``"low"``/``"medium"``/``"high"`` for reasoning models."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra body fields merged into every request."""
    extra_body: dict[str, Any] | None = None
    """Extra body fields merged into every request (OpenAI SDK spelling)."""
    streaming: bool = False
    """Make ``invoke`` stream internally (callbacks get tokens as they come)."""
    stream_usage: bool = True
    """Request token usage on streams (``stream_options.include_usage``)."""
    disabled_params: dict[str, Any] | None = None
    """Parameters the model rejects, e.g. ``{"parallel_tool_calls": None}``: never sent."""
    reasoning_history: ReasoningHistory = "auto"
    """Send ``reasoning_content`` back: ``"auto"`` on tool-call turns, ``"always"``, ``"never"``."""

    @model_validator(mode="after")
    def _validate(self) -> ChatYEScale:
        self._require_key()
        if self.n is not None and self.n < 1:
            raise ValueError("n must be at least 1")
        if self.n is not None and self.n > 1 and self.streaming:
            raise ValueError("n must be 1 when streaming")
        return self

    # -- LangChain plumbing -------------------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "yescale-chat"

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "YESCALE_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_yescale", "chat_models"]

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, **self._default_params}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = self._request_params(stop, kwargs)
        ls = LangSmithParams(
            ls_provider="yescale",
            ls_model_name=str(kwargs.get("model", self.model_name)),
            ls_model_type="chat",
        )
        if isinstance(params.get("temperature"), (int, float)):
            ls["ls_temperature"] = params["temperature"]
        max_tokens = params.get("max_tokens", params.get("max_completion_tokens"))
        if isinstance(max_tokens, int):
            ls["ls_max_tokens"] = max_tokens
        if stop_seq := params.get("stop"):
            ls["ls_stop"] = [stop_seq] if isinstance(stop_seq, str) else list(stop_seq)
        return ls

    # -- request ------------------------------------------------------------------------------

    @property
    def _default_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "max_completion_tokens": self.max_completion_tokens,
            "top_p": self.top_p,
            "stop": self.stop,
            "n": self.n,
            "seed": self.seed,
            "presence_penalty": self.presence_penalty,
            "frequency_penalty": self.frequency_penalty,
            "logprobs": self.logprobs,
            "top_logprobs": self.top_logprobs,
            "reasoning_effort": self.reasoning_effort,
        }
        params = {k: v for k, v in params.items() if v is not None}
        params.update(self.model_kwargs)
        if self.extra_body:
            params.update(self.extra_body)
        return params

    def _request_params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        params = {**self._default_params, **kwargs}
        extra = params.pop("extra_body", None)
        if extra:
            params.update(extra)
        if stop is not None:
            params["stop"] = stop
        model = str(params.pop("model", self.model_name))
        if "max_tokens" in params and model_families.uses_max_completion_tokens(model):
            params.setdefault("max_completion_tokens", params.pop("max_tokens"))
        elif "max_completion_tokens" in params:
            params.pop("max_tokens", None)
        for name in self.disabled_params or {}:
            params.pop(name, None)
        params["model"] = model
        return params

    def _build(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
        params = self._request_params(stop, kwargs)
        params.pop("stream", None)
        model = params.pop("model")
        return model, messages_to_openai(messages, self.reasoning_history), params

    # -- answers ------------------------------------------------------------------------------

    def _to_result(self, completion: ChatCompletion) -> ChatResult:
        metadata = completion_metadata(completion)
        usage = usage_to_langchain(completion.usage) if completion.usage is not None else None
        generations = []
        for choice in completion.choices:
            choice_metadata = {**metadata, "finish_reason": choice.finish_reason}
            if choice.logprobs:
                choice_metadata["logprobs"] = choice.logprobs
            message = wire_message_to_ai(choice.message, choice_metadata, usage)
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

    @staticmethod
    def _to_generation_chunk(chunk: ChatCompletionChunk, first: bool) -> ChatGenerationChunk | None:
        message = chunk_to_langchain(chunk, first)
        if message is None:
            return None
        info = (
            {"finish_reason": message.response_metadata["finish_reason"]}
            if "finish_reason" in message.response_metadata
            else None
        )
        return ChatGenerationChunk(message=message, generation_info=info)

    # -- calls --------------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming and kwargs.get("n", self.n) in (None, 1):
            return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))
        model, wire_messages, params = self._build(messages, stop, kwargs)
        with langchain_errors():
            completion = self.client.chat.create(model=model, messages=wire_messages, **params)
        return self._to_result(completion)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming and kwargs.get("n", self.n) in (None, 1):
            return await agenerate_from_stream(self._astream(messages, stop, run_manager, **kwargs))
        model, wire_messages, params = self._build(messages, stop, kwargs)
        with langchain_errors():
            completion = await self.client.aio.chat.create(
                model=model, messages=wire_messages, **params
            )
        return self._to_result(completion)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        model, wire_messages, params = self._build(messages, stop, kwargs)
        include_usage = bool(params.pop("stream_usage", self.stream_usage))
        first = True
        with langchain_errors():
            for chunk in self.client.chat.stream(
                model=model, messages=wire_messages, include_usage=include_usage, **params
            ):
                generation = self._to_generation_chunk(chunk, first)
                if generation is None:
                    continue
                first = False
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
        model, wire_messages, params = self._build(messages, stop, kwargs)
        include_usage = bool(params.pop("stream_usage", self.stream_usage))
        first = True
        with langchain_errors():
            async for chunk in self.client.aio.chat.stream(
                model=model, messages=wire_messages, include_usage=include_usage, **params
            ):
                generation = self._to_generation_chunk(chunk, first)
                if generation is None:
                    continue
                first = False
                if run_manager:
                    await run_manager.on_llm_new_token(generation.text, chunk=generation)
                yield generation

    # -- tools --------------------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: ToolChoice = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (pydantic classes, functions, ``BaseTool``s or OpenAI tool dicts).

        Args:
            tool_choice: ``"auto"``, ``"none"``, ``"required"``/``"any"``/``True``, a tool name,
                or an OpenAI ``tool_choice`` dict.
            strict: ask for strict schema adherence (OpenAI models).
            parallel_tool_calls: allow several calls in one turn (dropped if disabled).
        """
        formatted = [convert_to_openai_tool(tool, strict=strict) for tool in tools]
        choice = normalize_tool_choice(tool_choice, formatted)
        if choice is not None:
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)


def normalize_tool_choice(
    tool_choice: ToolChoice, tools: Sequence[dict[str, Any]]
) -> str | dict[str, Any] | None:
    """LangChain's ``tool_choice`` spellings as OpenAI's."""
    if tool_choice is None or tool_choice is False:
        return None
    if tool_choice is True or tool_choice in ("any", "required"):
        return "required"
    if tool_choice in ("auto", "none"):
        return str(tool_choice)
    if isinstance(tool_choice, str):
        names = [t["function"]["name"] for t in tools if "function" in t]
        if tool_choice not in names:
            raise ValueError(f"tool_choice {tool_choice!r} is not one of the bound tools {names}.")
        return {"type": "function", "function": {"name": tool_choice}}
    if isinstance(tool_choice, dict):
        return tool_choice
    raise ValueError(f"Unsupported tool_choice {tool_choice!r}.")


__all__ = ["ChatYEScale", "normalize_tool_choice"]

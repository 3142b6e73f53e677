"""OpenAI-format chat completions (``/v1/chat/completions``), as YEScale serves for every model."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ._base import Priced, WireModel, none_as_empty


class ChatCompletionRequest(WireModel):
    """The body of a chat completion request; any extra parameter is passed through."""

    model: str
    messages: list[dict[str, Any]]
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    # The ranges every model behind YEScale accepts (OpenAI's; the others' are the same or
    # narrower): a value outside them is refused before sending instead of by an HTTP 400.
    temperature: float | None = Field(default=None, ge=0, le=2, allow_inf_nan=False)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    top_p: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    n: int | None = Field(default=None, ge=1, le=128)
    stop: str | list[str] | None = None
    seed: int | None = None
    presence_penalty: float | None = Field(default=None, ge=-2, le=2, allow_inf_nan=False)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2, allow_inf_nan=False)
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    reasoning_effort: str | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    response_format: dict[str, Any] | None = None


class FunctionCall(WireModel):
    name: str | None = None
    arguments: str | None = None


class ToolCall(WireModel):
    """A tool call; unknown fields (e.g. Gemini ``extra_content`` thought signatures) are kept."""

    id: str | None = None
    type: str | None = "function"
    function: FunctionCall = Field(default_factory=FunctionCall)
    index: int | None = None


class ChatAudio(WireModel):
    """An audio answer (``modalities: ["text", "audio"]``): its id (sent back next turn), the
    base64 audio, its transcript and when the id stops working; streamed, each ``delta.audio``
    holds some of these (pieces of ``data`` and ``transcript``)."""

    id: str | None = None
    data: str | None = None
    transcript: str | None = None
    expires_at: int | None = None


class ChatMessage(WireModel):
    role: str = "assistant"
    content: str | list[dict[str, Any]] | None = None
    reasoning_content: str | None = None
    tool_calls: list[ToolCall] | None = None
    refusal: str | None = None
    audio: ChatAudio | None = None


class ChatChoice(WireModel):
    index: int = 0
    message: ChatMessage = Field(default_factory=ChatMessage)
    finish_reason: str | None = None
    logprobs: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _null_message(cls, data: Any) -> Any:
        # ``"message": null`` reads as no message (not in ``model_fields_set``), which the chat
        # endpoint's check names, rather than as a shape the parser cannot read.
        if isinstance(data, dict) and "message" in data and data["message"] is None:
            data = {k: v for k, v in data.items() if k != "message"}
        return data

    @property
    def has_message(self) -> bool:
        """Whether the answer carried a message for this choice (an empty one counts)."""
        return "message" in self.model_fields_set


class PromptTokensDetails(WireModel):
    cached_tokens: int | None = None
    audio_tokens: int | None = None


class CompletionTokensDetails(WireModel):
    reasoning_tokens: int | None = None
    audio_tokens: int | None = None


class Usage(WireModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None


class ChatCompletion(Priced, WireModel):
    id: str | None = None
    object: str | None = None
    created: int | None = None
    model: str | None = None
    system_fingerprint: str | None = None
    choices: list[ChatChoice] = Field(default_factory=list)
    usage: Usage | None = None

    _null_choices = field_validator("choices", mode="before")(none_as_empty)


class ChoiceDelta(WireModel):
    role: str | None = None
    content: str | None = None
    reasoning_content: str | None = None
    tool_calls: list[ToolCall] | None = None
    refusal: str | None = None
    audio: ChatAudio | None = None


class ChunkChoice(WireModel):
    index: int = 0
    delta: ChoiceDelta = Field(default_factory=ChoiceDelta)
    finish_reason: str | None = None
    logprobs: dict[str, Any] | None = None


class ChatCompletionChunk(Priced, WireModel):
    id: str | None = None
    object: Literal["chat.completion.chunk"] | str | None = None
    created: int | None = None
    model: str | None = None
    system_fingerprint: str | None = None
    choices: list[ChunkChoice] = Field(default_factory=list)
    usage: Usage | None = None

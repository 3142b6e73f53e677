"""Gemini-native ``generateContent`` wire models (``/v1beta/models/{model}:generateContent``).

Python names are snake_case; the JSON is camelCase as Gemini's REST API spells it.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from ._base import CamelWireModel, Priced, none_as_empty


class GenerateContentRequest(CamelWireModel):
    contents: list[dict[str, Any]]
    system_instruction: dict[str, Any] | None = None
    generation_config: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_config: dict[str, Any] | None = None
    safety_settings: list[dict[str, Any]] | None = None
    cached_content: str | None = None


class Part(CamelWireModel):
    text: str | None = None
    thought: bool | None = None
    thought_signature: str | None = None
    inline_data: dict[str, Any] | None = None
    file_data: dict[str, Any] | None = None
    function_call: dict[str, Any] | None = None
    function_response: dict[str, Any] | None = None
    executable_code: dict[str, Any] | None = None
    code_execution_result: dict[str, Any] | None = None


class Content(CamelWireModel):
    role: str | None = None
    parts: list[Part] = Field(default_factory=list)


class Candidate(CamelWireModel):
    content: Content | None = None
    finish_reason: str | None = None
    index: int | None = None
    safety_ratings: list[dict[str, Any]] | None = None
    grounding_metadata: dict[str, Any] | None = None
    url_context_metadata: dict[str, Any] | None = None
    citation_metadata: dict[str, Any] | None = None


class UsageMetadata(CamelWireModel):
    prompt_token_count: int | None = None
    candidates_token_count: int | None = None
    total_token_count: int | None = None
    thoughts_token_count: int | None = None
    cached_content_token_count: int | None = None
    tool_use_prompt_token_count: int | None = None
    prompt_tokens_details: list[dict[str, Any]] | None = None


class PromptFeedback(CamelWireModel):
    block_reason: str | None = None
    safety_ratings: list[dict[str, Any]] | None = None


class GenerateContentResponse(Priced, CamelWireModel):
    candidates: list[Candidate] = Field(default_factory=list)
    usage_metadata: UsageMetadata | None = None
    model_version: str | None = None
    response_id: str | None = None
    prompt_feedback: PromptFeedback | None = None

    _null_candidates = field_validator("candidates", mode="before")(none_as_empty)

    @property
    def blocked(self) -> bool:
        """Whether Gemini refused the prompt itself (``promptFeedback.blockReason``)."""
        return self.prompt_feedback is not None and bool(self.prompt_feedback.block_reason)

    @property
    def text(self) -> str:
        """The answer text of the first candidate, thoughts left out."""
        if not self.candidates or self.candidates[0].content is None:
            return ""
        parts = self.candidates[0].content.parts
        return "".join(p.text for p in parts if p.text and not p.thought)

    @property
    def finished(self) -> bool:
        """Whether this (streamed) response ends the answer: a finish reason or a blocked prompt."""
        if self.blocked:
            return True
        return any(c.finish_reason for c in self.candidates)

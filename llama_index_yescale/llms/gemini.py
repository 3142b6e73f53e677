"""``YEScaleGemini``: LlamaIndex LLM over Gemini-native ``generateContent`` on YEScale."""

from __future__ import annotations

from typing import Any

from llama_index.core.types import Model
from pydantic import Field

from yescale.integration.arguments import GEMINI_REFUSED
from yescale.integration.chat_params import (
    GEMINI_CHAT_FIELDS,
    field_values,
    gemini_chat_params,
    gemini_json_output,
)
from yescale.integration.options import GeminiOptions
from yescale.models.kinds import check_gemini_model

from ._base import BaseYEScaleLLM


class YEScaleGemini(BaseYEScaleLLM, GeminiOptions):
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
        google_search, url_context, code_execution: Gemini's built-in tools (grounding
            supports become ``CitationBlock`` s; code and its output fenced ``TextBlock`` s).
        response_modalities: ``["TEXT", "IMAGE"]``, ``["AUDIO"]``...
        aspect_ratio, image_size: image models (nano-banana), e.g. ``"16:9"``, ``"2K"``.
        voice, speech_config: speech models: a prebuilt voice (``"Kore"``) or ``speechConfig``.
        safety_settings: Gemini ``safetySettings``, as is.
        generation_config: any other ``generationConfig`` field (camelCase), as is.
        additional_kwargs: other top-level request fields (e.g. ``cached_content``).

    Everything else (chat, streams, async, tools, agents, ``structured_predict`` /
    ``as_structured_llm``, images, token usage, metadata) works as in :class:`YEScale`.
    Structured output uses ``responseSchema`` (translated from the pydantic schema; schemas
    Gemini's subset cannot express, e.g. recursive ones, go as ``responseJsonSchema``), or the
    function-calling program with ``pydantic_program_mode=PydanticProgramMode.FUNCTION``.
    Image URLs are fetched (without your key) and sent inline.

    Non-text answers: images arrive as ``ImageBlock`` s, speech as ``AudioBlock`` s (WAV) on
    ``response.message``; kept in the chat history, they go back with their thought signatures,
    so an image can be edited on the next turn.
    """

    model: str = Field(default="gemini-2.5-flash", description="A Gemini model.")

    _endpoint = "gemini"
    _model_turn_blocks = True
    _refused_arguments = {
        **GEMINI_REFUSED,
        "n": "YEScaleGemini returns one answer per call (LlamaIndex reads one).",
    }

    @classmethod
    def class_name(cls) -> str:
        return "YEScaleGemini"

    @staticmethod
    def _check_model_name(model: str) -> None:
        check_gemini_model(model)

    def _request_params(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return gemini_chat_params(
            field_values(self, GEMINI_CHAT_FIELDS),
            self.additional_kwargs,
            kwargs,
            model=self.model,
            generation_config=self.generation_config,
            safety_settings=self.safety_settings,
            google_search=self.google_search,
            url_context=self.url_context,
            code_execution=self.code_execution,
            single_answer=True,
        )

    # -- structured output ----------------------------------------------------------------------

    def _native_structured_kwargs(self, output_cls: type[Model]) -> dict[str, Any]:
        # responseSchema where Gemini's subset expresses the model; recursive or free-form
        # models go as the JSON schema itself (Gemini 2.5 and later)
        return gemini_json_output(output_cls.model_json_schema(), "either")


__all__ = ["YEScaleGemini"]

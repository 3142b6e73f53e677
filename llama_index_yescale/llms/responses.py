"""``YEScaleResponses``: LlamaIndex LLM over OpenAI's Responses API (``/v1/responses``) on
YEScale."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from yescale.integration.chat_params import refuse_set_fields
from yescale.translate.responses_params import CHAT_ONLY_PARAMS

from .yescale import YEScale


class YEScaleResponses(YEScale):
    """OpenAI's Responses API as a LlamaIndex ``FunctionCallingLLM``, through YEScale's
    ``/v1/responses``: reasoning summaries, encrypted reasoning carried across tool turns,
    built-in tools (web search, image generation, code interpreter), ``previous_response_id``.

    Setup:
        .. code-block:: bash

            pip install "yescale-integrations[llama-index]"
            export YESCALE_API_KEY="your-key"

    Instantiate:
        .. code-block:: python

            from llama_index.llms.yescale import YEScaleResponses

            llm = YEScaleResponses(
                model="gpt-5-mini",
                reasoning_options={"effort": "low", "summary": "auto"},
                include=["reasoning.encrypted_content"],
                store=False,
            )

    Key args (as llama-index's ``OpenAIResponses``):
        reasoning_options: ``reasoning`` (``{"effort": ..., "summary": ...}``); summaries come
            back as ``ThinkingBlock`` s.
        include: extra output, e.g. ``["reasoning.encrypted_content"]``: with ``store=False``
            the encrypted reasoning rides in ``additional_kwargs["extra_content"]`` and goes
            back on the next turn, so a tool loop keeps its reasoning without server state.
        built_in_tools: Responses tools sent with every request, e.g. ``[{"type":
            "web_search"}]``; citations come as ``CitationBlock`` s, generated images as
            ``ImageBlock`` s.
        track_previous_responses: send only the messages after the last answer in the history,
            with its id as ``previous_response_id`` (the service keeps the conversation). Read
            from the history given, not kept in the object, so one LLM serves many
            conversations.
        instructions, store, truncation: as in the Responses API.

    Everything else (chat, streams, async, tools, agents, structured output, images, usage with
    reasoning tokens, costs) works as in :class:`YEScale`.
    """

    reasoning_options: dict[str, Any] | None = Field(
        default=None, description='Responses "reasoning": {"effort": ..., "summary": ...}.'
    )
    include: list[str] | None = Field(
        default=None, description='Extra output, e.g. ["reasoning.encrypted_content"].'
    )
    instructions: str | None = Field(default=None, description="A system prompt for the call.")
    track_previous_responses: bool = Field(
        default=False,
        description="Send only what follows the last answer, with its id as previous_response_id.",
    )
    store: bool | None = Field(
        default=None, description="Whether the service keeps the response (for chaining)."
    )
    built_in_tools: list[dict[str, Any]] = Field(
        default_factory=list,
        description='Tools sent with every request, e.g. [{"type": "web_search"}].',
    )
    truncation: str | None = Field(
        default=None, description='"auto" lets the service drop the middle of a long chat.'
    )

    _endpoint = "responses"
    _model_turn_blocks = True
    _refused_arguments = {
        **{name: f"{hint[0].upper()}{hint[1:]}." for name, hint in CHAT_ONLY_PARAMS.items()},
        "n": "YEScaleResponses returns one answer per call (LlamaIndex reads one).",
    }

    @model_validator(mode="after")
    def _refuse_unsent_fields(self) -> YEScaleResponses:
        # fields of YEScale the Responses API has no use for: refused, not lost at the first call
        refuse_set_fields(
            type(self).__name__, vars(self), CHAT_ONLY_PARAMS, {"stop": "stop_sequences"}
        )
        return self

    @classmethod
    def class_name(cls) -> str:
        return "YEScaleResponses"

    def _request_params(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        params = super()._request_params(kwargs)
        own = {
            "reasoning": self.reasoning_options,
            "include": self.include,
            "instructions": self.instructions,
            "store": self.store,
            "truncation": self.truncation,
            "use_previous_response_id": self.track_previous_responses or None,
        }
        for name, value in own.items():
            if value is not None:
                params.setdefault(name, value)
        if self.built_in_tools:
            params["tools"] = [*self.built_in_tools, *(params.get("tools") or [])]
        return params


__all__ = ["YEScaleResponses"]

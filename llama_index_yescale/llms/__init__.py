"""LlamaIndex LLMs over YEScale: ``YEScale`` (any model, OpenAI format), ``YEScaleGemini``
(Gemini-native ``generateContent``), ``YEScaleAnthropic`` (Claude's ``/v1/messages``) and
``YEScaleResponses`` (OpenAI's ``/v1/responses``)."""

from ._base import BaseYEScaleLLM
from .anthropic import YEScaleAnthropic
from .gemini import YEScaleGemini
from .responses import YEScaleResponses
from .yescale import YEScale

__all__ = ["BaseYEScaleLLM", "YEScale", "YEScaleAnthropic", "YEScaleGemini", "YEScaleResponses"]

"""LlamaIndex LLMs over YEScale: ``YEScale`` (any model, OpenAI format), ``YEScaleGemini``
(Gemini-native ``generateContent``) and ``YEScaleAnthropic`` (Claude's ``/v1/messages``)."""

from ._base import BaseYEScaleLLM
from .anthropic import YEScaleAnthropic
from .gemini import YEScaleGemini
from .yescale import YEScale

__all__ = ["BaseYEScaleLLM", "YEScale", "YEScaleAnthropic", "YEScaleGemini"]

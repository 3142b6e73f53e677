"""LlamaIndex LLMs over YEScale: ``YEScale`` (any model, OpenAI format) and ``YEScaleGemini``
(Gemini-native ``generateContent``)."""

from ._base import BaseYEScaleLLM
from .gemini import YEScaleGemini
from .yescale import YEScale

__all__ = ["BaseYEScaleLLM", "YEScale", "YEScaleGemini"]

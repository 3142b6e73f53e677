"""LlamaIndex integration for YEScale: LLMs, embeddings and tools over one client."""

from .embeddings import YEScaleEmbedding
from .llms import YEScale, YEScaleGemini
from .tools import YEScaleToolSpec

__all__ = ["YEScale", "YEScaleEmbedding", "YEScaleGemini", "YEScaleToolSpec"]

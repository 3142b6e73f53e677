"""LlamaIndex integration for YEScale: LLMs, embeddings and tools over one client."""

from .embeddings import YEScaleEmbedding

__all__ = ["YEScaleEmbedding"]

"""LlamaIndex integration for YEScale: LLMs, embeddings and tools over one client.

Names are imported on first use (PEP 562): ``from llama_index_yescale import YEScaleEmbedding``
does not load the LLM classes, nor the tool spec.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from yescale._requires import require_framework

require_framework("llama_index.core", extra="llama-index", importer=__name__)

if TYPE_CHECKING:
    from .embeddings import YEScaleEmbedding
    from .llms import YEScale, YEScaleGemini
    from .tools import YEScaleToolSpec

#: public name -> the submodule that defines it
_WHERE = {
    "YEScale": "llms",
    "YEScaleGemini": "llms",
    "YEScaleEmbedding": "embeddings",
    "YEScaleToolSpec": "tools",
}

__all__ = ["YEScale", "YEScaleEmbedding", "YEScaleGemini", "YEScaleToolSpec"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

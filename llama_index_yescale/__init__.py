"""LlamaIndex integration for YEScale: LLMs, embeddings and tools over one client.

Names are imported on first use (PEP 562): ``from llama_index_yescale import YEScaleEmbedding``
does not load the LLM classes, nor the tool spec.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yescale.integration import lazy_exports, require_framework

require_framework("llama_index.core", extra="llama-index", importer=__name__)

if TYPE_CHECKING:
    from .costs import YEScaleCostEvent, YEScaleCostHandler, get_yescale_callback
    from .embeddings import YEScaleEmbedding
    from .llms import YEScale, YEScaleAnthropic, YEScaleGemini, YEScaleResponses
    from .readers import YEScaleAudioReader
    from .tools import YEScaleToolSpec

#: public name -> the submodule that defines it
_WHERE = {
    "YEScale": "llms",
    "YEScaleAnthropic": "llms",
    "YEScaleGemini": "llms",
    "YEScaleResponses": "llms",
    "YEScaleEmbedding": "embeddings",
    "YEScaleToolSpec": "tools",
    "YEScaleAudioReader": "readers",
    "YEScaleCostEvent": "costs",
    "YEScaleCostHandler": "costs",
    "get_yescale_callback": "costs",
}

__all__ = [
    "YEScale",
    "YEScaleAnthropic",
    "YEScaleAudioReader",
    "YEScaleCostEvent",
    "YEScaleCostHandler",
    "YEScaleEmbedding",
    "YEScaleGemini",
    "YEScaleResponses",
    "YEScaleToolSpec",
    "get_yescale_callback",
]

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)

"""``from llama_index.embeddings.yescale import YEScaleEmbedding``: where LlamaIndex users look.

A leaf re-export of :mod:`llama_index_yescale`; ``llama_index/`` and ``llama_index/embeddings/``
must stay namespace packages (no ``__init__.py``) or llama-index-core stops importing.
"""

from llama_index_yescale.embeddings import YEScaleEmbedding

__all__ = ["YEScaleEmbedding"]

"""``from llama_index.readers.yescale import YEScaleAudioReader``: where LlamaIndex users look for
readers.

A leaf re-export of :mod:`llama_index_yescale.readers`; ``llama_index/`` and
``llama_index/readers/`` must stay namespace packages (no ``__init__.py``), or llama-index-core
and the other ``llama-index-readers-*`` packages stop importing.
"""

from llama_index_yescale.readers import YEScaleAudioReader

__all__ = ["YEScaleAudioReader"]

"""``from llama_index.llms.yescale import YEScale, YEScaleGemini, ...``: where LlamaIndex
users look.

A leaf re-export of :mod:`llama_index_yescale`; ``llama_index/`` and ``llama_index/llms/`` must
stay namespace packages (no ``__init__.py``) or llama-index-core stops importing.
"""

from llama_index_yescale.llms import YEScale, YEScaleAnthropic, YEScaleGemini, YEScaleResponses

__all__ = ["YEScale", "YEScaleAnthropic", "YEScaleGemini", "YEScaleResponses"]

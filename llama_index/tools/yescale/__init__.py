"""``from llama_index.tools.yescale import YEScaleToolSpec``: where LlamaIndex users look for it."""

from llama_index_yescale.tools import (
    YEScaleMediaTaskProgressEvent,
    YEScaleMediaTaskResultEvent,
    YEScaleToolSpec,
)

__all__ = ["YEScaleMediaTaskProgressEvent", "YEScaleMediaTaskResultEvent", "YEScaleToolSpec"]

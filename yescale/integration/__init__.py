"""What a framework adapter needs from the client beyond the client itself.

``langchain_yescale`` and ``llama_index_yescale`` only convert between their framework's objects
and the client's. Every rule both need (how request parameters are built, how ``tool_choice`` is
spelled, how a stream is accumulated, how a JSON answer is read, how constructor arguments and
settings are resolved) lives here, once, and imports neither framework. It is public so that an
adapter for another framework can use it too; the framework packages import nothing private from
``yescale``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .._json_values import dump_tool_arguments, load_tool_arguments
    from .._requires import require_framework
    from .._signature import presigned
    from .answers import (
        add_usage,
        cost_metadata,
        json_answer_text,
        parse_json_answer,
        reasoning_tokens,
        usage_counts,
    )
    from .arguments import (
        ALIASES,
        GEMINI_REFUSED,
        PEER_IGNORED,
        PEER_REFUSED,
        ArgumentRules,
        argument_rules,
        is_key_name,
        pydantic_arguments,
    )
    from .chat_calls import (
        ChatCalls,
        ChatEndpoint,
    )
    from .chat_params import (
        GEMINI_CHAT_FIELDS,
        OPENAI_CHAT_FIELDS,
        field_values,
        gemini_chat_params,
        gemini_json_output,
        gemini_response_format,
        openai_chat_params,
        openai_tool_choice,
        tool_names,
    )
    from .clients import (
        SETTING_NAMES,
        ClientOwner,
        ResolvedSettings,
        client_for,
        construction_errors,
        refuse_pickling_own_clients,
        resolve_settings,
        timeout_from_json,
        timeout_to_json,
    )
    from .costs import CostScope, CostTotals
    from .options import (
        EmbeddingOptions,
        GeminiOptions,
        ToolOptions,
    )
    from .progress import (
        CountingBar,
        MediaTaskBar,
        counting_bar,
        media_task_bar,
    )
    from .streams import (
        ChunkAccumulator,
        merge_tool_call_deltas,
    )

#: public name -> the module that defines it (imported on first use, so that a framework package
#: importing this at its own import time loads nothing heavy)
_WHERE = {
    # packaging of an adapter: names on first use, a clear error without the framework,
    # signatures a framework inspects on every call computed once; tool-call arguments to and
    # from the JSON text the wire carries
    "lazy_exports": "yescale._lazy",
    "require_framework": "yescale._requires",
    "presigned": "yescale._signature",
    "dump_tool_arguments": "yescale._json_values",
    "load_tool_arguments": "yescale._json_values",
    # reading answers: token counts and their sums, JSON answers
    "add_usage": "answers",
    "CostScope": "costs",
    "CostTotals": "costs",
    "cost_metadata": "answers",
    "json_answer_text": "answers",
    "parse_json_answer": "answers",
    "reasoning_tokens": "answers",
    "usage_counts": "answers",
    # constructor arguments: the peers' spellings, unknown ones warned about or refused
    "ALIASES": "arguments",
    "GEMINI_REFUSED": "arguments",
    "PEER_IGNORED": "arguments",
    "PEER_REFUSED": "arguments",
    "ArgumentRules": "arguments",
    "argument_rules": "arguments",
    "is_key_name": "arguments",
    "pydantic_arguments": "arguments",
    # the calls a chat class makes on one endpoint
    "ChatCalls": "chat_calls",
    "ChatEndpoint": "chat_calls",
    # request parameters: one builder per endpoint, tool_choice spellings
    "GEMINI_CHAT_FIELDS": "chat_params",
    "OPENAI_CHAT_FIELDS": "chat_params",
    "field_values": "chat_params",
    "gemini_chat_params": "chat_params",
    "gemini_json_output": "chat_params",
    "gemini_response_format": "chat_params",
    "openai_chat_params": "chat_params",
    "openai_tool_choice": "chat_params",
    "tool_names": "chat_params",
    # settings resolved once, and the client built (or shared) from them
    "SETTING_NAMES": "clients",
    "ClientOwner": "clients",
    "ResolvedSettings": "clients",
    "client_for": "clients",
    "construction_errors": "clients",
    "refuse_pickling_own_clients": "clients",
    "resolve_settings": "clients",
    "timeout_from_json": "clients",
    "timeout_to_json": "clients",
    # constructor options that mean the same in every framework
    "EmbeddingOptions": "options",
    "GeminiOptions": "options",
    "ToolOptions": "options",
    # progress bars for long waits (embedding jobs, media tasks), shown only when asked
    "CountingBar": "progress",
    "MediaTaskBar": "progress",
    "counting_bar": "progress",
    "media_task_bar": "progress",
    # streams folded into the answer so far
    "ChunkAccumulator": "streams",
    "merge_tool_call_deltas": "streams",
}

__all__ = [
    "ALIASES",
    "GEMINI_CHAT_FIELDS",
    "GEMINI_REFUSED",
    "OPENAI_CHAT_FIELDS",
    "PEER_IGNORED",
    "PEER_REFUSED",
    "SETTING_NAMES",
    "ArgumentRules",
    "ChatCalls",
    "ChatEndpoint",
    "ChunkAccumulator",
    "ClientOwner",
    "CostScope",
    "CostTotals",
    "CountingBar",
    "EmbeddingOptions",
    "GeminiOptions",
    "MediaTaskBar",
    "ResolvedSettings",
    "ToolOptions",
    "add_usage",
    "argument_rules",
    "client_for",
    "construction_errors",
    "cost_metadata",
    "counting_bar",
    "dump_tool_arguments",
    "field_values",
    "gemini_chat_params",
    "gemini_json_output",
    "gemini_response_format",
    "is_key_name",
    "json_answer_text",
    "lazy_exports",
    "load_tool_arguments",
    "media_task_bar",
    "merge_tool_call_deltas",
    "openai_chat_params",
    "openai_tool_choice",
    "parse_json_answer",
    "presigned",
    "pydantic_arguments",
    "reasoning_tokens",
    "refuse_pickling_own_clients",
    "require_framework",
    "resolve_settings",
    "timeout_from_json",
    "timeout_to_json",
    "tool_names",
    "usage_counts",
]

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)

"""JSON schemas as OpenAI's structured output and strict tools take them, for every framework."""

from __future__ import annotations

import copy
import re
from typing import Any

_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_-]")


def strict_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` as OpenAI's strict mode wants it: every object closed
    (``additionalProperties: false``) and listing all its properties in ``required``."""
    schema = copy.deepcopy(schema)

    def close(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                close(item)
            return
        if not isinstance(node, dict):
            return
        properties = node.get("properties")
        if isinstance(properties, dict):
            node["required"] = list(properties)
            node["additionalProperties"] = False
            close(list(properties.values()))
        elif node.get("type") == "object":
            node["additionalProperties"] = False
        for key in ("items", "anyOf", "allOf", "oneOf", "prefixItems"):
            close(node.get(key))
        for key in ("$defs", "definitions"):
            if isinstance(node.get(key), dict):
                close(list(node[key].values()))

    close(schema)
    return schema


def schema_name(title: Any, fallback: str = "output") -> str:
    """A ``json_schema`` / function name OpenAI accepts: ``[a-zA-Z0-9_-]``, at most 64 long."""
    return _NAME_CHARS.sub("_", str(title or fallback))[:64] or fallback


def json_schema_response_format(
    schema: dict[str, Any], *, strict: bool | None = None, fallback_name: str = "output"
) -> dict[str, Any]:
    """``response_format`` asking for JSON that follows ``schema`` (its title becomes the
    name, its description the description; ``strict=True`` closes it first)."""
    schema = strict_json_schema(schema) if strict else dict(schema)
    spec: dict[str, Any] = {"name": schema_name(schema.pop("title", None), fallback_name)}
    description = schema.pop("description", None)
    if description:
        spec["description"] = description
    spec["schema"] = schema
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


def strict_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI function tool with ``strict: true`` and its parameters made strict."""
    function = tool.get("function")
    if not isinstance(function, dict):
        return tool
    parameters = strict_json_schema(function.get("parameters") or {"type": "object"})
    return {**tool, "function": {**function, "strict": True, "parameters": parameters}}


__all__ = ["json_schema_response_format", "schema_name", "strict_json_schema", "strict_tool"]

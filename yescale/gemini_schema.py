"""JSON Schema (pydantic, TypedDict, by hand) -> Gemini ``responseSchema`` and function parameters.

Gemini's schema is an OpenAPI 3.0 subset: no ``$ref``, no ``additionalProperties``, ``nullable``
instead of ``null`` types, string-only ``enum``. This module inlines references, drops what Gemini
does not take, turns ``anyOf [X, null]`` into ``nullable``, keeps field order as
``propertyOrdering``, and refuses (with :class:`InvalidRequestError`) what Gemini cannot express:
recursive schemas and free-form objects.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .errors import InvalidRequestError

_TYPES = {
    "string": "STRING",
    "number": "NUMBER",
    "integer": "INTEGER",
    "boolean": "BOOLEAN",
    "array": "ARRAY",
    "object": "OBJECT",
}
_KEPT = {
    "description",
    "format",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minProperties",
    "maxProperties",
    "example",
}
_MAX_DEPTH = 40
#: Keys that describe a value without constraining it: a schema of only these allows anything
#: (pydantic's ``Any`` is ``{"title": ...}``).
_ANNOTATIONS = {"title", "description", "default", "examples", "$comment", "deprecated"}


class _Converter:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.defs: dict[str, Any] = {
            **dict(root.get("definitions", {}) or {}),
            **dict(root.get("$defs", {}) or {}),
        }

    def resolve(
        self, ref: str, path: str, seen: tuple[str, ...]
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        name = ref.rsplit("/", 1)[-1]
        if not ref.startswith("#/") or name not in self.defs:
            raise InvalidRequestError(f"Schema reference {ref!r} at {path} cannot be resolved.")
        if name in seen:
            raise InvalidRequestError(
                f"The schema is recursive ({' -> '.join((*seen, name))}): Gemini's responseSchema "
                "cannot express recursion. Flatten the model, or use response_json_schema."
            )
        return self.defs[name], (*seen, name)

    def convert(self, schema: Any, path: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
        if len(seen) > _MAX_DEPTH or path.count("/") > _MAX_DEPTH * 3:
            raise InvalidRequestError(f"The schema nests too deeply at {path} for Gemini.")
        if schema is True or (isinstance(schema, Mapping) and not set(schema) - _ANNOTATIONS):
            raise InvalidRequestError(
                f"The schema allows any value at {path}: Gemini needs a concrete type there."
            )
        if not isinstance(schema, Mapping):
            raise InvalidRequestError(f"Schema at {path} must be an object, got {schema!r:.60}.")
        if "$ref" in schema:
            target, seen = self.resolve(schema["$ref"], path, seen)
            merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
            return self.convert(merged, path, seen)
        if "allOf" in schema:
            parts = schema["allOf"]
            if len(parts) != 1:
                raise InvalidRequestError(
                    f"allOf with {len(parts)} schemas at {path}: Gemini cannot intersect schemas."
                )
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            return self.convert({**parts[0], **rest}, path, seen)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self._union(schema, schema[key], path, seen)

        out: dict[str, Any] = {
            k: copy.deepcopy(v) for k, v in schema.items() if k in _KEPT and v not in ("", None)
        }
        kind = schema.get("type")
        nullable = bool(schema.get("nullable"))
        if isinstance(kind, list):
            non_null = [t for t in kind if t != "null"]
            nullable = nullable or len(non_null) < len(kind)
            if len(non_null) != 1:
                return self._union(
                    {k: v for k, v in schema.items() if k != "type"},
                    [{**schema, "type": t} for t in non_null]
                    + ([{"type": "null"}] if nullable else []),
                    path,
                    seen,
                )
            kind = non_null[0]
        if "const" in schema:
            schema = {**schema, "enum": [schema["const"]]}
        if kind is None:
            if "enum" in schema:
                kind = "string"
            elif "properties" in schema:
                kind = "object"
            elif "items" in schema:
                kind = "array"
            else:
                raise InvalidRequestError(
                    f"The schema at {path} has no type: Gemini needs one (string, number, "
                    "integer, boolean, array or object)."
                )
        if kind not in _TYPES:
            raise InvalidRequestError(f"Unknown JSON schema type {kind!r} at {path}.")
        out["type"] = _TYPES[kind]
        if nullable:
            out["nullable"] = True
        if "enum" in schema:
            self._enum(schema["enum"], out, path)
        if kind == "array":
            if "items" not in schema:
                raise InvalidRequestError(f"The array at {path} needs 'items' for Gemini.")
            out["items"] = self.convert(schema["items"], f"{path}/items", seen)
        if kind == "object":
            properties = schema.get("properties") or {}
            if not properties:
                raise InvalidRequestError(
                    f"The object at {path} has no fixed properties (a free-form dict): Gemini's "
                    "responseSchema cannot express that. Give it fields, or use "
                    "response_json_schema."
                )
            out["properties"] = {
                name: self.convert(sub, f"{path}/{name}", seen) for name, sub in properties.items()
            }
            out["propertyOrdering"] = list(properties)
            required = [r for r in schema.get("required", []) if r in properties]
            if required:
                out["required"] = required
        return out

    def _enum(self, values: list[Any], out: dict[str, Any], path: str) -> None:
        if all(isinstance(v, str) for v in values):
            out["type"] = "STRING"
            out["enum"] = list(values)
            out["format"] = "enum"
            return
        shown = ", ".join(repr(v) for v in values)
        out["description"] = (out.get("description", "") + f" One of: {shown}.").strip()

    def _union(
        self, schema: Mapping[str, Any], options: list[Any], path: str, seen: tuple[str, ...]
    ) -> dict[str, Any]:
        non_null = [o for o in options if not (isinstance(o, Mapping) and o.get("type") == "null")]
        nullable = len(non_null) < len(options)
        extras = {k: v for k, v in schema.items() if k in _KEPT}
        if len(non_null) == 1:
            out = self.convert({**non_null[0], **extras}, path, seen)
        elif not non_null:
            raise InvalidRequestError(f"The schema at {path} only allows null.")
        else:
            out = {
                **extras,
                "anyOf": [
                    self.convert(o, f"{path}/anyOf[{i}]", seen) for i, o in enumerate(non_null)
                ],
            }
        if nullable:
            out["nullable"] = True
        return out


def to_gemini_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Gemini's ``Schema`` for a JSON schema (e.g. ``Model.model_json_schema()``)."""
    return _Converter(schema).convert(schema, "#")


def to_gemini_parameters(schema: Mapping[str, Any]) -> dict[str, Any] | None:
    """Function-declaration ``parameters``; ``None`` for a function without arguments."""
    if not (schema.get("properties") or {}) and schema.get("type", "object") == "object":
        return None
    return to_gemini_schema(schema)

"""JSON Schema (pydantic, TypedDict, by hand) -> Gemini ``responseSchema`` and function parameters.

Gemini's schema is an OpenAPI 3.0 subset: no ``$ref``, no ``additionalProperties``, ``nullable``
instead of ``null`` types, string-only ``enum``. This module inlines references, drops what Gemini
does not take, turns ``anyOf [X, null]`` into ``nullable``, keeps field order as
``propertyOrdering``, and refuses (with :class:`InvalidRequestError`) what Gemini cannot express:
recursive schemas, free-form objects, tuples (``prefixItems``), conditions (``if``,
``dependentSchemas``...), ``not``, ``contains``, ``patternProperties`` and typed extra keys.

Function parameters (:func:`to_gemini_parameters`) may hold a free-form object (``options:
dict``, ``dict[str, Any]``): it goes as an ``OBJECT`` without properties, which Gemini takes
there (``responseSchema`` does not). Their refusals suggest what suits a tool instead of
``response_json_schema``, an option of structured output.

Dropped on the way, because the answer then still satisfies the original schema or pydantic
checks it afterwards: ``title``, ``default``, ``examples``, ``additionalProperties: false/true``,
``exclusiveMinimum`` / ``exclusiveMaximum``, ``multipleOf``, ``uniqueItems``. A ``format`` Gemini
does not take (anything but ``enum`` / ``date-time`` for strings, ``float`` / ``double``,
``int32`` / ``int64``) moves into the description; so do non-string ``enum`` values.

What comes out only uses the keys of Gemini's ``Schema``: :data:`GEMINI_SCHEMA_KEYS`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequestError

_TYPES = {
    "string": "STRING",
    "number": "NUMBER",
    "integer": "INTEGER",
    "boolean": "BOOLEAN",
    "array": "ARRAY",
    "object": "OBJECT",
}
#: Constraints Gemini checks, kept when they hold a number / a string.
_NUMBERS = {
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minProperties",
    "maxProperties",
}
_STRINGS = {"description", "format", "pattern"}
#: Keys copied from the input schema as they are.
_KEPT = _NUMBERS | _STRINGS | {"example"}
#: Every key :func:`to_gemini_schema` may put in its output (a subset of Gemini's ``Schema``).
GEMINI_SCHEMA_KEYS = frozenset(
    _KEPT
    | {
        "type",
        "nullable",
        "enum",
        "properties",
        "propertyOrdering",
        "required",
        "items",
        "anyOf",
    }
)
#: The ``format`` values Gemini's Schema takes, per type; others go into the description (an
#: unsupported one is an HTTP 400: "only 'enum' and 'date-time' are supported for STRING type").
_FORMATS = {
    "STRING": {"enum", "date-time"},
    "NUMBER": {"float", "double"},
    "INTEGER": {"int32", "int64"},
}
#: JSON-schema keywords whose meaning Gemini's Schema cannot carry: dropping them would make
#: the model ignore a requirement, so they are refused with what to do instead.
_REFUSED = {
    "prefixItems": "a tuple (prefixItems): Gemini's schema has no positional item types. Use "
    "an object with named fields, or a list of one item type",
    "if": "a conditional schema (if/then/else): Gemini's schema has no conditions. Express each "
    "case as its own field, or use anyOf",
    "dependentSchemas": "a dependent schema (dependentSchemas): Gemini's schema has no "
    "conditions. Make the fields optional and describe the rule",
    "dependentRequired": "dependent requirements (dependentRequired): Gemini's schema has no "
    "conditions. Make the fields optional and describe the rule",
    "dependencies": "dependencies: Gemini's schema has no conditions. Make the fields optional "
    "and describe the rule",
    "not": "a negated schema (not): Gemini's schema cannot exclude values. Use enum or describe "
    "the rule",
    "contains": "an array that must contain some item (contains): Gemini's schema cannot require "
    "it. Describe the rule",
    "patternProperties": "keys matching a pattern (patternProperties): Gemini only produces "
    "fixed property names. List the keys as properties",
}
_MAX_DEPTH = 40
#: Keys that describe a value without constraining it: a schema of only these allows anything
#: (pydantic's ``Any`` is ``{"title": ...}``).
_ANNOTATIONS = {"title", "description", "default", "examples", "$comment", "deprecated"}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


#: What to do instead, when a schema cannot be translated: for ``responseSchema`` and for
#: function parameters.
_INSTEAD_RESPONSE = "use response_json_schema (Gemini 2.5 takes the JSON schema as is)"
_INSTEAD_PARAMETERS = "take that argument as a JSON string and parse it in the tool"


class _Converter:
    def __init__(self, root: Mapping[str, Any], *, parameters: bool = False) -> None:
        #: function parameters: free-form objects allowed, hints that fit a tool
        self.parameters = parameters
        self.what = "function parameters" if parameters else "responseSchema"
        self.instead = _INSTEAD_PARAMETERS if parameters else _INSTEAD_RESPONSE
        self.defs: dict[str, Any] = {}
        for key in ("definitions", "$defs"):
            defs = root.get(key)
            if defs is None:
                continue
            if not isinstance(defs, Mapping):
                raise InvalidRequestError(
                    f"{key} must be an object of named schemas, got {_shown(defs)}."
                )
            self.defs.update(defs)

    def resolve(
        self, ref: Any, path: str, seen: tuple[str, ...]
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise InvalidRequestError(
                f"Schema reference {_shown(ref)} at {path} cannot be resolved: only local "
                "references such as '#/$defs/Name' can be inlined for Gemini."
            )
        name = ref.rsplit("/", 1)[-1]
        if name not in self.defs:
            raise InvalidRequestError(
                f"Schema reference {ref!r} at {path} cannot be resolved: no definition {name!r}."
            )
        if name in seen:
            raise InvalidRequestError(
                f"The schema is recursive at {path} ({' -> '.join((*seen, name))}): Gemini's "
                f"{self.what} cannot express recursion. Flatten the model, or {self.instead}."
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
            raise InvalidRequestError(f"Schema at {path} must be an object, got {_shown(schema)}.")
        for key, why in _REFUSED.items():
            if key in schema:
                raise InvalidRequestError(f"The schema at {path} has {why}, or {self.instead}.")
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping) and set(extra) - _ANNOTATIONS and schema.get("properties"):
            raise InvalidRequestError(
                f"The object at {path} has typed extra keys (additionalProperties with a schema): "
                "Gemini only produces the listed properties. List the keys as properties, or "
                f"{self.instead}."
            )
        if "$ref" in schema:
            target, seen = self.resolve(schema["$ref"], path, seen)
            if not isinstance(target, Mapping):
                raise InvalidRequestError(
                    f"The definition {schema['$ref']!r} used at {path} must be a schema object, "
                    f"got {_shown(target)}."
                )
            merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
            return self.convert(merged, path, seen)
        if "allOf" in schema:
            parts = schema["allOf"]
            if not isinstance(parts, list) or len(parts) != 1:
                count = len(parts) if isinstance(parts, list) else "not a list of"
                raise InvalidRequestError(
                    f"allOf with {count} schemas at {path}: Gemini cannot intersect schemas "
                    "(only allOf with a single schema is inlined)."
                )
            if not isinstance(parts[0], Mapping):
                raise InvalidRequestError(
                    f"allOf at {path} must hold a schema object, got {_shown(parts[0])}."
                )
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            return self.convert({**parts[0], **rest}, path, seen)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self._union(schema, schema[key], path, seen, key)
        self._check_keywords(schema, path)

        out: dict[str, Any] = {
            k: copy.deepcopy(v) for k, v in schema.items() if k in _KEPT and v not in ("", None)
        }
        kind = schema.get("type")
        nullable = schema.get("nullable") is True
        values = schema.get("enum")
        if "const" in schema:
            values = [schema["const"]]
        if values is not None:
            if not isinstance(values, list) or not values:
                raise InvalidRequestError(
                    f"enum at {path} must be a non-empty list of values, got {_shown(values)}."
                )
            if None in values:  # {"enum": ["a", None]}: a nullable enum
                nullable = True
                values = [v for v in values if v is not None]
                if not values:
                    raise InvalidRequestError(f"The schema at {path} only allows null.")
        if isinstance(kind, list):
            if not kind or not all(isinstance(t, str) for t in kind):
                raise InvalidRequestError(
                    f"type at {path} must be a type name or a list of them, got {_shown(kind)}."
                )
            non_null = [t for t in kind if t != "null"]
            nullable = nullable or len(non_null) < len(kind)
            if not non_null:
                raise InvalidRequestError(f"The schema at {path} only allows null.")
            if len(non_null) != 1:
                options = [{**schema, "type": t} for t in non_null]
                rest = {k: v for k, v in schema.items() if k != "type"}
                return self._union(
                    rest, options + ([{"type": "null"}] if nullable else []), path, seen, "type"
                )
            kind = non_null[0]
        if kind is None:
            if values is not None:
                kind = _enum_type(values, path)
            elif "properties" in schema:
                kind = "object"
            elif "items" in schema:
                kind = "array"
            else:
                raise InvalidRequestError(
                    f"The schema at {path} has no type: Gemini needs one (string, number, "
                    "integer, boolean, array or object)."
                )
        if kind == "null":
            raise InvalidRequestError(f"The schema at {path} only allows null.")
        if not isinstance(kind, str) or kind not in _TYPES:
            raise InvalidRequestError(f"Unknown JSON schema type {_shown(kind)} at {path}.")
        out["type"] = _TYPES[kind]
        fmt = out.get("format")
        if fmt is not None and fmt not in _FORMATS.get(out["type"], ()):
            del out["format"]
            out["description"] = (out.get("description", "") + f" (format: {fmt})").strip()
        if nullable:
            out["nullable"] = True
        if values is not None:
            self._enum(values, out, path)
        if kind == "array":
            if "items" not in schema:
                raise InvalidRequestError(f"The array at {path} needs 'items' for Gemini.")
            items = schema["items"]
            if isinstance(items, list):
                raise InvalidRequestError(
                    f"The array at {path} lists one schema per position (a tuple): Gemini's "
                    "schema has no positional item types. Use an object with named fields, or "
                    "a list of one item type."
                )
            out["items"] = self.convert(items, f"{path}/items", seen)
        if kind == "object":
            properties = schema.get("properties") or {}
            if not isinstance(properties, Mapping):
                raise InvalidRequestError(
                    f"properties at {path} must be an object of named schemas, got "
                    f"{_shown(properties)}."
                )
            if not properties and self.parameters:
                return out  # any object: Gemini takes an OBJECT without properties here
            if not properties:
                raise InvalidRequestError(
                    f"The object at {path} has no fixed properties (a free-form dict): Gemini's "
                    "responseSchema cannot express that. Give it fields, or use "
                    "response_json_schema."
                )
            if not all(isinstance(name, str) for name in properties):
                raise InvalidRequestError(f"Property names at {path} must be strings.")
            out["properties"] = {
                name: self.convert(sub, f"{path}/{name}", seen) for name, sub in properties.items()
            }
            out["propertyOrdering"] = list(properties)
            required = schema.get("required", [])
            if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
                raise InvalidRequestError(
                    f"required at {path} must be a list of property names, got {_shown(required)}."
                )
            required = [r for r in dict.fromkeys(required) if r in properties]
            if required:
                out["required"] = required
        return out

    @staticmethod
    def _check_keywords(schema: Mapping[str, Any], path: str) -> None:
        for key in _NUMBERS & set(schema):
            value = schema[key]
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or value != value
            ):
                raise InvalidRequestError(f"{key} at {path} must be a number, got {_shown(value)}.")
        for key in _STRINGS & set(schema):
            value = schema[key]
            if value is not None and not isinstance(value, str):
                raise InvalidRequestError(f"{key} at {path} must be a string, got {_shown(value)}.")
        nullable = schema.get("nullable")
        if nullable is not None and not isinstance(nullable, bool):
            raise InvalidRequestError(
                f"nullable at {path} must be true or false, got {_shown(nullable)}."
            )

    def _enum(self, values: list[Any], out: dict[str, Any], path: str) -> None:
        if all(isinstance(v, str) for v in values):
            out["type"] = "STRING"
            out["enum"] = list(values)
            out["format"] = "enum"
            return
        shown = ", ".join(repr(v) for v in values)
        out["description"] = (out.get("description", "") + f" One of: {shown}.").strip()

    def _union(
        self,
        schema: Mapping[str, Any],
        options: Any,
        path: str,
        seen: tuple[str, ...],
        key: str = "anyOf",
    ) -> dict[str, Any]:
        if not isinstance(options, list) or not options:
            raise InvalidRequestError(
                f"{key} at {path} must be a non-empty list of schemas, got {_shown(options)}."
            )
        for option in options:
            if not isinstance(option, Mapping) and option is not True:
                raise InvalidRequestError(
                    f"{key} at {path} must hold schema objects, got {_shown(option)}."
                )
        non_null = [o for o in options if not (isinstance(o, Mapping) and o.get("type") == "null")]
        nullable = len(non_null) < len(options) or schema.get("nullable") is True
        extras = {k: v for k, v in schema.items() if k in _KEPT}
        if len(non_null) == 1:
            single = non_null[0]
            out = self.convert({**single, **extras} if single is not True else True, path, seen)
        elif not non_null:
            raise InvalidRequestError(f"The schema at {path} only allows null.")
        else:
            converted = [
                self.convert(o, f"{path}/anyOf[{i}]", seen) for i, o in enumerate(non_null)
            ]
            # Nullability is stated once, on the union: a branch's own "nullable" moves up.
            for option in converted:
                nullable = option.pop("nullable", False) or nullable
            self._check_keywords(extras, path)
            out = {**extras, "anyOf": converted}
            fmt = out.pop("format", None)
            if fmt is not None:  # a format on a union applies to no single type: describe it
                out["description"] = (out.get("description", "") + f" (format: {fmt})").strip()
        if nullable:
            out["nullable"] = True
        return out


def _enum_type(values: list[Any], path: str) -> str:
    """The JSON type of an untyped ``enum``: one type for all its values, or refused."""
    if all(isinstance(v, str) for v in values):
        return "string"
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "number"
    raise InvalidRequestError(
        f"The enum at {path} mixes value types ({_shown(values)}): Gemini's enum takes strings "
        "(or describe the numbers). Use one type, or anyOf."
    )


def to_gemini_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Gemini's ``Schema`` for a JSON schema (e.g. ``Model.model_json_schema()``).

    Raises :class:`InvalidRequestError`, naming where (``#/field/...``), for what Gemini's schema
    cannot express and for what is not a JSON schema.
    """
    if not isinstance(schema, Mapping):
        raise InvalidRequestError(
            f"A JSON schema must be a dict (e.g. Model.model_json_schema()), got "
            f"{type(schema).__name__}."
        )
    return _Converter(schema).convert(schema, "#")


def to_gemini_parameters(schema: Mapping[str, Any]) -> dict[str, Any] | None:
    """Function-declaration ``parameters``; ``None`` for a function without arguments."""
    if not isinstance(schema, Mapping):
        raise InvalidRequestError(
            f"Function parameters must be a JSON schema dict, got {type(schema).__name__}."
        )
    composed = any(key in schema for key in ("$ref", "allOf", "anyOf", "oneOf"))
    if (
        not composed
        and not (schema.get("properties") or {})
        and schema.get("type", "object") == "object"
        and not schema.get("additionalProperties")
        and "patternProperties" not in schema
    ):
        return None
    return _Converter(schema, parameters=True).convert(schema, "#")

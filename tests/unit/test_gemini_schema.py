"""JSON schema -> Gemini ``responseSchema`` / function parameters
(``yescale.translate.gemini_schema``)."""

from __future__ import annotations

import copy
from enum import Enum
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from yescale import InvalidRequestError
from yescale.translate.gemini_schema import to_gemini_parameters, to_gemini_schema


class Address(BaseModel):
    """Where someone lives."""

    city: str
    country: str = "Vietnam"


class Color(str, Enum):
    RED = "red"
    GREEN = "green"


class Person(BaseModel):
    """A person."""

    name: str = Field(description="Full name", min_length=1, max_length=80)
    age: int = Field(ge=0, le=150)
    nickname: str | None = None
    favourite: Color
    role: Literal["admin", "user"] = "user"
    address: Address
    previous: list[Address] = Field(default_factory=list, max_length=5)


def test_pydantic_model_translated() -> None:
    schema = to_gemini_schema(Person.model_json_schema())
    address = {
        "description": "Where someone lives.",
        "type": "OBJECT",
        "properties": {"city": {"type": "STRING"}, "country": {"type": "STRING"}},
        "propertyOrdering": ["city", "country"],
        "required": ["city"],
    }
    assert schema == {
        "description": "A person.",
        "type": "OBJECT",
        "properties": {
            "name": {"description": "Full name", "minLength": 1, "maxLength": 80, "type": "STRING"},
            "age": {"minimum": 0, "maximum": 150, "type": "INTEGER"},
            "nickname": {"type": "STRING", "nullable": True},
            "favourite": {"type": "STRING", "enum": ["red", "green"], "format": "enum"},
            "role": {"type": "STRING", "enum": ["admin", "user"], "format": "enum"},
            "address": address,
            "previous": {"maxItems": 5, "type": "ARRAY", "items": address},
        },
        "propertyOrdering": [
            "name",
            "age",
            "nickname",
            "favourite",
            "role",
            "address",
            "previous",
        ],
        "required": ["name", "age", "favourite", "address"],
    }


def test_no_json_schema_keys_left() -> None:
    def keys(node: Any) -> set[str]:
        if isinstance(node, dict):
            return set(node) | {k for v in node.values() for k in keys(v)}
        if isinstance(node, list):
            return {k for v in node for k in keys(v)}
        return set()

    found = keys(to_gemini_schema(Person.model_json_schema()))
    assert not found & {"$ref", "$defs", "title", "default", "anyOf", "additionalProperties"}


def test_input_not_mutated() -> None:
    original = Person.model_json_schema()
    kept = copy.deepcopy(original)
    to_gemini_schema(original)
    assert original == kept


def test_typeddict_and_hand_written_schema() -> None:
    class Movie(TypedDict):
        title: str
        year: int

    from pydantic import TypeAdapter

    assert to_gemini_schema(TypeAdapter(Movie).json_schema()) == {
        "type": "OBJECT",
        "properties": {"title": {"type": "STRING"}, "year": {"type": "INTEGER"}},
        "propertyOrdering": ["title", "year"],
        "required": ["title", "year"],
    }
    assert to_gemini_schema({"type": "array", "items": {"type": "number"}, "minItems": 1}) == {
        "minItems": 1,
        "type": "ARRAY",
        "items": {"type": "NUMBER"},
    }


def test_type_lists_and_unions() -> None:
    assert to_gemini_schema({"type": ["string", "null"]}) == {"type": "STRING", "nullable": True}
    union = to_gemini_schema({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})
    assert union == {"anyOf": [{"type": "STRING"}, {"type": "INTEGER"}], "nullable": True}
    assert to_gemini_schema({"type": ["integer", "string"]}) == {
        "anyOf": [{"type": "INTEGER"}, {"type": "STRING"}]
    }


def test_union_of_models() -> None:
    class Cat(BaseModel):
        meows: bool

    class Dog(BaseModel):
        barks: bool

    class Pet(BaseModel):
        animal: Cat | Dog

    animal = to_gemini_schema(Pet.model_json_schema())["properties"]["animal"]
    assert animal == {
        "anyOf": [
            {
                "type": "OBJECT",
                "properties": {"meows": {"type": "BOOLEAN"}},
                "propertyOrdering": ["meows"],
                "required": ["meows"],
            },
            {
                "type": "OBJECT",
                "properties": {"barks": {"type": "BOOLEAN"}},
                "propertyOrdering": ["barks"],
                "required": ["barks"],
            },
        ]
    }


def test_const_single_allof_and_implicit_types() -> None:
    assert to_gemini_schema({"const": "fixed"}) == {
        "type": "STRING",
        "enum": ["fixed"],
        "format": "enum",
    }
    wrapped = {
        "allOf": [{"$ref": "#/$defs/A"}],
        "description": "wrapped",
        "$defs": {"A": {"type": "object", "properties": {"x": {"type": "string"}}}},
    }
    converted = to_gemini_schema(wrapped)
    assert converted["description"] == "wrapped"
    assert converted["properties"] == {"x": {"type": "STRING"}}
    assert to_gemini_schema({"properties": {"x": {"type": "boolean"}}})["type"] == "OBJECT"
    assert to_gemini_schema({"items": {"type": "string"}})["type"] == "ARRAY"


def test_non_string_enum_described() -> None:
    converted = to_gemini_schema({"type": "integer", "enum": [1, 2, 3], "description": "Level."})
    assert converted == {"description": "Level. One of: 1, 2, 3.", "type": "INTEGER"}


def test_required_limited_to_known_properties() -> None:
    converted = to_gemini_schema(
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a", "b"]}
    )
    assert converted["required"] == ["a"]


# -- refusals, with messages that say what to do ---------------------------------------------------


def test_recursive_model_refused() -> None:
    class Node(BaseModel):
        name: str
        children: list[Node] = Field(default_factory=list)

    with pytest.raises(InvalidRequestError) as info:
        to_gemini_schema(Node.model_json_schema())
    message = str(info.value)
    assert "recursive" in message
    assert "Node -> Node" in message
    assert "response_json_schema" in message


def test_mutually_recursive_models_refused() -> None:
    class Employee(BaseModel):
        name: str
        team: Team | None = None

    class Team(BaseModel):
        lead: Employee

    Employee.model_rebuild()
    with pytest.raises(InvalidRequestError, match="recursive"):
        to_gemini_schema(Employee.model_json_schema())


def test_free_form_dict_refused() -> None:
    class Settings(BaseModel):
        values: dict[str, Any]

    with pytest.raises(InvalidRequestError) as info:
        to_gemini_schema(Settings.model_json_schema())
    message = str(info.value)
    assert "#/values" in message
    assert "free-form dict" in message
    assert "response_json_schema" in message


def test_any_value_refused() -> None:
    class Loose(BaseModel):
        payload: Any

    with pytest.raises(InvalidRequestError, match=r"allows any value at #/payload"):
        to_gemini_schema(Loose.model_json_schema())
    with pytest.raises(InvalidRequestError, match="allows any value"):
        to_gemini_schema({"type": "array", "items": True})


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"type": "array"}, "needs 'items'"),
        ({"description": "text", "minLength": 1}, "has no type"),
        ({"type": "date"}, "Unknown JSON schema type 'date'"),
        ({"$ref": "#/$defs/Missing"}, "cannot be resolved"),
        ({"$ref": "https://example.com/schema.json"}, "cannot be resolved"),
        ({"allOf": [{"type": "string"}, {"minLength": 1}]}, "cannot intersect"),
        ({"anyOf": [{"type": "null"}]}, "only allows null"),
        ({"type": "object", "properties": {"x": "string"}}, "must be an object"),
    ],
)
def test_invalid_schemas(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        to_gemini_schema(schema)


def test_too_deep_refused() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(150):
        schema = {"type": "array", "items": schema}
    with pytest.raises(InvalidRequestError, match="nests too deeply"):
        to_gemini_schema(schema)


# -- function parameters --------------------------------------------------------------------------


def test_function_without_arguments_has_no_parameters() -> None:
    assert to_gemini_parameters({"type": "object", "properties": {}}) is None
    assert to_gemini_parameters({}) is None


def test_function_parameters_translated() -> None:
    parameters = {
        "type": "object",
        "properties": {
            "input": {"type": "integer", "exclusiveMinimum": -1000, "exclusiveMaximum": 1000}
        },
        "required": ["input"],
    }
    assert to_gemini_parameters(parameters) == {
        "type": "OBJECT",
        "properties": {"input": {"type": "INTEGER"}},
        "propertyOrdering": ["input"],
        "required": ["input"],
    }


def test_free_form_dict_arguments_are_objects() -> None:
    """A tool argument that is any object (``options: dict``, ``dict[str, Any]``, typed values)
    goes to Gemini as an ``OBJECT`` without properties, as langchain-google-genai sends it:
    function parameters may hold one (only ``responseSchema`` refuses it, above)."""

    class Settings(BaseModel):
        name: str
        values: dict[str, Any] = Field(description="Anything")
        counts: dict[str, int] | None = None
        rows: list[dict[str, Any]]

    assert to_gemini_parameters(Settings.model_json_schema()) == {
        "type": "OBJECT",
        "properties": {
            "name": {"type": "STRING"},
            "values": {"type": "OBJECT", "description": "Anything"},
            "counts": {"type": "OBJECT", "nullable": True},
            "rows": {"type": "ARRAY", "items": {"type": "OBJECT"}},
        },
        "propertyOrdering": ["name", "values", "counts", "rows"],
        "required": ["name", "values", "rows"],
    }
    assert to_gemini_parameters(
        {"type": "object", "properties": {"options": {"type": "object"}}}
    ) == {
        "type": "OBJECT",
        "properties": {"options": {"type": "OBJECT"}},
        "propertyOrdering": ["options"],
    }
    # keyword arguments only (``def f(**kwargs)``): any object
    assert to_gemini_parameters({"type": "object", "additionalProperties": True}) == {
        "type": "OBJECT"
    }


def test_function_parameters_refusals_hint_at_tools() -> None:
    """What function parameters truly cannot express is still refused, with a hint that fits a
    tool (``response_json_schema`` is an option of structured output, not of bind_tools)."""

    class Node(BaseModel):
        name: str
        children: list[Node] = Field(default_factory=list)

    for schema in (
        Node.model_json_schema(),
        {"type": "object", "properties": {"pair": {"type": "array", "prefixItems": [{}]}}},
        {
            "type": "object",
            "properties": {"a": {"type": "string"}},
            "additionalProperties": {"type": "integer"},
        },
    ):
        with pytest.raises(InvalidRequestError) as info:
            to_gemini_parameters(schema)
        message = str(info.value)
        assert "response_json_schema" not in message
        assert "JSON string" in message

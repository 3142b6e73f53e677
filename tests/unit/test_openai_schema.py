"""OpenAI structured-output schemas, shared by both frameworks
(``yescale.translate.openai_schema``)."""

from __future__ import annotations

from typing import Any

from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from langchain_yescale import ChatYEScale
from llama_index_yescale import YEScale
from yescale.translate.openai_schema import (
    json_schema_response_format,
    schema_name,
    strict_json_schema,
    strict_tool,
)

KEY = "sk-test-openai-schema"

NESTED: dict[str, Any] = {
    "type": "object",
    "properties": {
        "a": {"type": "string"},
        "b": {"anyOf": [{"$ref": "#/$defs/B"}, {"type": "null"}]},
        "c": {"type": "array", "items": {"type": "object", "properties": {"d": {}}}},
    },
    "required": ["a"],
    "$defs": {"B": {"type": "object", "properties": {"e": {"type": "integer"}}}},
}


def test_strict_json_schema_closes_every_object() -> None:
    strict = strict_json_schema(NESTED)
    assert strict["required"] == ["a", "b", "c"]
    assert strict["additionalProperties"] is False
    assert strict["$defs"]["B"] == {
        "type": "object",
        "properties": {"e": {"type": "integer"}},
        "required": ["e"],
        "additionalProperties": False,
    }
    assert strict["properties"]["c"]["items"]["additionalProperties"] is False
    assert NESTED["required"] == ["a"]  # a copy


def test_response_format_names_describes_and_closes() -> None:
    schema = {"title": "My schema (v2)", "description": "Things.", **NESTED}
    loose = json_schema_response_format(schema)
    assert loose == {
        "type": "json_schema",
        "json_schema": {"name": "My_schema__v2_", "description": "Things.", "schema": NESTED},
    }
    strict = json_schema_response_format(schema, strict=True)["json_schema"]
    assert strict["strict"] is True
    assert strict["schema"]["$defs"]["B"]["additionalProperties"] is False
    assert json_schema_response_format(NESTED, strict=False)["json_schema"]["strict"] is False
    assert schema["title"] == "My schema (v2)"  # the caller's schema is not changed
    assert schema_name(None, "City") == "City"
    assert len(schema_name("x" * 100)) == 64


def test_strict_tool() -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": NESTED}}
    strict = strict_tool(tool)["function"]
    assert strict["strict"] is True
    assert strict["parameters"]["$defs"]["B"]["required"] == ["e"]
    assert "strict" not in tool["function"]


class Address(BaseModel):
    """Where."""

    city: str
    zip_code: str | None = None


class Person(BaseModel):
    """Who."""

    name: str
    nickname: str | None = None
    address: Address


def _closed(schema: dict[str, Any]) -> None:
    """Every object node of ``schema`` is as OpenAI's strict mode demands."""
    for node in [schema, *schema.get("$defs", {}).values()]:
        if "properties" in node:
            assert node["additionalProperties"] is False
            assert node["required"] == list(node["properties"])


def test_llamaindex_strict_structured_output_is_strict_all_the_way_down() -> None:
    native = YEScale(api_key=KEY, model="gpt-4o-mini", strict=True)._native_structured_kwargs(
        Person
    )
    assert native is not None
    spec = native["response_format"]["json_schema"]
    assert spec["name"] == "Person"
    assert spec["strict"] is True
    _closed(spec["schema"])
    assert spec["schema"]["required"] == ["name", "nickname", "address"]


class Registration(BaseModel):
    """Register a person."""

    person: Person
    note: str | None = None


def register(person: Person, note: str | None = None) -> str:
    """Register a person."""
    return person.name


def test_llamaindex_strict_tools_are_strict_all_the_way_down() -> None:
    tool = FunctionTool.from_defaults(fn=register, fn_schema=Registration)
    (spec,) = YEScale(api_key=KEY, strict=True)._prepare_chat_with_tools([tool])["tools"]
    assert spec["function"]["strict"] is True
    parameters = spec["function"]["parameters"]
    _closed(parameters)
    assert parameters["required"] == ["person", "note"]
    assert set(parameters["$defs"]) == {"Address", "Person"}


def test_both_frameworks_send_the_same_response_format() -> None:
    lc = ChatYEScale(model="gpt-4o-mini", api_key=KEY)._structured_bind_kwargs(
        "json_schema", Person, True
    )
    li = YEScale(api_key=KEY, model="gpt-4o-mini", strict=True)._native_structured_kwargs(Person)
    assert li is not None
    assert lc["response_format"]["json_schema"]["strict"] is True
    _closed(lc["response_format"]["json_schema"]["schema"])
    assert (
        lc["response_format"]["json_schema"]["name"] == li["response_format"]["json_schema"]["name"]
    )

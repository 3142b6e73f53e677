"""The cassette body matcher: JSON compared as JSON, tool descriptions' white space folded
(Python 3.13 strips docstring indentation), everything else exact."""

from __future__ import annotations

import json
from typing import Any

import pytest
from vcr.request import Request

from tests.conftest import json_body

URL = "https://api.yescale.io/v1/chat/completions"
HEADERS = {"content-type": "application/json"}


def request(body: Any) -> Request:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Request("POST", URL, raw, HEADERS)


def tool(description: str, name: str = "add") -> dict[str, Any]:
    function = {"name": name, "description": description, "parameters": {"type": "object"}}
    return {"model": "gpt-4o-mini", "tools": [{"type": "function", "function": function}]}


INDENTED = "Add two integers.\n\n        Args:\n            a: First integer.\n        "
DEDENTED = "Add two integers.\n\nArgs:\n    a: First integer."


def test_a_docstring_indented_or_not_describes_the_same_tool() -> None:
    json_body(request(tool(INDENTED)), request(tool(DEDENTED)))  # does not raise


@pytest.mark.parametrize(
    "other",
    [
        tool("Add two integers.\n\nArgs:\n    b: First integer."),  # other words
        tool(DEDENTED, name="sum"),  # white space is folded only inside descriptions
        {**tool(DEDENTED), "model": "gpt-4o"},
    ],
)
def test_anything_else_must_be_the_same(other: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        json_body(request(tool(INDENTED)), request(other))


def test_a_body_that_is_not_json_is_compared_as_it_is() -> None:
    json_body(request(b"a=1&b=2"), request(b"a=1&b=2"))
    with pytest.raises(AssertionError):
        json_body(request(b"a=1&b=2"), request(b"a=1&b=3"))

"""Tool-call arguments to and from their JSON text: one routine for both frameworks."""

from __future__ import annotations

import datetime
import math

import pytest

from yescale import InvalidRequestError
from yescale._json_values import dump_tool_arguments, load_tool_arguments


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, {}), ("", {}), ("  ", {}), ('{"a": 1, "b": "é"}', {"a": 1, "b": "é"})],
)
def test_load(text: str | None, expected: dict[str, object]) -> None:
    assert load_tool_arguments(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [('{"a": ', "not valid JSON"), ("[1, 2]", "must be a JSON object"), ('"x"', "JSON object")],
)
def test_load_refuses_what_is_not_an_object(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        load_tool_arguments(text)


def test_dump_round_trips_unicode() -> None:
    text = dump_tool_arguments({"city": "Hà Nội", "n": [1, 2.5]}, "'weather'")
    assert text == '{"city": "Hà Nội", "n": [1, 2.5]}'
    assert load_tool_arguments(text) == {"city": "Hà Nội", "n": [1, 2.5]}


@pytest.mark.parametrize(
    ("args", "where"),
    [
        ({"day": datetime.date(2026, 1, 1)}, "args.day is a date"),
        ({"x": [1, math.nan]}, "args.x[1]"),
    ],
)
def test_dump_names_what_is_not_json(args: dict[str, object], where: str) -> None:
    with pytest.raises(InvalidRequestError, match="cannot be sent back") as caught:
        dump_tool_arguments(args, "'f'")
    assert where in str(caught.value)

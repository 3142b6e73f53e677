"""Checks made before any request, so bad input fails fast with a clear message."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeGuard, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InvalidRequestError, YEScaleError

M = TypeVar("M", bound=BaseModel)

#: The roles of OpenAI-format chat messages.
CHAT_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
#: OpenAI's rule for function names (Gemini's and Anthropic's are close to it).
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def require_text(value: Any, name: str, hint: str = "") -> str:
    if not isinstance(value, str) or not value.strip():
        shown = "an empty string" if isinstance(value, str) else type(value).__name__
        raise InvalidRequestError(
            f"`{name}` must be a non-empty string, got {shown}." + (f" {hint}" if hint else "")
        )
    return value


def require_messages(messages: Any) -> list[dict[str, Any]]:
    """A non-empty list of message dicts, each with a role (any spelling: see
    :func:`check_chat_messages` for the OpenAI-format rules)."""
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence) or not messages:
        raise InvalidRequestError(
            "`messages` must be a non-empty list of message dicts such as "
            '[{"role": "user", "content": "Hello"}].'
        )
    out: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping) or not message.get("role"):
            raise InvalidRequestError(
                f"messages[{i}] must be a dict with a 'role' (system, user, assistant, tool), "
                f"got {message!r:.80}."
            )
        out.append(dict(message))
    return out


def _has_text(content: Any) -> bool:
    if isinstance(content, str):
        return bool(content.strip())
    if isinstance(content, list):
        return any(
            not isinstance(part, Mapping)
            or part.get("type") != "text"
            or _has_text(part.get("text"))
            for part in content
        )
    return False


def _described(value: Any) -> str:
    """``an int (5)``, ``bytes (b'hi')``, ``None``: a value's type and the start of it."""
    if value is None:
        return "None"
    if isinstance(value, (bytes, bytearray)):
        return f"bytes ({value!r:.40})"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name} ({value!r:.40})"


def require_part_text(part: Mapping[str, Any], where: str) -> str:
    """The ``text`` of a ``{"type": "text"}`` part, which must be a string; ``where`` names the
    part in the error (``messages[1].content[0]``)."""
    text = part.get("text")
    if isinstance(text, str):
        return text
    fix = (
        "Decode it first, e.g. value.decode()."
        if isinstance(text, (bytes, bytearray))
        else "Convert it first, e.g. str(value)."
    )
    raise InvalidRequestError(
        f"{where} is a text part whose text is {_described(text)}: text must be a str. {fix}"
    )


def data_url_parts(url: str, where: str) -> tuple[str, str]:
    """``(mime type, base64 data)`` of a ``data:`` URL (an image or file sent inline), checked
    before any request: the models read base64 data URLs only, and the base64 must decode.
    ``where`` names the part in the error."""
    header, _, data = url.partition(",")
    mime = header[5:].split(";")[0] or "application/octet-stream"
    if ";base64" not in header.lower():
        raise InvalidRequestError(
            f"{where} is a data URL without base64 ({header[:60]},...): the models read base64 "
            "data URLs only, such as 'data:image/png;base64,iVBOR...'. Encode the bytes with "
            "base64.b64encode(data).decode()."
        )
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidRequestError(
            f"{where} is a data URL whose base64 is invalid ({exc}): encode the bytes with "
            "base64.b64encode(data).decode(), or give an http(s) URL instead."
        ) from None
    return mime, data


def is_data_url(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value[:5].lower() == "data:"


def _check_part(part: Mapping[str, Any], where: str) -> None:
    """A part's text is a string; a data URL in it (image, file) holds valid base64."""
    kind = part.get("type")
    if kind == "text":
        require_part_text(part, where)
    elif kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, Mapping) else image
        if is_data_url(url):
            data_url_parts(url, where)
    elif kind == "file":
        file = part.get("file")
        if isinstance(file, Mapping) and is_data_url(file.get("file_data")):
            data_url_parts(file["file_data"], where)


def check_content_parts(content: Any, where: str) -> None:
    """The parts of a message's list content (``where``: ``messages[1].content``): text parts
    hold strings, data URLs valid base64. Other shapes are the caller's to check."""
    if isinstance(content, list):
        for j, part in enumerate(content):
            if isinstance(part, Mapping):
                _check_part(part, f"{where}[{j}]")


def check_chat_messages(messages: list[dict[str, Any]]) -> None:
    """The OpenAI-format rules the service would otherwise refuse with an HTTP 400: known roles,
    content a string or a list of typed parts, tool results naming their call, tool-call
    arguments as JSON text, and something to answer."""
    anything = False
    for i, message in enumerate(messages):
        role = message["role"]
        if role not in CHAT_ROLES:
            raise InvalidRequestError(
                f"messages[{i}] has role {role!r}: use one of {', '.join(CHAT_ROLES)} "
                "(e.g. 'user' for a human turn, 'assistant' for the model's)."
            )
        content = message.get("content")
        calls = message.get("tool_calls")
        if content is None:
            if not (role == "assistant" and (calls or message.get("function_call"))):
                raise InvalidRequestError(
                    f"messages[{i}] ({role}) has no content: give it a string, or a list of "
                    'parts such as [{"type": "text", "text": "..."}] (only an assistant message '
                    "with tool_calls may go without)."
                )
        elif isinstance(content, list):
            for j, part in enumerate(content):
                if not isinstance(part, Mapping) or not isinstance(part.get("type"), str):
                    raise InvalidRequestError(
                        f"messages[{i}].content[{j}] must be a dict with a 'type' such as "
                        '{"type": "text", "text": "..."} or {"type": "image_url", "image_url": '
                        f'{{"url": "..."}}}}, got {part!r:.80}.'
                    )
                _check_part(part, f"messages[{i}].content[{j}]")
        elif not isinstance(content, str):
            raise InvalidRequestError(
                f"messages[{i}].content is a {type(content).__name__}: it must be a string or a "
                'list of parts such as [{"type": "text", "text": "..."}]. Convert it first '
                "(e.g. str(value) or json.dumps(value))."
            )
        if role == "tool" and not message.get("tool_call_id"):
            raise InvalidRequestError(
                f"messages[{i}] is a tool result without 'tool_call_id': give the id of the "
                "assistant's tool call it answers."
            )
        if calls is not None:
            _check_tool_calls(i, calls)
        anything = anything or bool(calls) or role in ("tool", "function") or _has_text(content)
    if not anything:
        raise InvalidRequestError(
            "Every message is empty or whitespace: there is nothing for the model to answer. "
            "Check that the prompt (or its template variables) were filled in."
        )


def _check_tool_calls(index: int, calls: Any) -> None:
    if not isinstance(calls, list):
        raise InvalidRequestError(
            f"messages[{index}].tool_calls must be a list of tool calls, got "
            f"{type(calls).__name__}."
        )
    for j, call in enumerate(calls):
        function = call.get("function") if isinstance(call, Mapping) else None
        if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            raise InvalidRequestError(
                f"messages[{index}].tool_calls[{j}] must be a dict like "
                '{"id": "call_1", "type": "function", "function": {"name": "...", '
                '"arguments": "{...}"}}, ' + f"got {call!r:.100}."
            )
        arguments = function.get("arguments")
        if arguments is not None and not isinstance(arguments, str):
            raise InvalidRequestError(
                f"messages[{index}].tool_calls[{j}].function.arguments is a "
                f"{type(arguments).__name__}: the API takes the arguments as JSON text; pass "
                "json.dumps(arguments)."
            )


def require_tool_list(tools: Any) -> Sequence[Any]:
    """``tools`` as a list (not a single tool dict, not a string)."""
    if isinstance(tools, (str, bytes, Mapping)) or not isinstance(tools, Sequence):
        raise InvalidRequestError(
            f"`tools` must be a list of tool dicts, got {type(tools).__name__}. Wrap a single "
            "tool in a list."
        )
    return tools


def note_tool_name(seen: dict[str, int], name: str, index: int) -> None:
    """Record that ``tools[index]`` is named ``name``; refuse a name already in ``seen``.

    A model answers with a tool's name only, so of two tools with one name, which it meant
    cannot be known."""
    if name in seen:
        raise InvalidRequestError(
            f"tools[{seen[name]}] and tools[{index}] are both named {name!r}: a model calls a "
            "tool by name, so names must be unique. Rename one of them."
        )
    seen[name] = index


def check_tools(tools: Any) -> list[dict[str, Any]]:
    """OpenAI-format ``tools``: a list of ``{"type": "function", "function": {"name", ...}}``
    with names the API takes, each once (other tool types pass through unchecked)."""
    seen: dict[str, int] = {}
    for i, tool in enumerate(require_tool_list(tools)):
        if not isinstance(tool, Mapping):
            raise InvalidRequestError(
                f"tools[{i}] must be a dict such as "
                '{"type": "function", "function": {"name": ..., "parameters": {...}}}, got '
                f"{tool!r:.80}. (LangChain and LlamaIndex convert tools for you: bind_tools / "
                "chat_with_tools.)"
            )
        if tool.get("type") != "function":
            continue
        function = tool.get("function")
        if not isinstance(function, Mapping):
            raise InvalidRequestError(f"tools[{i}] has type 'function' but no 'function' dict.")
        name = function.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            raise InvalidRequestError(
                f"tools[{i}] is named {name!r}: tool names must be 1-64 letters, digits, '_' "
                "or '-' (no spaces or dots). Rename the tool."
            )
        note_tool_name(seen, name, i)
        parameters = function.get("parameters")
        if parameters is not None and not isinstance(parameters, Mapping):
            raise InvalidRequestError(
                f"tools[{i}] ({name}) has parameters of type {type(parameters).__name__}: they "
                "must be a JSON schema dict."
            )
    return list(tools)


def check_tool_choice(tool_choice: Any, tools: Any) -> None:
    """``auto`` / ``none`` / ``required``, or ``{"type": "function", "function": {"name"}}``
    naming one of ``tools``."""
    names = [
        t["function"].get("name")
        for t in tools or []
        if isinstance(t, Mapping) and isinstance(t.get("function"), Mapping)
    ]
    if isinstance(tool_choice, str):
        if tool_choice not in ("auto", "none", "required"):
            raise InvalidRequestError(
                f"tool_choice {tool_choice!r} is not one of 'auto', 'none', 'required'; to force "
                'one tool, pass {"type": "function", "function": {"name": "<tool name>"}}.'
            )
        if tool_choice == "required" and not tools:
            raise InvalidRequestError(
                "tool_choice='required' but no tools were given: pass tools=[...] too."
            )
        return
    if isinstance(tool_choice, Mapping):
        function = tool_choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else None
        if tool_choice.get("type") == "function":
            if not isinstance(name, str):
                raise InvalidRequestError(
                    'tool_choice {"type": "function"} needs "function": {"name": "<tool name>"}.'
                )
            if name not in names:
                raise InvalidRequestError(
                    f"tool_choice names the tool {name!r}, which is not among the tools given "
                    f"({', '.join(map(str, names)) or 'none'})."
                )
        return
    raise InvalidRequestError(
        f"tool_choice must be 'auto', 'none', 'required' or a dict naming a tool, got "
        f"{type(tool_choice).__name__} {tool_choice!r:.40}."
    )


def validate_model(model: type[M], body: Mapping[str, Any], what: str) -> M:
    """``model.model_validate(body)``, with pydantic's errors turned into one readable
    :class:`InvalidRequestError` naming each field, the problem and the value given."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise InvalidRequestError(f"Invalid {what}: {describe_validation_error(exc)}.") from None


def describe_validation_error(exc: ValidationError) -> str:
    problems: list[str] = []
    seen: set[str] = set()
    for err in exc.errors():
        # a union reports each branch; the field and the value say enough once
        loc = ".".join(str(p) for p in err["loc"] if not _is_union_branch(p))
        if loc in seen:
            continue
        seen.add(loc)
        shown = repr(err.get("input"))
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        problems.append(f"{loc or 'body'}={shown}: {err['msg']}")
    return "; ".join(problems)


def _is_union_branch(part: Any) -> bool:
    return isinstance(part, str) and (
        part in ("str", "int", "float", "bool", "list", "dict", "none")
        or part.startswith(("list[", "dict[", "function-", "literal["))
    )


# -- pydantic-wrapped errors in framework classes ------------------------------------------------


def wrapped_yescale_error(exc: ValidationError) -> YEScaleError | None:
    """The :class:`YEScaleError` a validator raised inside ``exc``, if that is what failed.

    pydantic wraps a ``ValueError`` raised in a validator (``InvalidRequestError`` and
    ``MissingCredentialsError`` are ``ValueError`` s) into its own ``ValidationError``; the
    framework classes re-raise ours instead, so users get the specific error and its message.
    """
    errors = exc.errors()
    if len(errors) != 1:
        return None
    original = (errors[0].get("ctx") or {}).get("error")
    return original if isinstance(original, YEScaleError) else None


@contextmanager
def unwrapped_errors() -> Iterator[None]:
    """Around a framework class's ``__init__``: re-raise our error from a validator as itself
    (see :func:`wrapped_yescale_error`), other validation errors unchanged."""
    try:
        yield
    except ValidationError as exc:
        wrapped = wrapped_yescale_error(exc)
        if wrapped is None:
            raise
        raise wrapped from None

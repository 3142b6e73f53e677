"""``client.responses``: OpenAI's Responses API on YEScale (``POST /v1/responses``).

What is sent: OpenAI's public Responses body (``model``, ``input``, ``instructions``, ``tools``,
``tool_choice``, ``reasoning``, ``include``, ``store``, ``previous_response_id``, ``text``,
``max_output_tokens``, ...) as given, checked first (:mod:`yescale._validate_responses`), with
the key as ``Authorization: Bearer`` like every other ``/v1`` request.

An assumption: YEScale's index lists "ChatGPT Response -> OpenAI Responses" without a body, so
the request, the answer and the events follow OpenAI's public Responses wire format, relayed
unchanged by the gateway (a stream as ``event:`` + ``data:`` pairs ended by
``response.completed`` / ``response.incomplete``, without ``[DONE]``; one sent anyway is
ignored).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from .._http import Call, Transport, json_parser
from .._response_stream import ResponseStreamDecoder, failed_payload
from .._validate import require_text, validate_model
from .._validate_responses import (
    check_include,
    check_params,
    check_reasoning,
    check_text,
    check_tool_choice,
    check_tools,
    check_truncation,
    normalized_input,
)
from ..costs.meter import Meter
from ..errors import InvalidRequestError, error_from_payload, incomplete_answer
from ..models.kinds import check_chat_model
from ..types.responses import Response, ResponsesRequest
from ._response_streams import AsyncResponseStream, ResponseStream, responses_usage
from .responses_chat import AsyncResponsesChat, ResponsesChat

PATH = "/v1/responses"
WHAT = "OpenAI response"

Input = str | Sequence[Mapping[str, Any] | Any]


def check_response(response: Response, what: str) -> None:
    """Refuse an answer that is not a response: no ``output`` list at all, or an ``object``
    other than ``response``; raise a ``failed`` one as its error (an ``error`` object in a 2xx
    body is raised by the transport before this, mapped by its code)."""
    if response.object not in (None, "response"):
        raise incomplete_answer(
            what, f"an object of type {response.object!r} instead of a response"
        )
    if "output" not in response.model_fields_set:
        raise incomplete_answer(what, "no output: there is no response to return")
    if response.status == "failed":
        raise error_from_payload(failed_payload(response), what=f"{what} ({PATH})")


def response_parser(model: str) -> Callable[[bytes], Response]:
    """Reads a Responses answer for ``model`` and checks it (:func:`check_response`)."""
    return json_parser(Response, partial(check_response, what=f"{WHAT} for {model!r}"))


def _check_optional(params: Mapping[str, Any]) -> None:
    instructions = params.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        raise InvalidRequestError(
            f"`instructions` must be a string (the system message), got "
            f"{type(instructions).__name__}."
        )
    tools = params.get("tools")
    names = check_tools(tools) if tools is not None else []
    if params.get("tool_choice") is not None:
        check_tool_choice(params["tool_choice"], names, tools)
    if params.get("reasoning") is not None:
        check_reasoning(params["reasoning"])
    if params.get("include") is not None:
        check_include(params["include"])
    if params.get("text") is not None:
        check_text(params["text"])
    if params.get("truncation") is not None:
        check_truncation(params["truncation"])
    previous = params.get("previous_response_id")
    if previous is not None:
        require_text(previous, "previous_response_id", "Pass the id of an earlier response.")


def build_call(model: str, input: Any, params: dict[str, Any], *, stream: bool) -> Call[Response]:
    """The checked call: everything OpenAI would refuse is refused here, before sending."""
    require_text(model, "model", "Pass a model YEScale serves on /v1/responses, e.g. 'gpt-5'.")
    check_chat_model(model)
    check_params(params)
    checked = normalized_input(input, previous_response_id=params.get("previous_response_id"))
    _check_optional(params)
    body: dict[str, Any] = {"model": model, "input": checked, **params}
    if stream:
        body["stream"] = True
    request = validate_model(ResponsesRequest, body, "Responses request")
    return Call(
        "POST",
        PATH,
        response_parser(model),  # (a stream's events are read by its decoder)
        json=request.to_wire(),
        what=WHAT,
        meter=Meter(model, responses_usage),
    )


class Responses:
    """OpenAI's Responses API (``POST /v1/responses``): ``client.responses``.

    ``input``: a string, or a list of input items (messages with ``input_text`` /
    ``input_image`` / ``input_file`` parts, ``function_call`` / ``function_call_output`` items,
    ``reasoning`` items sent back, ``item_reference`` s; the typed items of an earlier answer
    as they are). ``params`` are the API's other body fields: ``instructions``, ``tools``,
    ``tool_choice``, ``parallel_tool_calls``, ``reasoning``, ``include``, ``store``,
    ``previous_response_id``, ``text``, ``max_output_tokens``, ``temperature``, ``top_p``,
    ``metadata``, ``truncation``, ``user``, ``service_tier``; unknown ones pass through.
    ``.chat``: the same endpoint in the OpenAI chat format
    (:class:`~yescale.resources.responses_chat.ResponsesChat`).
    """

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._decoder = partial(ResponseStreamDecoder, transport.secrets)
        self.chat = ResponsesChat(self)

    def create(self, *, model: str, input: Input, **params: Any) -> Response:
        """One response. ``reply.to_input()`` is its output as the next request's items."""
        return self._t.send(build_call(model, input, params, stream=False))

    def stream(self, *, model: str, input: Input, **params: Any) -> ResponseStream:
        """Stream the response's events (:class:`ResponseStream`); nothing is sent before the
        first event is asked for. Retried only before the first event is handed out."""
        call = build_call(model, input, params, stream=True)
        meter: Meter[Response] = Meter(model, responses_usage)
        meter.before()
        return ResponseStream(self._t.stream(call, self._decoder), meter)


class AsyncResponses:
    """Async twin of :class:`Responses` (``client.aio.responses``)."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._decoder = partial(ResponseStreamDecoder, transport.secrets)
        self.chat = AsyncResponsesChat(self)

    async def create(self, *, model: str, input: Input, **params: Any) -> Response:
        return await self._t.asend(build_call(model, input, params, stream=False))

    def stream(self, *, model: str, input: Input, **params: Any) -> AsyncResponseStream:
        call = build_call(model, input, params, stream=True)
        meter: Meter[Response] = Meter(model, responses_usage)
        meter.before()
        return AsyncResponseStream(self._t.astream(call, self._decoder), meter)


__all__ = ["AsyncResponses", "Responses", "build_call", "check_response"]

"""``client.system``: the YEScale System API (account, quota, keys, tasks, logs, models).

Served from ``system_base_url`` (default ``https://yescale.bogia.app``) and authenticated with the
access key (``YESCALE_ACCESS_KEY``), not the API key. Quota figures are credits; the ``*_usd``
properties divide by 500,000 as the reference documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from .._http import Call, Transport, json_parser
from ..costs.reconciliation import (
    LOG_PAGE_SIZE,
    MAX_LOG_PAGES,
    Reconciliation,
    log_rows,
    log_window,
    reconcile,
    too_many_logs,
)
from ..costs.tracking import CostTracker, ModelTotals
from ..errors import InvalidRequestError, InvalidResponseError, incomplete_answer
from ..types.system import (
    CREDITS_PER_USD,
    APIKeyInfo,
    LogEntry,
    ModelInfo,
    OkResponse,
    SystemEnvelope,
    SystemTask,
    UserInfo,
)

T = TypeVar("T")
_envelope = json_parser(SystemEnvelope)


def _unwrap(adapter: TypeAdapter[T], what: str) -> Callable[[bytes], T]:
    """Reads a System API envelope. ``{"success": false}`` never gets here: the transport raises
    it as the refusal it is (:func:`yescale.errors.answer_error`)."""

    def parse(content: bytes) -> T:
        envelope = _envelope(content)
        data = _data(adapter, envelope, what)
        try:
            return adapter.validate_python(data)
        except ValidationError as exc:
            raise _envelope_error(what, exc) from None

    return parse


def _data(adapter: TypeAdapter[Any], envelope: SystemEnvelope, what: str) -> Any:
    """What the answer holds for ``adapter``, or an error naming what it lacks.

    A confirmation (delete, quota edit) must say ``"success": true``; every other answer must
    carry a ``data`` member. ``"data": null`` on a list endpoint is an empty list (a Go gateway
    writes an empty slice that way); on the user endpoint it is no answer.
    """
    data = envelope.data
    if adapter is _OK:
        if envelope.success is not True:
            raise _incomplete(what, "no 'success': true to confirm the change")
        return envelope.model_dump() if data is None else data
    if "data" not in envelope.model_fields_set:
        raise _incomplete(what, "without 'data'")
    if data is None:
        if adapter is _USER:
            raise _incomplete(what, "with 'data' null: no user information to return")
        return []
    return data


def _incomplete(what: str, missing: str) -> InvalidResponseError:
    return incomplete_answer(f"system API {what} request", missing, setting="system_base_url")


def _envelope_error(what: str, exc: ValidationError) -> Exception:
    return InvalidResponseError(
        f"The YEScale system API answered {what} with data of an unexpected shape "
        f"({exc.error_count()} problems, first: {exc.errors()[0]['msg']})."
    )


_USER: TypeAdapter[UserInfo] = TypeAdapter(UserInfo)
_KEYS: TypeAdapter[list[APIKeyInfo]] = TypeAdapter(list[APIKeyInfo])
_MODELS: TypeAdapter[list[ModelInfo]] = TypeAdapter(list[ModelInfo])
_TASKS: TypeAdapter[list[SystemTask]] = TypeAdapter(list[SystemTask])
_LOGS: TypeAdapter[Any] = TypeAdapter(list[LogEntry] | dict[str, Any])
_OK: TypeAdapter[OkResponse] = TypeAdapter(OkResponse)


def _quota(remain_quota: int | None, remain_quota_usd: float | None) -> int:
    if (remain_quota is None) == (remain_quota_usd is None):
        raise InvalidRequestError("Pass exactly one of remain_quota (credits) or remain_quota_usd.")
    if remain_quota is not None:
        value = _integer(remain_quota, "remain_quota", "Credits are whole numbers.")
    else:
        usd = remain_quota_usd
        if isinstance(usd, bool) or not isinstance(usd, (int, float)) or usd != usd:
            raise InvalidRequestError(
                f"`remain_quota_usd` must be a number of US dollars, got {usd!r:.40}."
            )
        value = round(float(usd) * CREDITS_PER_USD)
    if value < 0:
        raise InvalidRequestError(f"A key's quota cannot be negative, got {value}.")
    return int(value)


_KEY_HINT = "Use the numeric id from client.system.list_api_keys() (APIKeyInfo.id)."


def _integer(value: Any, name: str, hint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        raise InvalidRequestError(f"`{name}` must be an integer, got {value!r:.40}. {hint}")
    return value


def _period(start: Any, end: Any) -> tuple[int, int]:
    hint = "Use Unix timestamps in seconds, e.g. int(time.time())."
    first = _integer(start, "start_timestamp", hint)
    last = _integer(end, "end_timestamp", hint)
    if first < 0 or last < 0:
        raise InvalidRequestError(f"Timestamps cannot be negative. {hint}")
    if first > last:
        raise InvalidRequestError(
            f"start_timestamp ({first}) is after end_timestamp ({last}): swap them."
        )
    return first, last


class SystemCalls:
    """Builds the system API calls; shared by the sync and async groups."""

    def user(self) -> Call[UserInfo]:
        parse = _unwrap(_USER, "user")
        return Call("GET", "/yescale/user", parse, what="user info")

    def models(self) -> Call[list[ModelInfo]]:
        parse = _unwrap(_MODELS, "models")
        return Call("GET", "/yescale/models", parse, what="models")

    def list_api_keys(self, keyword: str | None, token: str | None) -> Call[list[APIKeyInfo]]:
        params = {k: v for k, v in {"keyword": keyword, "token": token}.items() if v is not None}
        parse = _unwrap(_KEYS, "apikeylist")
        return Call("GET", "/yescale/apikeylist", parse, params=params or None, what="API key list")

    def delete_api_key(self, key_id: int) -> Call[OkResponse]:
        path = f"/yescale/deletekey/{_integer(key_id, 'key_id', _KEY_HINT)}"
        parse = _unwrap(_OK, "deletekey")
        return Call("DELETE", path, parse, what="API key delete")

    def edit_api_key_quota(
        self, key_id: int, remain_quota: int | None, remain_quota_usd: float | None
    ) -> Call[OkResponse]:
        body = {"remain_quota": _quota(remain_quota, remain_quota_usd)}
        path = f"/yescale/editquota/{_integer(key_id, 'key_id', _KEY_HINT)}"
        parse = _unwrap(_OK, "editquota")
        return Call("PUT", path, parse, json=body, what="API key quota edit")

    def tasks(self, start_timestamp: int, end_timestamp: int) -> Call[list[SystemTask]]:
        first, last = _period(start_timestamp, end_timestamp)
        params = {"start_timestamp": first, "end_timestamp": last}
        parse = _unwrap(_TASKS, "task")
        return Call("GET", "/yescale/task", parse, params=params, what="task list")

    def logs(self, filters: dict[str, Any]) -> Call[Any]:
        params = {k: v for k, v in filters.items() if v is not None}
        parse = _unwrap(_LOGS, "logs")
        return Call("GET", "/yescale/logs", parse, params=params or None, what="logs")


class System:
    """The YEScale System API (access key; ``system_base_url``)."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._calls = SystemCalls()

    def user(self) -> UserInfo:
        """Account details; ``quota_usd`` / ``used_quota_usd`` give the balance in USD."""
        return self._t.send(self._calls.user())

    def models(self) -> list[ModelInfo]:
        """Every model YEScale serves, with endpoint, price, uptime and deprecation status."""
        return self._t.send(self._calls.models())

    def list_api_keys(
        self, *, keyword: str | None = None, token: str | None = None
    ) -> list[APIKeyInfo]:
        return self._t.send(self._calls.list_api_keys(keyword, token))

    def delete_api_key(self, key_id: int) -> OkResponse:
        return self._t.send(self._calls.delete_api_key(key_id))

    def edit_api_key_quota(
        self,
        key_id: int,
        *,
        remain_quota: int | None = None,
        remain_quota_usd: float | None = None,
    ) -> OkResponse:
        """Set a key's remaining quota, in credits or in USD (1 USD = 500,000 credits)."""
        return self._t.send(self._calls.edit_api_key_quota(key_id, remain_quota, remain_quota_usd))

    def tasks(self, *, start_timestamp: int, end_timestamp: int) -> list[SystemTask]:
        return self._t.send(self._calls.tasks(start_timestamp, end_timestamp))

    def logs(self, **filters: Any) -> Any:
        """Usage logs. Filters: ``p``, ``page_size``, ``type``, ``token_name``, ``model_name``,
        ``username``, ``start_timestamp``, ``end_timestamp``."""
        return self._t.send(self._calls.logs(filters))

    def reconcile(
        self,
        estimate: CostTracker | Mapping[str, ModelTotals],
        *,
        start_timestamp: int,
        end_timestamp: int,
        token_name: str | None = None,
    ) -> Reconciliation:
        """The estimate of a :class:`~yescale.costs.CostTracker` against the credits the logs
        say were charged between the two Unix timestamps (every page of charged calls; only
        ``token_name``'s, when given). See :mod:`yescale.costs.reconciliation`."""
        first, last = _period(start_timestamp, end_timestamp)
        rows = []
        for page in range(1, MAX_LOG_PAGES + 1):
            got = log_rows(self.logs(**log_window(first, last, token_name, page)))
            rows.extend(got)
            if len(got) < LOG_PAGE_SIZE:
                return reconcile(estimate, rows, first, last)
        raise too_many_logs(first, last)


class AsyncSystem:
    """Async twin of :class:`System`."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._calls = SystemCalls()

    async def user(self) -> UserInfo:
        return await self._t.asend(self._calls.user())

    async def models(self) -> list[ModelInfo]:
        return await self._t.asend(self._calls.models())

    async def list_api_keys(
        self, *, keyword: str | None = None, token: str | None = None
    ) -> list[APIKeyInfo]:
        return await self._t.asend(self._calls.list_api_keys(keyword, token))

    async def delete_api_key(self, key_id: int) -> OkResponse:
        return await self._t.asend(self._calls.delete_api_key(key_id))

    async def edit_api_key_quota(
        self,
        key_id: int,
        *,
        remain_quota: int | None = None,
        remain_quota_usd: float | None = None,
    ) -> OkResponse:
        call = self._calls.edit_api_key_quota(key_id, remain_quota, remain_quota_usd)
        return await self._t.asend(call)

    async def tasks(self, *, start_timestamp: int, end_timestamp: int) -> list[SystemTask]:
        return await self._t.asend(self._calls.tasks(start_timestamp, end_timestamp))

    async def logs(self, **filters: Any) -> Any:
        return await self._t.asend(self._calls.logs(filters))

    async def reconcile(
        self,
        estimate: CostTracker | Mapping[str, ModelTotals],
        *,
        start_timestamp: int,
        end_timestamp: int,
        token_name: str | None = None,
    ) -> Reconciliation:
        """Async twin of :meth:`System.reconcile`."""
        first, last = _period(start_timestamp, end_timestamp)
        rows = []
        for page in range(1, MAX_LOG_PAGES + 1):
            got = log_rows(await self.logs(**log_window(first, last, token_name, page)))
            rows.extend(got)
            if len(got) < LOG_PAGE_SIZE:
                return reconcile(estimate, rows, first, last)
        raise too_many_logs(first, last)

"""``yescale quota``, ``yescale logs``, ``yescale tasks``: the account, read from the System API
(``YESCALE_ACCESS_KEY``). Figures the service gives in credits are shown in US dollars too."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from ..types.system import APIKeyInfo, UserInfo
from .output import credits_usd, print_json, table, usd, utc
from .runtime import ACCESS_KEY_ENV, runtime
from .timewindow import FORMS, window

__all__ = ["logs", "quota", "tasks"]

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout, no table.")]
Since = Annotated[str, typer.Option(help=f"Start of the window: {FORMS}.")]
Until = Annotated[str, typer.Option(help="End of the window, in the same forms.")]

#: What a key's ``status`` means (1 is documented; 2-4 are the one-api gateway's values).
KEY_STATUS = {1: "active", 2: "disabled", 3: "expired", 4: "exhausted"}
_USER_FIELDS = ("username", "display_name", "email", "quota", "used_quota", "request_count")
_KEY_FIELDS = (
    "id",
    "name",
    "status",
    "group",
    "remain_quota",
    "unlimited_quota",
    "used_quota",
    "expired_time",
    "created_time",
    "accessed_time",
)


def quota(
    ctx: typer.Context,
    key: Annotated[
        str | None, typer.Option("--key", help="Only the API keys whose name contains this.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """What is left to spend, in US dollars: the account's balance and each API key's."""
    rt = runtime(ctx)
    with rt.client(ACCESS_KEY_ENV, command=ctx.command_path) as client:
        user = client.system.user()
        keys = client.system.list_api_keys(keyword=key)
    if as_json:
        print_json({"user": _user_json(user), "keys": [_key_json(k) for k in keys]})
        return
    out = rt.out()
    out.print(_account(user))
    if not keys:
        rt.note("No API key" + (f" whose name contains {key!r}." if key else "."))
        return
    grid = table(
        "ID", "Name", "Status", "Group", "Remaining", "Used", "Expires",
        right=("ID", "Remaining", "Used"), whole=("ID", "Name"),
    )  # fmt: skip
    for k in keys:
        remaining = "unlimited" if k.unlimited_quota else usd(k.remain_quota_usd)
        expires = "never" if (k.expired_time or -1) < 0 else utc(k.expired_time)
        status = KEY_STATUS.get(k.status or 0, f"status {k.status}")
        grid.add_row(
            str(k.id),
            k.name or "",
            status,
            k.group or "",
            remaining,
            usd(k.used_quota_usd),
            expires,
        )
    out.print(grid)


def _account(user: UserInfo) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    name = user.username or "?"
    if user.display_name and user.display_name != user.username:
        name += f" ({user.display_name})"
    grid.add_row("Account", name)
    grid.add_row("Remaining", usd(user.quota_usd))
    used = usd(user.used_quota_usd)
    if user.request_count is not None:
        used += f" in {user.request_count:,} requests"
    grid.add_row("Used", used)
    return grid


def _user_json(user: UserInfo) -> dict[str, Any]:
    # Field by field: the answer also carries the account's access token, never printed.
    data: dict[str, Any] = {name: getattr(user, name) for name in _USER_FIELDS}
    data.update(quota_usd=user.quota_usd, used_quota_usd=user.used_quota_usd)
    return data


def _key_json(key: APIKeyInfo) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(key, name) for name in _KEY_FIELDS}
    data.update(remain_quota_usd=key.remain_quota_usd, used_quota_usd=key.used_quota_usd)
    return data


def logs(
    ctx: typer.Context,
    since: Since = "24h",
    until: Until = "now",
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Only this model's requests.")
    ] = None,
    key: Annotated[
        str | None, typer.Option("--key", help="Only the requests of the API key of this name.")
    ] = None,
    page: Annotated[int | None, typer.Option(min=1, help="Page number (from 1).")] = None,
    page_size: Annotated[
        int | None, typer.Option(min=1, help="Rows per page (the service's default: 10000).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Requests and what each was charged, in a time window.

    The window is the last 24 hours unless --since / --until say otherwise."""
    rt = runtime(ctx)
    start, end = window(since, until, rt.now())
    with rt.client(ACCESS_KEY_ENV, command=ctx.command_path) as client:
        answer = client.system.logs(
            start_timestamp=start,
            end_timestamp=end,
            model_name=model,
            token_name=key,
            p=page,
            page_size=page_size,
        )
    rows = _rows(answer)
    credits = sum(int(r.get("quota") or 0) for r in rows)
    if as_json:
        print_json(
            {
                "since": start,
                "until": end,
                "logs": rows,
                "total_quota": credits,
                "total_usd": credits_usd(credits),
            }
        )
        return
    if not rows:
        rt.note(f"No requests logged between {utc(start)} and {utc(end)} UTC.")
        return
    grid = table(
        "Time (UTC)", "Model", "Key", "In", "Out", "Credits", "USD",
        right=("In", "Out", "Credits", "USD"), whole=("Time (UTC)", "Model"),
    )  # fmt: skip
    for r in rows:
        grid.add_row(
            utc(r.get("created_at")),
            str(r.get("model_name") or ""),
            str(r.get("token_name") or ""),
            _count(r.get("prompt_tokens")),
            _count(r.get("completion_tokens")),
            _count(r.get("quota")),
            usd(credits_usd(r.get("quota"))),
        )
    grid.caption = (
        f"{len(rows)} requests, {credits:,} credits = {usd(credits_usd(credits))} "
        f"({utc(start)} to {utc(end)} UTC)"
    )
    rt.out().print(grid)


def _rows(answer: Any) -> list[dict[str, Any]]:
    """Log rows as dicts: the service answers a list, or (some gateway versions) a page object
    holding one."""
    if isinstance(answer, dict):
        answer = answer.get("items") or answer.get("data") or answer.get("logs") or []
    rows = []
    for row in answer if isinstance(answer, list) else []:
        if hasattr(row, "model_dump"):
            rows.append(row.model_dump(mode="json"))
        elif isinstance(row, dict):
            rows.append(row)
    return rows


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else ""


def tasks(
    ctx: typer.Context,
    since: Since = "24h",
    until: Until = "now",
    as_json: JsonOption = False,
) -> None:
    """The account's media tasks in a time window, with what each was charged.

    The window is the last 24 hours unless --since / --until say otherwise."""
    rt = runtime(ctx)
    start, end = window(since, until, rt.now())
    with rt.client(ACCESS_KEY_ENV, command=ctx.command_path) as client:
        found = client.system.tasks(start_timestamp=start, end_timestamp=end)
    rows = [t.model_dump(mode="json") for t in found]
    if as_json:
        print_json({"since": start, "until": end, "tasks": rows})
        return
    if not rows:
        rt.note(f"No media task between {utc(start)} and {utc(end)} UTC.")
        return
    grid = table(
        "Submitted (UTC)", "Task", "Status", "Progress", "USD", "Failure",
        right=("Progress", "USD"), whole=("Submitted (UTC)", "Task"),
    )  # fmt: skip
    for r in rows:
        grid.add_row(
            utc(r.get("submit_time") or r.get("created_at")),
            str(r.get("task_id") or ""),
            str(r.get("status") or ""),
            str(r.get("progress") or ""),
            usd(credits_usd(r.get("quota"))) if r.get("quota") is not None else "",
            str(r.get("fail_reason") or ""),
        )
    grid.caption = f"{len(rows)} tasks ({utc(start)} to {utc(end)} UTC)"
    rt.out().print(grid)

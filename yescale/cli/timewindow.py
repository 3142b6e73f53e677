"""Time windows for ``--since`` / ``--until``: one parser, with errors that show what works."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import typer

__all__ = ["FORMS", "parse_time", "window"]

#: Shown in ``--help`` and in every error.
FORMS = (
    "a time back from now (30m, 2h, 7d, 1w), 'now', a Unix timestamp in seconds, or an ISO "
    "date or time (2025-10-27, 2025-10-27T14:00; UTC unless it has an offset)"
)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_AGO = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.IGNORECASE)
#: Unix timestamps before 2001-09-09 are not what anyone means by a bare number here.
_EARLIEST = 1_000_000_000


def parse_time(text: str, now: float, option: str) -> int:
    """``text`` as Unix seconds: ``2h`` is two hours before ``now``; raises
    :class:`typer.BadParameter` (exit code 2) naming ``option`` and the accepted forms."""
    value = text.strip()
    if value.lower() == "now":
        return int(now)
    ago = _AGO.fullmatch(value)
    if ago:
        return int(now - float(ago.group(1)) * _UNITS[ago.group(2).lower()])
    if value.isdigit():
        if len(value) >= 13:
            raise _bad(option, value, "looks like milliseconds: give seconds (drop 3 digits)")
        if int(value) < _EARLIEST:
            raise _bad(
                option,
                value,
                f"a bare number is a Unix timestamp in seconds; for a time back from now "
                f"add a unit ({value}m, {value}h, {value}d)",
            )
        return int(value)
    try:
        moment = datetime.fromisoformat(re.sub(r"[zZ]$", "+00:00", value))
    except ValueError:
        raise _bad(option, value, f"use {FORMS}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


def window(since: str, until: str, now: float) -> tuple[int, int]:
    """``(start, end)`` in Unix seconds; the start must not be after the end."""
    start = parse_time(since, now, "--since")
    end = parse_time(until, now, "--until")
    if start > end:
        raise typer.BadParameter(
            f"--since ({since}) is after --until ({until}): swap them.", param_hint="--since"
        )
    return start, end


def _bad(option: str, value: str, why: str) -> typer.BadParameter:
    return typer.BadParameter(f"{value!r} is not a time: {why}.", param_hint=option)

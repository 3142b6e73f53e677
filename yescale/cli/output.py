"""How values are shown: money, times, tables for people, JSON for programs."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Any

import typer
from rich import box
from rich.table import Table

from ..costs import credits_to_usd

__all__ = ["credits_usd", "print_json", "table", "usd", "utc"]


def usd(value: float | None) -> str:
    """``$17,328.80``, ``$0.50``, ``$0.000082`` (two significant digits below a cent), ``?``
    when unknown."""
    if value is None or not math.isfinite(value):
        return "?"
    if value == 0:
        return "$0"
    size = abs(value)
    if size >= 1:
        return f"${value:,.2f}"
    decimals = min(8, max(2, 1 - math.floor(math.log10(size))))
    whole, _, cents = f"{value:.{decimals}f}".partition(".")
    return f"${whole}.{cents.rstrip('0').ljust(2, '0')}"


def credits_usd(credits: float | None) -> float | None:
    """Credits (quota) in US dollars; 500,000 credits are one dollar."""
    return None if credits is None else credits_to_usd(credits)


def utc(timestamp: float | None) -> str:
    """``2025-10-27 14:51`` (UTC), or empty for nothing or a non-time (``-1``, ``0``)."""
    if timestamp is None or timestamp <= 0:
        return ""
    try:
        moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return str(timestamp)
    return moment.strftime("%Y-%m-%d %H:%M")


def table(*columns: str, right: tuple[str, ...] = (), whole: tuple[str, ...] = ()) -> Table:
    """A table with these column headers: ``right`` aligned right (figures), ``whole`` never
    wrapped (names and ids a reader copies; other columns wrap on a narrow terminal)."""
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False, header_style="bold", caption_justify="left")
    for name in columns:
        grid.add_column(
            name,
            justify="right" if name in right else "left",
            no_wrap=name in whole,
            overflow="fold",
        )
    return grid


def print_json(data: Any) -> None:
    """Machine output on stdout: indented JSON, no colour, nothing else."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))

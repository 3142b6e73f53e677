"""Estimates against the bill: what a :class:`~yescale.costs.CostTracker` estimated, next to the
credits the service's own logs (``GET /yescale/logs``) say it charged in the same time window.

``client.system.reconcile(tracker, start_timestamp=..., end_timestamp=...)`` fetches the logs and
builds the :class:`Reconciliation`; :func:`reconcile` does it for logs already fetched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import InvalidResponseError
from ..types.system import LogEntry
from .tracking import CostTracker, ModelTotals
from .units import credits_to_usd, format_usd

__all__ = [
    "CONSUMPTION",
    "LOG_PAGE_SIZE",
    "MAX_LOG_PAGES",
    "ModelReconciliation",
    "Reconciliation",
    "log_rows",
    "log_window",
    "reconcile",
]

#: The log type of a charged call (one-api's convention; the reference's example filter is 2).
CONSUMPTION = 2
#: Rows asked for per page, and the most pages read (a bound on time and memory).
LOG_PAGE_SIZE = 1000
MAX_LOG_PAGES = 200

_ROWS: TypeAdapter[list[LogEntry]] = TypeAdapter(list[LogEntry])


class _Error:
    """The estimate's error, for anything with ``estimated_usd`` and ``charged_usd``."""

    estimated_usd: float
    charged_usd: float

    @property
    def difference_usd(self) -> float:
        """Charged minus estimated: positive when the estimate was low."""
        return self.charged_usd - self.estimated_usd

    @property
    def relative_error(self) -> float | None:
        """``difference_usd / charged_usd``; ``None`` when nothing was charged."""
        return self.difference_usd / self.charged_usd if self.charged_usd else None


@dataclass(frozen=True)
class ModelReconciliation(_Error):
    """One model: estimated and charged US dollars, and the calls each side counted."""

    model: str
    estimated_usd: float = 0.0
    charged_usd: float = 0.0
    estimated_requests: int = 0
    logged_requests: int = 0
    #: calls the estimate could not price (not in ``estimated_usd``)
    unknown_requests: int = 0


@dataclass(frozen=True)
class Reconciliation(_Error):
    """Estimate against charges for ``start_timestamp``..``end_timestamp`` (Unix seconds).

    ``models`` holds the models the estimate counted; ``other_models`` what the logs charged for
    models it did not (other programs on the same account, or calls made outside the tracker).
    """

    start_timestamp: int
    end_timestamp: int
    models: dict[str, ModelReconciliation] = field(default_factory=dict)
    other_models: dict[str, ModelReconciliation] = field(default_factory=dict)

    @property
    def estimated_usd(self) -> float:  # type: ignore[override]
        return sum(m.estimated_usd for m in self.models.values())

    @property
    def charged_usd(self) -> float:  # type: ignore[override]
        return sum(m.charged_usd for m in self.models.values())

    def summary(self) -> str:
        lines = [f"{'model':<32} {'estimated':>14} {'charged':>14} {'calls':>11}"]
        for m in (*self.models.values(), *self.other_models.values()):
            calls = f"{m.estimated_requests}/{m.logged_requests}"
            estimated, charged = format_usd(m.estimated_usd), format_usd(m.charged_usd)
            lines.append(f"{m.model:<32} {estimated:>14} {charged:>14} {calls:>11}")
        error = self.relative_error
        shown = "n/a" if error is None else f"{error:+.1%}"
        lines.append(f"estimate error on the tracked models: {shown}")
        return "\n".join(lines)


def log_rows(answer: Any) -> list[LogEntry]:
    """The rows of a logs answer: a list, or a page object holding ``items`` / ``data``."""
    rows = answer
    if isinstance(answer, Mapping):
        rows = answer.get("items", answer.get("data", answer.get("logs")))
    if rows is None:
        return []
    if isinstance(rows, list) and all(isinstance(r, LogEntry) for r in rows):
        return rows
    try:
        return _ROWS.validate_python(rows)
    except ValidationError as exc:
        raise InvalidResponseError(
            f"The YEScale system API answered logs with rows of an unexpected shape "
            f"({exc.error_count()} problems, first: {exc.errors()[0]['msg']})."
        ) from None


def log_window(first: int, last: int, token_name: str | None, page: int) -> dict[str, Any]:
    """The filters of one page of charged calls in a window."""
    return {
        "type": CONSUMPTION,
        "start_timestamp": first,
        "end_timestamp": last,
        "token_name": token_name,
        "p": page,
        "page_size": LOG_PAGE_SIZE,
    }


def too_many_logs(first: int, last: int) -> InvalidResponseError:
    return InvalidResponseError(
        f"More than {MAX_LOG_PAGES * LOG_PAGE_SIZE} log rows between {first} and {last}: "
        "reconcile a shorter time window."
    )


def reconcile(
    estimate: CostTracker | Mapping[str, ModelTotals],
    logs: Iterable[LogEntry],
    start_timestamp: int,
    end_timestamp: int,
) -> Reconciliation:
    """Compare ``estimate`` (a tracker, or its ``by_model``) with charged log rows."""
    totals = estimate.by_model if isinstance(estimate, CostTracker) else dict(estimate)
    charged: dict[str, list[float]] = {}
    for row in logs:
        if row.type not in (None, CONSUMPTION) or not row.model_name or row.quota is None:
            continue
        if row.created_at is not None and not start_timestamp <= row.created_at <= end_timestamp:
            continue
        usd_calls = charged.setdefault(row.model_name, [0.0, 0])
        usd_calls[0] += credits_to_usd(row.quota)
        usd_calls[1] += 1
    models = {
        name: ModelReconciliation(
            name,
            t.usd,
            charged.get(name, [0.0, 0])[0],
            t.requests,
            int(charged.get(name, [0.0, 0])[1]),
            t.unknown,
        )
        for name, t in totals.items()
    }
    others = {
        name: ModelReconciliation(name, charged_usd=usd, logged_requests=int(calls))
        for name, (usd, calls) in charged.items()
        if name not in totals
    }
    return Reconciliation(start_timestamp, end_timestamp, models, others)

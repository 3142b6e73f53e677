"""YEScale Media task wire models (``POST /task/submit``, ``GET /task/{task_id}``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import Field

from .._json_values import json_problem
from ..errors import InvalidRequestError
from ._base import Priced, WireModel

#: Statuses the gateway uses. Anything else is treated as still running until the deadline.
RUNNING_STATUSES = frozenset({"NOT_START", "SUBMITTED", "QUEUED", "IN_PROGRESS", "UNKNOWN"})
SUCCESS_STATUSES = frozenset({"SUCCESS", "SUCCEEDED", "COMPLETED", "COMPLETE", "DONE"})
FAILURE_STATUSES = frozenset({"FAILURE", "FAILED", "ERROR", "CANCELLED", "CANCELED", "EXPIRED"})

#: The reference says result links are removed at ``url_expires_at`` "(GMT+7)".
URL_EXPIRY_TZ = timezone(timedelta(hours=7))


class MediaTaskRequest(WireModel):
    """The unified payload: ``{"model", "prompt", "config"}``, sent exactly as given."""

    model: str
    prompt: str
    config: dict[str, Any] = Field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        """The payload; a ``config`` value that is not JSON (a datetime, a NaN...) is refused
        here, naming it, before anything is sent."""
        problem = json_problem(self.config, "config")
        if problem:
            raise InvalidRequestError(f"Cannot send the media task: {problem}.")
        return super().to_wire()


class TaskResult(WireModel):
    url: str | None = None
    url_expires_at: str | None = None
    note: str | None = None

    @property
    def expires_at(self) -> datetime | None:
        """``url_expires_at`` as an aware datetime (the service gives GMT+7 wall time)."""
        if not self.url_expires_at:
            return None
        try:
            naive = datetime.strptime(self.url_expires_at, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return None
        return naive.replace(tzinfo=URL_EXPIRY_TZ)


class MediaTask(Priced, WireModel):
    """A media task as submitted or polled. ``result`` is set once ``status`` is ``SUCCESS``."""

    task_id: str
    status: str = "UNKNOWN"
    progress: str | None = None
    results: dict[str, Any] | None = None
    task_result: TaskResult | None = None
    fail_reason: str | None = None
    message: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    submit_time: int | None = None
    finish_time: int | None = None

    @property
    def state(self) -> str:
        """``"running"``, ``"succeeded"`` or ``"failed"``, whatever spelling the service used."""
        status = (self.status or "").upper()
        if status in SUCCESS_STATUSES:
            return "succeeded"
        if status in FAILURE_STATUSES:
            return "failed"
        return "running"

    @property
    def progress_percent(self) -> float | None:
        """``progress`` ("50%") as a number, when it is one."""
        if not self.progress:
            return None
        try:
            return float(self.progress.strip().rstrip("%"))
        except ValueError:
            return None

    @property
    def result(self) -> TaskResult | None:
        if self.task_result is not None:
            return self.task_result
        if self.results and self.results.get("url"):
            return TaskResult.model_validate(self.results)
        return None

    @property
    def url(self) -> str | None:
        result = self.result
        return result.url if result else None

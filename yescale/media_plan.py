"""The media fan-out's decisions, without I/O: what to submit, poll, download, and what an event
or an error means. :mod:`yescale.resources._fanout_run` performs them; :mod:`.media_manifest`
stores the events; :mod:`.media_fanout_types` holds the requests and the summary.

The whole policy:

* Requests: ``{model, prompt, config}``, each with a ``key`` (given, or a stable hash of the
  three). Keys are unique and file-name safe; a bad request is refused before anything is sent.
* Events: every change is an event (a dict) that the driver appends to the manifest *before*
  acting on it, and :meth:`FanOutPlan.apply` folds events into state; a resume replays the
  manifest through the same :meth:`~FanOutPlan.apply`, so the live run and the resume can never
  disagree. An ``intent`` precedes every submit; ``submitted`` carries the task id as soon as the
  submit answers.
* States of a key: ``new`` (to submit), ``unknown`` (an intent without an answer: the service may
  have accepted it), ``running`` (a task id, not finished), ``succeeded`` (to download),
  ``downloaded``, ``failed`` (the task failed: final, never resubmitted).
* A key with a task id is never submitted again. An ``unknown`` key is never submitted again
  either, unless recovered (its task found in the System API task list: :func:`match_tasks`) or
  the caller passes ``resubmit_unknown=True``.
* Submit errors (:func:`submit_verdict`): a missing, refused or exhausted key stops the run
  (``fatal``); a request that certainly never reached the service (connection refused, 408, 429)
  is submitted again next round (``retry``, at most ``MAX_SUBMIT_ROUNDS`` times in a run); another
  4xx refusal is ``rejected`` (not submitted; a resume tries again); anything else (a 5xx, a cut
  connection or a timeout after sending, an unreadable 2xx) is ``unknown``.
* Polls: every running task is polled once per round (one poller for all). Transient errors
  (retryable, or an unreadable answer of a task that exists) keep the task for the next round;
  a fatal error stops the run; any other error sets the key aside for this run (the task id stays
  in the manifest, a resume polls it again).
* Downloads: a succeeded task's file is downloaded at once (``<key><ext>`` in the output
  folder); a transient failure is retried next round (at most ``MAX_DOWNLOAD_ROUNDS``), another
  one sets the key aside; a resume polls such a task again (its link may have been renewed)
  and downloads what is missing from the folder.
* Time (:class:`Rounds`): submits go in steps of ``batch`` back to back; poll rounds are
  ``poll_interval`` apart, x1.5 each round up to ``max_poll_interval``, never shorter than the
  longest ``Retry-After`` of the round; the run stops at ``timeout`` with what is still running
  reported as ``running`` (a resume picks it up).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import (
    APIStatusError,
    AuthenticationError,
    InsufficientQuotaError,
    InvalidRequestError,
    InvalidResponseError,
    MissingCredentialsError,
    PermissionDeniedError,
    YEScaleError,
)
from .media_fanout_types import (
    FanOutSummary,
    MediaRequest,
    Outcome,
    State,
    file_name,
    make_requests,
    request_key,
)
from .media_rounds import Rounds

__all__ = [
    "FanOutPlan",
    "FanOutSummary",
    "MediaRequest",
    "Outcome",
    "Rounds",
    "file_name",
    "make_requests",
    "match_tasks",
    "poll_verdict",
    "request_key",
    "submit_verdict",
]

MANIFEST_VERSION = 1
MAX_SUBMIT_ROUNDS = 5
MAX_DOWNLOAD_ROUNDS = 3
#: errors that would fail every other request too: the run stops
FATAL = (
    AuthenticationError,
    PermissionDeniedError,
    InsufficientQuotaError,
    MissingCredentialsError,
)
Verdict = Literal["fatal", "retry", "rejected", "unknown"]


def submit_verdict(error: YEScaleError, retryable: bool) -> Verdict:
    """What a failed submit means for its key (see the module's docstring); ``retryable``: the
    client's retry policy would retry it (5xx, 409, 429, connection errors)."""
    if isinstance(error, FATAL):
        return "fatal"
    if error.request_unsent or error.status_code in (408, 429):
        return "retry"  # the service certainly did nothing with it
    if isinstance(error, InvalidRequestError):
        return "rejected"
    if isinstance(error, APIStatusError) and not retryable:
        return "rejected"  # a refusal: a 4xx, or an error object of that kind in a 2xx answer
    return "unknown"


def poll_verdict(error: YEScaleError, retryable: bool) -> Literal["fatal", "retry", "aside"]:
    if isinstance(error, FATAL):
        return "fatal"
    if retryable or isinstance(error, InvalidResponseError):
        return "retry"  # a poll is a GET: the task exists, poll it again next round
    return "aside"


@dataclass
class KeyState:
    """What the manifest says of one key."""

    request: MediaRequest
    state: State = "new"
    task_id: str | None = None
    url: str | None = None
    file: str | None = None
    error: str | None = None
    intent_time: float | None = None
    #: the download failed: poll the task again for its (maybe renewed) URL before the next try
    stale_url: bool = False
    #: task ids the key was submitted as (more than one only if something went badly wrong)
    task_ids: list[str] = field(default_factory=list)


class FanOutPlan:
    """The fan-out's state and decisions; the driver performs them and appends the events."""

    def __init__(self, requests: Sequence[MediaRequest] = ()) -> None:
        self.keys: dict[str, KeyState] = {}
        self.aside: dict[str, Literal["rejected", "not_submitted", "error"]] = {}
        self.submit_rounds: dict[str, int] = {}
        self.download_rounds: dict[str, int] = {}
        self.fatal: YEScaleError | None = None
        #: how many keys are in each state (kept as events are applied)
        self.counts: dict[str, int] = {}
        self.submitted = self.recovered = 0
        self._requests = list(requests)

    # -- events ---------------------------------------------------------------------------------

    def request_events(self, now: float) -> list[dict[str, Any]]:
        """``request`` events for the given requests the manifest does not hold yet; refuses a
        key the manifest holds with another payload."""
        events = []
        for request in self._requests:
            known = self.keys.get(request.key)
            if known is None:
                events.append(event("request", request.key, now, **request.payload()))
            elif known.request.payload() != request.payload():
                raise InvalidRequestError(
                    f"Key {request.key!r} is in the manifest with another model, prompt or "
                    "config: give this request another key, or use another manifest."
                )
        return events

    def apply(self, e: Mapping[str, Any]) -> None:
        """Fold one event into the state (the live run and a resume both come through here)."""
        key = e.get("key")
        if not isinstance(key, str):
            return
        known = self.keys.get(key)
        before = known.state if known is not None else None
        self._apply(e, key, known)
        after = self.keys[key].state if key in self.keys else None
        if before != after:
            if before is not None:
                self.counts[before] -= 1
            if after is not None:
                self.counts[after] = self.counts.get(after, 0) + 1

    def _apply(self, e: Mapping[str, Any], key: str, ks: KeyState | None) -> None:
        kind = e.get("event")
        if kind == "request":
            if ks is None:
                model, prompt, config = e.get("model"), e.get("prompt"), e.get("config")
                if not isinstance(model, str) or not isinstance(prompt, str):
                    raise _damaged(f"the request line of {key!r} has no model or prompt")
                request = MediaRequest(model, prompt, dict(config or {}), key)
                self.keys[key] = KeyState(request)
            return
        if ks is None:
            return  # an event of a key with no request line: a manifest from a newer version
        if kind == "intent":
            if ks.state in ("new", "unknown"):
                ks.state, ks.intent_time = "unknown", e.get("t")
        elif kind == "submitted":
            task_id = e.get("task_id")
            if not isinstance(task_id, str) or not task_id:
                raise _damaged(f"a 'submitted' line of {key!r} has no task id")
            if task_id not in ks.task_ids:
                ks.task_ids.append(task_id)
            if ks.task_id is None:
                ks.task_id, ks.state, ks.error = task_id, "running", None
        elif kind == "not_submitted" or kind == "resubmit":
            if ks.state == "unknown":
                ks.state = "new"
            ks.error = e.get("error", ks.error)
        elif kind == "succeeded" and ks.state in ("running", "succeeded"):
            ks.state, ks.url, ks.error, ks.stale_url = "succeeded", e.get("url"), None, False
        elif kind == "failed" and ks.state == "running":
            ks.state, ks.error = "failed", e.get("reason")
        elif kind == "downloaded" and ks.state in ("succeeded", "downloaded"):
            ks.state, ks.file, ks.error = "downloaded", e.get("file"), None
        elif kind in ("unknown", "poll_error", "download_failed"):
            ks.error = e.get("error")
            ks.stale_url = ks.stale_url or (kind == "download_failed" and ks.state == "succeeded")

    # -- what to do -----------------------------------------------------------------------------

    def _in(self, *states: State) -> list[KeyState]:
        return [
            k for k in self.keys.values() if k.state in states and k.request.key not in self.aside
        ]

    def to_submit(self) -> list[KeyState]:
        return [] if self.fatal else self._in("new")

    def unknown(self) -> list[KeyState]:
        return [k for k in self.keys.values() if k.state == "unknown"]

    def to_poll(self) -> list[KeyState]:
        """Running tasks, and succeeded ones whose download failed (for a fresh URL)."""
        found = self._in("running", "succeeded")
        return [] if self.fatal else [k for k in found if k.state == "running" or k.stale_url]

    def to_download(self) -> list[KeyState]:
        return [] if self.fatal else [k for k in self._in("succeeded") if not k.stale_url]

    def busy(self) -> bool:
        return bool(self.to_submit() or self.to_poll() or self.to_download())

    def missing_files(self, keys: Iterable[str]) -> None:
        """These downloaded keys' files are gone from the folder: download them again."""
        for key in list(keys):
            if self.keys[key].state == "downloaded":
                self.keys[key].state = "succeeded"
                self.counts["downloaded"] -= 1
                self.counts["succeeded"] = self.counts.get("succeeded", 0) + 1

    # -- outcomes of the driver's actions (each returns the event to append) --------------------

    def intent(self, key: str, now: float) -> dict[str, Any]:
        return event("intent", key, now)

    def resubmit(self, key: str, now: float) -> dict[str, Any]:
        """The caller allows an unknown key to be submitted again."""
        return event("resubmit", key, now)

    def submit_done(
        self, key: str, task_id: str, now: float, *, recovered: bool = False
    ) -> dict[str, Any]:
        if recovered:
            self.recovered += 1
            return event("submitted", key, now, task_id=task_id, recovered=True)
        self.submitted += 1
        return event("submitted", key, now, task_id=task_id)

    def submit_failed(
        self, key: str, error: YEScaleError, retryable: bool, text: str, now: float
    ) -> dict[str, Any]:
        verdict = submit_verdict(error, retryable)
        if verdict == "unknown":
            return event("unknown", key, now, error=text)
        if verdict == "fatal":
            self.fatal = self.fatal or error
        elif verdict == "rejected":
            self.aside[key] = "rejected"
        else:
            rounds = self.submit_rounds[key] = self.submit_rounds.get(key, 0) + 1
            if rounds >= MAX_SUBMIT_ROUNDS:
                self.aside[key] = "not_submitted"
        return event("not_submitted", key, now, error=text)

    def polled(
        self, key: str, status: str, state: str, url: str | None, reason: str | None, now: float
    ) -> dict[str, Any] | None:
        ks = self.keys[key]
        if state == "succeeded":
            if not url:
                self.aside[key] = "error"
                return event(
                    "poll_error",
                    key,
                    now,
                    task_id=ks.task_id,
                    error=f"status {status} but no result URL",
                )
            return event("succeeded", key, now, task_id=ks.task_id, url=url)
        if state == "failed":
            return event(
                "failed", key, now, task_id=ks.task_id, reason=reason or f"status {status}"
            )
        return None

    def poll_failed(
        self, key: str, error: YEScaleError, retryable: bool, text: str, now: float
    ) -> dict[str, Any] | None:
        verdict = poll_verdict(error, retryable)
        if verdict == "fatal":
            self.fatal = self.fatal or error
        elif verdict == "aside":
            self.aside[key] = "error"
            return event("poll_error", key, now, task_id=self.keys[key].task_id, error=text)
        return None

    def downloaded(self, key: str, path: Path, size: int, now: float) -> dict[str, Any]:
        return event(
            "downloaded", key, now, task_id=self.keys[key].task_id, file=path.name, bytes=size
        )

    def download_failed(
        self, key: str, error: YEScaleError, retryable: bool, text: str, now: float
    ) -> dict[str, Any] | None:
        if isinstance(error, FATAL):
            self.fatal = self.fatal or error
            return None
        rounds = self.download_rounds[key] = self.download_rounds.get(key, 0) + 1
        if retryable and rounds < MAX_DOWNLOAD_ROUNDS:
            return None
        self.aside[key] = "error"
        return event("download_failed", key, now, task_id=self.keys[key].task_id, error=text)

    # -- the end --------------------------------------------------------------------------------

    def summary(self, manifest: Path, output_dir: Path) -> FanOutSummary:
        outcomes = []
        for key, ks in self.keys.items():
            state: Any = ks.state
            if ks.state == "new":
                state = "rejected" if self.aside.get(key) == "rejected" else "not_submitted"
            path = output_dir / ks.file if ks.state == "downloaded" and ks.file else None
            error = None if ks.state == "downloaded" else ks.error
            outcomes.append(Outcome(key, state, ks.task_id, path, error))
        return FanOutSummary(manifest, output_dir, tuple(outcomes), self.submitted, self.recovered)


def _damaged(what: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"The manifest is damaged: {what}. Restore it from a copy, or start a new manifest."
    )


def event(kind: str, key: str, now: float, **fields: Any) -> dict[str, Any]:
    return {"v": MANIFEST_VERSION, "event": kind, "key": key, "t": round(now, 3), **fields}


# -- recovering a submit whose answer was lost -----------------------------------------------


def _strings(value: Any, depth: int = 0) -> Iterable[str]:
    if depth > 6:
        return
    if isinstance(value, str):
        yield value
        if value[:1] in "{[" and len(value) < 1_000_000:
            try:
                inner = json.loads(value)
            except ValueError:
                return
            yield from _strings(inner, depth + 1)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item, depth + 1)


def match_tasks(
    unknown: Sequence[MediaRequest], tasks: Sequence[Mapping[str, Any]], claimed: set[str]
) -> dict[str, str]:
    """Which listed task each unknown request is: a task whose fields hold the request's model
    and prompt (as exact strings, also inside JSON-encoded fields), not claimed by another key
    of the manifest. A request matching no task, or more than one, stays unknown: guessing
    could tie two requests to one task, or resubmit one that was accepted."""
    found: dict[str, str] = {}
    candidates: dict[str, list[str]] = {}
    for task in tasks:
        task_id = task.get("task_id")
        if not isinstance(task_id, str) or not task_id or task_id in claimed:
            continue
        strings = set(_strings(task))
        for request in unknown:
            if request.prompt in strings and request.model in strings:
                candidates.setdefault(request.key, []).append(task_id)
    taken = [t for ids in candidates.values() for t in ids]
    for key, ids in candidates.items():
        if len(ids) == 1 and taken.count(ids[0]) == 1:
            found[key] = ids[0]
    return found

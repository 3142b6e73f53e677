"""The media fan-out's requests and results: keys, file names, the summary a run returns.

A request is ``{model, prompt, config}`` with a ``key`` that names it in the manifest and names
its file: given, or a stable hash of the three (:func:`request_key`). :func:`make_requests`
refuses anything else before a request is sent.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ._json_values import json_problem
from .errors import InvalidRequestError

__all__ = [
    "FanOutProgress",
    "FanOutSummary",
    "MediaRequest",
    "Outcome",
    "State",
    "check_key",
    "file_name",
    "make_requests",
    "request_key",
]

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_EXT = re.compile(r"\.[A-Za-z0-9]{1,8}")

State = Literal["new", "unknown", "running", "succeeded", "downloaded", "failed"]


@dataclass(frozen=True)
class MediaRequest:
    """One media task to run: ``key`` names it in the manifest and names its file (when left
    empty, a stable hash of the model, prompt and config: the same request gets the same key in
    every run, which is what lets a rerun find it)."""

    model: str
    prompt: str
    config: dict[str, Any] = field(default_factory=dict)
    key: str = ""

    def payload(self) -> dict[str, Any]:
        return {"model": self.model, "prompt": self.prompt, "config": self.config}


def request_key(model: str, prompt: str, config: Mapping[str, Any] | None) -> str:
    """A stable key for a request: the first 20 hex digits of the SHA-256 of its canonical JSON."""
    canonical = json.dumps(
        {"model": model, "prompt": prompt, "config": dict(config or {})},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return "r" + hashlib.sha256(canonical.encode()).hexdigest()[:20]


def check_key(key: Any, where: str) -> str:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidRequestError(
            f"{where}: key {key!r:.60} is not usable: a key names the request's file, so it "
            "must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit."
        )
    return key


def make_requests(items: Iterable[MediaRequest | Mapping[str, Any]]) -> list[MediaRequest]:
    """The requests as :class:`MediaRequest` s with keys; refuses anything that is not a
    request, and duplicate keys (two identical requests have the same key: give them keys)."""
    if isinstance(items, (str, bytes, Mapping)):
        raise InvalidRequestError(
            "`requests` must be a list of requests ({'model', 'prompt', 'config', 'key'} dicts "
            "or MediaRequest objects), not a single one."
        )
    found: list[MediaRequest] = []
    where: dict[str, int] = {}
    for index, item in enumerate(items):
        here = f"request {index}"
        if isinstance(item, Mapping):
            unknown = set(item) - {"model", "prompt", "config", "key"}
            if unknown:
                raise InvalidRequestError(
                    f"{here} has unknown fields {sorted(unknown)}: a request holds 'model', "
                    "'prompt', 'config' (model parameters) and optionally 'key'."
                )
            model, prompt = item.get("model"), item.get("prompt")
            config, key = item.get("config"), item.get("key")
        elif isinstance(item, MediaRequest):
            model, prompt, config, key = item.model, item.prompt, item.config, item.key or None
        else:
            raise InvalidRequestError(
                f"{here} is a {type(item).__name__}: pass dicts with 'model' and 'prompt', "
                "or MediaRequest objects."
            )
        if not isinstance(model, str) or not isinstance(prompt, str):
            raise InvalidRequestError(f"{here} needs a 'model' and a 'prompt' (strings).")
        if config is not None and not isinstance(config, Mapping):
            raise InvalidRequestError(f"{here}: 'config' must be a dict of model parameters.")
        problem = json_problem(dict(config or {}), "config")
        if problem:  # it could be neither keyed nor written to the manifest, nor sent
            raise InvalidRequestError(f"{here}: {problem}.")
        key = check_key(key, here) if key is not None else request_key(model, prompt, config)
        if key in where:
            raise InvalidRequestError(
                f"requests {where[key]} and {index} have the same key {key!r} (identical "
                "requests get the same key): each request needs its own, give them distinct "
                "'key's."
            )
        where[key] = index
        found.append(MediaRequest(model, prompt, dict(config or {}), key))
    if not found:
        raise InvalidRequestError("`requests` is empty: nothing to submit.")
    return found


def file_name(key: str, url: str | None) -> str:
    """The file a key's result is saved as: the key, with the URL's extension when it has one."""
    tail = (url or "").split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
    ext = tail[tail.rfind(".") :] if "." in tail else ""
    return key + (ext.lower() if _EXT.fullmatch(ext) else "")


@dataclass(frozen=True)
class Outcome:
    """Where one request stands after a run."""

    key: str
    state: State | Literal["rejected", "not_submitted"]
    task_id: str | None
    path: Path | None
    error: str | None


@dataclass(frozen=True)
class FanOutSummary:
    """What a fan-out (or a resume) ended with: one :class:`Outcome` per request, in order."""

    manifest: Path
    output_dir: Path
    outcomes: tuple[Outcome, ...]
    #: submits sent (and answered) by this run, and tasks found again in the task list
    submitted: int = 0
    recovered: int = 0

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            counts[outcome.state] = counts.get(outcome.state, 0) + 1
        return counts

    @property
    def complete(self) -> bool:
        """Every request's file is downloaded."""
        return all(o.state == "downloaded" for o in self.outcomes)

    def where(self, *states: str) -> list[Outcome]:
        """The outcomes in any of ``states`` (``"downloaded"``, ``"failed"``, ``"unknown"``...)."""
        return [o for o in self.outcomes if o.state in states]

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {state}" for state, n in sorted(self.counts.items()))
        return f"{len(self.outcomes)} requests: {counts} (manifest {self.manifest})"


@dataclass(frozen=True)
class FanOutProgress:
    """What ``on_progress`` receives after each manifest event: the event, and the counts."""

    key: str
    event: str
    task_id: str | None
    counts: dict[str, int]
    total: int

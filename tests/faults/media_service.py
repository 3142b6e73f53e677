"""A fake YEScale media service as one fault-server step: tasks, polls, result files, task list.

``fault_server.script(FakeMedia())`` makes the fault server (conftest.py) answer like the media
service, whatever order concurrent requests arrive in: ``POST /task/submit`` creates a task,
``GET /task/{id}`` reports it (running for ``polls_to_finish`` polls, then ``SUCCESS`` with a
result URL on this server, or ``FAILURE`` when the prompt contains ``FAIL``), ``GET /files/...``
serves its file, ``GET /yescale/task`` lists every task with its model and prompt. It counts
submits per prompt, so a test can prove none was sent twice.

Faults: :meth:`FakeMedia.fault` answers the next ``times`` requests of a kind (``submit``,
``poll``, ``file``, ``tasks``) with any conftest step instead; with ``accept=True`` a submit is
accepted (the task exists, and is paid for) before the step answers: a lost answer.
``scripts/scale_media.py`` serves the 200-task scale proof with the same class.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

Handler = Any  # conftest.FaultHandler (not imported: scripts use this module without pytest)
Step = Callable[[Handler], None]


def content_for(prompt: str) -> bytes:
    """The bytes of the file a prompt's task produces (tests check every file against it)."""
    return b"FAKE-MEDIA\n" + hashlib.sha256(prompt.encode()).hexdigest().encode() + b"\n"


@dataclass
class Task:
    task_id: str
    model: str
    prompt: str
    config: dict[str, Any]
    created: int
    polls: int = 0


@dataclass
class Fault:
    kind: str
    step: Step
    times: int
    accept: bool


@dataclass
class FakeMedia:
    """The fake service's state; call it as a fault-server step."""

    polls_to_finish: int = 2
    submit_delay: float = 0.0
    tasks: dict[str, Task] = field(default_factory=dict)
    submits: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    answered: int = 0

    def fault(self, kind: str, step: Step, *, times: int = 1, accept: bool = False) -> None:
        with self.lock:
            self.faults.append(Fault(kind, step, times, accept))

    def _take_fault(self, kind: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.kind == kind and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def settle(self, within: float = 5.0) -> None:
        """Wait until every request that arrived has been answered (a client that was killed or
        cancelled does not wait for its answers; the service goes on and creates the task)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            with self.lock:
                if self.answered == sum(self.requests.values()):
                    return
            time.sleep(0.005)

    def __call__(self, h: Handler) -> None:
        try:
            self._answer(h)
        finally:
            with self.lock:
                self.answered += 1

    def _answer(self, h: Handler) -> None:
        path = urlsplit(h.path).path
        kind = (
            "submit"
            if h.command == "POST" and path == "/task/submit"
            else "tasks"
            if path == "/yescale/task"
            else "file"
            if path.startswith("/files/")
            else "poll"
            if path.startswith("/task/")
            else "other"
        )
        with self.lock:
            self.requests[kind] += 1
        fault = self._take_fault(kind)
        if kind == "submit":
            if self.submit_delay:
                time.sleep(self.submit_delay)
            if fault is None or fault.accept:
                task = self._create(h)
                if task is None:  # a body cut short (its client was killed): nothing created
                    return _json(h, 400, {"error": {"message": "incomplete request body"}})
                if fault is None:
                    return _json(h, 202, self._view(task, h))
            assert fault is not None
            return fault.step(h)
        if fault is not None:
            return fault.step(h)
        if kind == "poll":
            return self._poll(h, path.rsplit("/", 1)[-1])
        if kind == "file":
            return self._file(h, path.rsplit("/", 1)[-1])
        if kind == "tasks":
            return self._list(h)
        _json(h, 404, {"error": {"message": f"no route {path}", "type": "invalid_request"}})

    # -- endpoints ----------------------------------------------------------------------------

    def _create(self, h: Handler) -> Task | None:
        try:
            body = json.loads(h.seen.body)
        except ValueError:
            return None
        with self.lock:
            self.submits[body["prompt"]] += 1
            task_id = f"task-{len(self.tasks) + 1:04d}"
            task = Task(
                task_id, body["model"], body["prompt"], body.get("config") or {}, int(time.time())
            )
            self.tasks[task_id] = task
        return task

    def _view(self, task: Task, h: Handler) -> dict[str, Any]:
        if task.polls == 0:
            return {"task_id": task.task_id, "status": "SUBMITTED", "progress": "0%"}
        if task.polls <= self.polls_to_finish:
            return {"task_id": task.task_id, "status": "IN_PROGRESS", "progress": "50%"}
        if "FAIL" in task.prompt:
            return {"task_id": task.task_id, "status": "FAILURE", "fail_reason": "content policy"}
        host = h.headers.get("Host")
        return {
            "task_id": task.task_id,
            "status": "SUCCESS",
            "progress": "100%",
            "task_result": {"url": f"http://{host}/files/{task.task_id}.mp4"},
        }

    def _poll(self, h: Handler, task_id: str) -> None:
        with self.lock:
            task = self.tasks.get(task_id)
            if task is not None:
                task.polls += 1
        if task is None:
            return _json(h, 404, {"error": {"message": f"task {task_id} not found"}})
        _json(h, 200, self._view(task, h))

    def _file(self, h: Handler, name: str) -> None:
        task = self.tasks.get(name.split(".", 1)[0])
        if task is None:
            return _json(h, 404, {"error": {"message": "no such file"}})
        body = content_for(task.prompt)
        h.send_response(200)
        h.send_header("Content-Type", "video/mp4")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _list(self, h: Handler) -> None:
        query = parse_qs(urlsplit(h.path).query)
        start = int(query.get("start_timestamp", ["0"])[0])
        end = int(query.get("end_timestamp", ["0"])[0])
        with self.lock:
            rows = [
                {
                    "id": n,
                    "task_id": t.task_id,
                    "platform": "yescale-media",
                    "submit_time": t.created,
                    "properties": json.dumps({"model": t.model, "prompt": t.prompt}),
                }
                for n, t in enumerate(self.tasks.values(), start=1)
                if start <= t.created <= end
            ]
        _json(h, 200, {"success": True, "data": rows})


def _json(h: Handler, status: int, data: Any) -> None:
    body = json.dumps(data).encode()
    h.send_response(status)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)
    h.wfile.flush()

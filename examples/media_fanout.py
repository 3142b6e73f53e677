"""Media fan-out: many media tasks, one poller, a manifest; resume without paying twice.

python examples/media_fanout.py                        # offline: a fake media service in memory
YESCALE_API_KEY=... python examples/media_fanout.py    # live: 3 small gpt-image tasks (paid)

Every step is written to a JSONL manifest before it happens; a second run with the same
manifest (or ``client.media.resume``) submits nothing again and downloads only what is missing.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

with _offline.exit_if_missing(__name__):
    import httpx

    from yescale import FanOutSummary, YEScaleClient

REQUESTS = [
    {"model": "gpt-image", "prompt": f"A {animal} in a tiny spacesuit", "key": animal,
     "config": {"size": "1024x1024", "quality": "low"}}
    for animal in ("cat", "otter", "heron")
]  # fmt: skip


def offline_client() -> YEScaleClient:
    """A client whose requests an in-memory fake of the media service answers."""
    tasks: dict[str, int] = {}  # task id -> polls so far

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/task/submit":
            task_id = f"task-{len(tasks) + 1}"
            tasks[task_id] = 0
            return httpx.Response(202, json={"task_id": task_id, "status": "SUBMITTED"})
        if path.startswith("/task/"):
            task_id = path.rsplit("/", 1)[-1]
            tasks[task_id] += 1
            if tasks[task_id] < 2:
                return httpx.Response(200, json={"task_id": task_id, "status": "IN_PROGRESS"})
            url = f"https://cdn.example.com/{task_id}.png"
            done = {"task_id": task_id, "status": "SUCCESS", "task_result": {"url": url}}
            return httpx.Response(200, json=done)
        return httpx.Response(200, content=b"\x89PNG fake " + path.encode())

    mock = httpx.MockTransport(answer)
    return YEScaleClient(
        api_key="offline-example-key",
        base_url="https://api.example.com",
        http_client=httpx.Client(transport=mock),
        async_http_client=httpx.AsyncClient(transport=mock),
    )


def run(client: YEScaleClient, folder: Path, poll_interval: float = 5.0) -> dict[str, Any]:
    """The demo: fan out, lose a file, resume; returns what it showed for the test suite."""
    manifest, out = folder / "manifest.jsonl", folder / "out"

    def show(update: Any) -> None:
        if update.event in ("submitted", "downloaded"):
            print(f"  {update.key:<6} {update.event:<10} {update.task_id}")

    first = client.media.fan_out(
        REQUESTS, manifest=manifest, output_dir=out, max_concurrency=3,
        poll_interval=poll_interval, on_progress=show,
    )  # fmt: skip
    print(f"fan_out -> {first}")

    (out / "otter.png").unlink()  # lost: the resume downloads it again, submitting nothing
    second = client.media.resume(manifest, output_dir=out, poll_interval=poll_interval)
    print(f"resume  -> {second} ({second.submitted} submitted)")

    events = [json.loads(line)["event"] for line in manifest.read_text().splitlines()]
    print(f"manifest: {len(events)} events, e.g. {events[:5]}")
    return {"first": first, "second": second, "files": sorted(p.name for p in out.iterdir())}


def main() -> FanOutSummary:
    live = bool(os.environ.get("YESCALE_API_KEY"))
    print(_offline.live_banner() if live else "Offline: a fake media service in memory.")
    with tempfile.TemporaryDirectory() as tmp:
        if live:
            with YEScaleClient() as client:
                shown = run(client, Path(tmp))
        else:
            with offline_client() as client:
                shown = run(client, Path(tmp), poll_interval=0.01)
        summary: FanOutSummary = shown["second"]
        return summary


if __name__ == "__main__":
    main()

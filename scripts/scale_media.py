"""Scale proof (issue 20): 200 media tasks, the process SIGKILLed half way, resumed; nothing lost.

1. Serves a fake media service on 127.0.0.1 in this process (the fault server of
   tests/faults/conftest.py with tests/faults/media_service.FakeMedia as its only step): it
   counts submits per prompt, serves each task's file, and lists tasks (System API).
2. Runs ``client.media.fan_out`` of 200 requests in a child process, watches its manifest, and
   SIGKILLs the child once about 100 ``submitted`` lines are there (submits in flight at that
   moment are accepted by the service but unanswered: the resume must recover them from the
   task list, not submit them again).
3. Resumes from the manifest in a new child process.
4. Checks: 200 distinct prompts submitted exactly once each, 200 tasks, 200 files in the output
   folder with the right content, and a manifest without the key. Exit 1 otherwise.

Run: ``.venv/bin/python scripts/scale_media.py`` (``make scale`` runs it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.conftest import FaultHandler, FaultHTTPServer, FaultServer, Script  # noqa: E402
from tests.faults.media_service import FakeMedia, content_for  # noqa: E402

TASKS = 200
KILL_AFTER = 100
API_KEY = "sk-scalemediakey0123456789"
ACCESS_KEY = "ak-scalemediaaccess0123456789"

CHILD = """
import json, sys
from yescale import YEScaleClient
mode, url, manifest, out, total, api_key, access_key = sys.argv[1:8]
requests = [{"model": "sora-2", "prompt": f"scale clip {i:03d}", "key": f"clip-{i:03d}"}
            for i in range(int(total))]
with YEScaleClient(api_key=api_key, access_key=access_key, base_url=url, system_base_url=url,
                   max_retries=2) as client:
    options = dict(output_dir=out, max_concurrency=4, poll_interval=0.05,
                   max_poll_interval=0.2, timeout=120)
    if mode == "run":
        summary = client.media.fan_out(requests, manifest=manifest, **options)
    else:
        summary = client.media.resume(manifest, resubmit_unknown=mode == "resubmit", **options)
print(json.dumps({"counts": summary.counts, "submitted": summary.submitted,
                  "recovered": summary.recovered,
                  "unknown": [o.key for o in summary.where("unknown")]}))
"""


def child(mode: str, url: str, manifest: Path, out: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YESCALE_")}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            mode,
            url,
            str(manifest),
            str(out),
            str(TASKS),
            API_KEY,
            ACCESS_KEY,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], problems: list[str]) -> dict[str, Any]:
    stdout, stderr = process.communicate(timeout=300)
    if process.returncode != 0:
        problems.append(f"a resume failed (code {process.returncode}): {stderr[-3000:]}")
    return json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else {}


def submitted_lines(manifest: Path) -> int:
    try:
        data = manifest.read_bytes()
    except FileNotFoundError:
        return 0
    return data.count(b'"event":"submitted"')


def main() -> int:
    server = FaultHTTPServer(("127.0.0.1", 0), FaultHandler)
    server.script = Script()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.daemon = True
    thread.start()
    fake = FakeMedia(polls_to_finish=2, submit_delay=0.02)
    FaultServer(server).script(fake)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    problems: list[str] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="scale-media-") as tmp:
        manifest, out = Path(tmp) / "manifest.jsonl", Path(tmp) / "out"

        first = child("run", url, manifest, out)
        while first.poll() is None and submitted_lines(manifest) < KILL_AFTER:
            time.sleep(0.005)
        killed_at = submitted_lines(manifest)
        polled_before = fake.requests["poll"]
        if first.poll() is None:
            first.send_signal(signal.SIGKILL)
            first.wait()
        else:
            problems.append(
                f"the first run ended on its own (code {first.returncode}) before "
                f"the kill: {first.stderr.read()[-2000:] if first.stderr else ''}"
            )
        fake.settle()  # the service finishes the submits the dead process left in flight
        submits_before = sum(fake.submits.values())
        files_before = len(list(out.glob("*.mp4"))) if out.exists() else 0

        resumed = finish(child("resume", url, manifest, out), problems)
        unknown = resumed.get("unknown") or []
        if unknown:
            # Intents the dead process wrote but never sent: nothing proves they were not
            # accepted, so the resume left them to the caller. Check the service's own count
            # (a person would check the dashboard), then resubmit them explicitly.
            seen = [k for k in unknown if fake.submits[f"scale clip {k[5:]}"]]
            if seen:
                problems.append(f"{len(seen)} accepted submits were not recovered: {seen[:5]}")
            else:
                print(
                    f"scale_media: {len(unknown)} intents never reached the service: "
                    "resubmitting them as the caller (resubmit_unknown=True)"
                )
                finish(child("resubmit", url, manifest, out), problems)

        prompts = [f"scale clip {i:03d}" for i in range(TASKS)]
        twice = {p: n for p, n in fake.submits.items() if n > 1}
        never = [p for p in prompts if fake.submits[p] == 0]
        if twice:
            problems.append(f"{len(twice)} requests submitted more than once: {sorted(twice)[:5]}")
        if never:
            problems.append(f"{len(never)} requests never submitted: {never[:5]}")
        if len(fake.tasks) != TASKS:
            problems.append(f"{len(fake.tasks)} tasks created, expected {TASKS}")
        wrong = []
        for i, prompt in enumerate(prompts):
            path = out / f"clip-{i:03d}.mp4"
            if not path.is_file() or path.read_bytes() != content_for(prompt):
                wrong.append(path.name)
        if wrong:
            problems.append(f"{len(wrong)} files missing or wrong: {wrong[:5]}")
        leftovers = [p.name for p in out.iterdir() if not p.name.endswith(".mp4")]
        if leftovers:
            problems.append(f"temporary files left in the output folder: {leftovers[:5]}")
        text = manifest.read_text()
        if API_KEY in text or ACCESS_KEY in text:
            problems.append("a key is in the manifest")
        elapsed = time.monotonic() - started

    server.shutdown()
    server.server_close()
    print(
        f"scale_media: {TASKS} tasks; first run SIGKILLed with {killed_at} submits in the "
        f"manifest ({submits_before} accepted by the service, {polled_before} polls, "
        f"{files_before} files); resume: "
        f"{resumed.get('submitted')} submitted, {resumed.get('recovered')} recovered from the "
        f"task list, {resumed.get('counts')}; service saw {sum(fake.submits.values())} submits "
        f"for {len(fake.submits)} prompts (max {max(fake.submits.values(), default=0)} each), "
        f"{fake.requests['poll']} polls, {fake.requests['file']} file downloads; {elapsed:.1f}s"
    )
    for problem in problems:
        print(f"FAIL: {problem}")
    print("OK: no task lost, none submitted twice, every file downloaded" if not problems else "")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

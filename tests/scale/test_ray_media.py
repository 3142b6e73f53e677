"""The media fan-out inside Ray tasks (docs/scale.md, "Many media tasks on Ray").

Each Ray task runs ``client.media.fan_out`` on its own shard with its own manifest, against the
fake media service of the fault tests (tests/faults/media_service.py) on 127.0.0.1. One task's
worker process dies (``os._exit``) after its first submits; Ray retries the task, and the retry,
given the same manifest, resumes it: the service sees every request submitted once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray")

from tests.faults.conftest import (  # noqa: E402
    FaultHandler,
    FaultHTTPServer,
    FaultServer,
    Script,
)
from tests.faults.media_service import FakeMedia, content_for  # noqa: E402
from yescale.ray_local import local_ray  # noqa: E402

pytestmark = [pytest.mark.ray, pytest.mark.xdist_group("ray")]

API_KEY = "sk-raymediakey0123456789abcdef"
ACCESS_KEY = "ak-raymediaaccess0123456789"
SHARDS = 2
PER_SHARD = 6
DIE_AFTER = 2  # submits the dying worker gets answered before it dies


@pytest.fixture(scope="module")
def local() -> Iterator[Any]:
    with local_ray() as context:
        yield context


@pytest.fixture
def media() -> Iterator[tuple[str, FakeMedia]]:
    server = FaultHTTPServer(("127.0.0.1", 0), FaultHandler)
    server.script = Script()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.daemon = True
    thread.start()
    fake = FakeMedia(polls_to_finish=2)
    FaultServer(server).script(fake)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", fake
    finally:
        server.shutdown()
        server.server_close()


def _prompt(shard: int, i: int) -> str:
    return f"ray clip {shard}-{i}"


def test_fan_out_shards_in_ray_tasks_survive_a_dead_worker(
    local: Any, media: tuple[str, FakeMedia], tmp_path: Path
) -> None:
    url, fake = media
    died = tmp_path / "died"  # the first attempt of shard 0 dies once; its retry must not

    # Defined here so that Ray ships it by value (a test module is not importable by workers).
    @ray.remote(max_retries=2)
    def shard_task(shard: int, resubmit_unknown: bool = False) -> dict[str, Any]:
        from yescale import YEScaleClient

        requests = [
            {"model": "sora-2", "prompt": _prompt(shard, i), "key": f"clip-{shard}-{i}"}
            for i in range(PER_SHARD)
        ]

        def progress(event: Any) -> None:
            answered = event.counts.get("running", 0) + event.counts.get("succeeded", 0)
            if shard == 0 and not died.exists() and answered >= DIE_AFTER:
                died.write_text(str(os.getpid()))
                os._exit(1)  # the worker process dies: Ray retries the task elsewhere

        with YEScaleClient(
            api_key=API_KEY,
            access_key=ACCESS_KEY,
            base_url=url,
            system_base_url=url,
            max_retries=2,
        ) as client:
            summary = client.media.fan_out(
                requests,
                manifest=tmp_path / f"shard-{shard}.jsonl",
                output_dir=tmp_path / "out",
                max_concurrency=2,
                poll_interval=0.05,
                max_poll_interval=0.2,
                timeout=60,
                resubmit_unknown=resubmit_unknown,
                on_progress=progress,
            )
        return {
            "counts": summary.counts,
            "unknown": [o.key for o in summary.where("unknown")],
            "pid": os.getpid(),
        }

    results = ray.get([shard_task.remote(shard) for shard in range(SHARDS)], timeout=180)
    assert died.exists(), "the worker of shard 0 should have died once"
    assert results[0]["pid"] != int(died.read_text())  # shard 0 finished in another process
    fake.settle()
    for shard, result in enumerate(results):
        # an intent the dead worker wrote but never sent is left to the caller (it cannot be
        # told apart from one the service accepted without answering, unless the task list
        # shows it): prove none of those reached the service, then resubmit them on purpose
        for key in result["unknown"]:
            assert fake.submits[_prompt(shard, int(key.rsplit("-", 1)[1]))] == 0, key
        if result["unknown"]:
            result.update(ray.get(shard_task.remote(shard, True), timeout=120))
        assert result["counts"] == {"downloaded": PER_SHARD}, result

    prompts = [_prompt(s, i) for s in range(SHARDS) for i in range(PER_SHARD)]
    assert {p: fake.submits[p] for p in prompts} == dict.fromkeys(prompts, 1)  # once each
    assert len(fake.tasks) == SHARDS * PER_SHARD
    for shard in range(SHARDS):
        for i in range(PER_SHARD):
            path = tmp_path / "out" / f"clip-{shard}-{i}.mp4"
            assert path.read_bytes() == content_for(_prompt(shard, i))
        manifest = (tmp_path / f"shard-{shard}.jsonl").read_text()
        assert API_KEY not in manifest
        assert ACCESS_KEY not in manifest

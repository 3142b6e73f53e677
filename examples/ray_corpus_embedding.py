"""Embedding a Parquet corpus on Ray Data: an actor pool within the key's rate budget, vectors
written to Parquet part by part, a crash, and a resume that embeds only what was missing.

python examples/ray_corpus_embedding.py       # offline: a local fake service, 20,000 passages
YESCALE_API_KEY=... python examples/ray_corpus_embedding.py --corpus corpus/ --output vectors/

Offline, the demo builds a synthetic corpus, runs the job in a child process that crashes
(SIGKILL of its whole process group) after a few parts, runs it again, and compares the vectors
with a single-process run. Live, it embeds your corpus (an ``id`` and a ``text`` column) into
``--output``; run the same command again after a crash to resume. Ray runs on this machine, bound
to 127.0.0.1 (``yescale.ray_local``); the recipe is in docs/scale.md. Needs the ``[ray]`` extra.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

ROOT = Path(__file__).resolve().parent.parent

with _offline.exit_if_missing(__name__, module="ray"):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from yescale import YEScaleClient, embedding_batches
    from yescale.ray_corpus import CorpusReport, embed_corpus, read_vectors
    from yescale.ray_local import start_local_ray

MODEL = "text-embedding-3-small"
CHUNK = 100
ACTORS = 2
#: the key's budget; each actor gets 1/ACTORS of it
REQUESTS_PER_MINUTE = 3000
TOKENS_PER_MINUTE = 1_000_000


def job(corpus: str, output: str, crash_after: int | None = None) -> CorpusReport:
    """The Ray job (key and base URL from the environment). ``crash_after``: SIGKILL this
    process group once that many parts are written, to show a resume."""
    start_local_ray()
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        print(
            f"  {done}/{total} passages embedded ({time.monotonic() - started:.0f} s)", flush=True
        )
        if crash_after is not None and done >= crash_after * CHUNK:
            print("  crash: SIGKILL", flush=True)
            _crash()

    return embed_corpus(
        corpus,
        output,
        model=MODEL,
        actors=ACTORS,
        chunk_size=CHUNK,
        requests_per_minute=REQUESTS_PER_MINUTE,
        tokens_per_minute=TOKENS_PER_MINUTE,
        rows_per_block=1000,
        log_parts=False,
        on_progress=progress,
        encoding_format="base64",
    )


def _crash() -> None:
    """SIGKILL every process below this one (Ray's GCS, raylet, actors), then this process
    group: nothing gets to finish its work."""
    sys.path.insert(0, str(ROOT))
    from tests.scale.sockets import descendants

    for pid in descendants(os.getpid()) - {os.getpid()}:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    os.killpg(0, signal.SIGKILL)


def synthetic_corpus(folder: Path, passages: int) -> list[str]:
    """``passages`` passages in 4 Parquet files (ids ``p000000``...); their texts."""
    texts = [f"passage {i}: about topic {i % 97} in section {i // 97}" for i in range(passages)]
    folder.mkdir(parents=True, exist_ok=True)
    step = -(-passages // 4)
    for n, start in enumerate(range(0, passages, step)):
        part = range(start, min(start + step, passages))
        table = pa.table({"id": [f"p{i:06d}" for i in part], "text": [texts[i] for i in part]})
        pq.write_table(table, folder / f"corpus-{n}.parquet")
    return texts


def _child(corpus: Path, output: Path, env: dict[str, str], crash_after: int | None) -> int:
    command = [sys.executable, __file__, "--corpus", str(corpus), "--output", str(output)]
    if crash_after is not None:
        command += ["--crash-after", str(crash_after)]
    return subprocess.run(command, env=env, start_new_session=True, check=False).returncode


def demo(passages: int = 20_000, crash_after: int = 50) -> dict[str, Any]:
    """Offline: crash, resume, compare with a single-process run; returns what it showed."""
    sys.path.insert(0, str(ROOT))
    from tests.scale.fake_embeddings import API_KEY, running

    work = Path(tempfile.mkdtemp(prefix="ray-corpus-"))
    corpus, output = work / "corpus", work / "vectors"
    texts = synthetic_corpus(corpus, passages)
    with running() as service:
        env = {**os.environ, "YESCALE_API_KEY": API_KEY, "YESCALE_BASE_URL": service.url}
        print(f"1. the job, crashing after {crash_after} parts")
        crashed = _child(corpus, output, env, crash_after)
        written_before = read_vectors(output).num_rows
        sent_before = sum(service.counts.values())
        print(f"   exit status {crashed}; {written_before} passages written, {sent_before} sent")
        service.counts.clear()
        print("2. the same command again: it resumes")
        resumed = _child(corpus, output, env, None)
        sent_again = sum(service.counts.values())
        twice = sum(1 for n in service.counts.values() if n > 1)
        print("3. a single-process run (no Ray), for comparison")
        with YEScaleClient(api_key=API_KEY, base_url=service.url) as client:
            single = embedding_batches.embed(
                client.embeddings, texts, model=MODEL, chunk_size=CHUNK, encoding_format="base64"
            )
    table = read_vectors(output)
    shutil.rmtree(work, ignore_errors=True)
    ids = table["id"].to_pylist()
    got = dict(zip(ids, table["vector"].to_pylist(), strict=True))
    reference = pa.array(single, type=pa.list_(pa.float32())).to_pylist()
    identical = all(got.get(f"p{i:06d}") == v for i, v in enumerate(reference))
    shown = {
        "crashed": crashed != 0,
        "resumed": resumed == 0,
        "written_before": written_before,
        "sent_after_resume": sent_again,
        "sent_twice_after_resume": twice,
        "vectors": len(ids),
        "unique": len(set(ids)),
        "identical": identical,
    }
    print(
        f"   {len(ids)} vectors for {passages} passages ({len(set(ids))} distinct ids); "
        f"after the resume {sent_again} passages sent, {twice} of them twice; identical to the "
        f"single-process run: {identical}"
    )
    return shown


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", help="Parquet file or folder (id, text)")
    parser.add_argument("--output", help="folder for the vector parts")
    parser.add_argument("--crash-after", type=int, help="crash after this many parts (demo)")
    parser.add_argument("--passages", type=int, default=20_000, help="offline demo's size")
    args = parser.parse_args()
    if args.corpus:
        if not args.output:
            parser.error("--output is needed with --corpus")
        print(job(args.corpus, args.output, args.crash_after))
        return 0
    if os.environ.get("YESCALE_API_KEY"):
        parser.error("live: pass --corpus and --output (the offline demo needs no key)")
    print("YESCALE_API_KEY is not set: running OFFLINE against a local fake service.\n")
    shown = demo(args.passages)
    ok = shown["identical"] and shown["vectors"] == shown["unique"] == args.passages
    return 0 if ok and not shown["sent_twice_after_resume"] else 1


if __name__ == "__main__":
    sys.exit(main())

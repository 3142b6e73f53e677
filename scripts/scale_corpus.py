"""The corpus proof of ``make scale``: 20,000 passages embedded on Ray, killed mid-run, resumed.

1. Builds a synthetic Parquet corpus (20 files) in a temporary folder.
2. Computes the reference vectors in this process, without Ray (plain client, one process).
3. Runs the Ray job (``yescale.ray_corpus.embed_corpus``) in a child process, on a local Ray
   instance bound to 127.0.0.1, against a local fake service, and SIGKILLs the child's whole
   process group once some parts are written.
4. Reruns the job to completion.
5. Checks: every passage has exactly one vector; the vectors are those of the reference; no
   passage written before the crash was sent to the service after it, and none was sent twice
   after it. Exit status 1 when anything is lost, duplicated or different.

Usage: ``python scripts/scale_corpus.py [--passages N] [--keep]``. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.scale.fake_embeddings import API_KEY, MODEL, running  # noqa: E402
from tests.scale.sockets import descendants  # noqa: E402
from yescale import YEScaleClient, embedding_batches  # noqa: E402

FILES = 20
CHUNK = 100
ACTORS = 2
#: the key's budget, shared by the actors (each takes half)
REQUESTS_PER_MINUTE = 6000
WORDS = [
    "ray",
    "data",
    "parquet",
    "vector",
    "passage",
    "corpus",
    "token",
    "budget",
    "actor",
    "shard",
]


def build_corpus(folder: Path, passages: int) -> tuple[list[str], list[str]]:
    """``passages`` synthetic passages in ``FILES`` Parquet files; their ids and texts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(20)
    ids = [f"p{i:06d}" for i in range(passages)]
    texts = [
        f"passage {i}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
        for i in range(passages)
    ]
    folder.mkdir(parents=True)
    per_file = -(-passages // FILES)
    for n, start in enumerate(range(0, passages, per_file)):
        table = pa.table(
            {"id": ids[start : start + per_file], "text": texts[start : start + per_file]}
        )
        pq.write_table(table, folder / f"corpus-{n:02d}.parquet")
    return ids, texts


def reference(url: str, texts: list[str]) -> list[list[float]]:
    """The single-process vectors: the plain client, no Ray."""
    with YEScaleClient(api_key=API_KEY, base_url=url) as client:
        return embedding_batches.embed(
            client.embeddings, texts, model=MODEL, chunk_size=CHUNK, encoding_format="base64"
        )


def job(corpus: str, output: str, url: str) -> None:
    """The child: the Ray job, key from the environment."""
    from yescale.ray_corpus import embed_corpus
    from yescale.ray_local import start_local_ray

    start_local_ray(2)
    report = embed_corpus(
        corpus,
        output,
        model=MODEL,
        base_url=url,
        actors=ACTORS,
        chunk_size=CHUNK,
        requests_per_minute=REQUESTS_PER_MINUTE,
        rows_per_block=1000,
        log_parts=False,
        encoding_format="base64",
    )
    print(f"job: {report}", flush=True)


def start_job(corpus: Path, output: Path, url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "YESCALE_API_KEY": API_KEY}
    command = [sys.executable, __file__, "--job", str(corpus), str(output), url]
    return subprocess.Popen(command, env=env, start_new_session=True)


def kill_tree(child: subprocess.Popen[bytes]) -> None:
    """SIGKILL the child, its process group and every process below it (Ray's included)."""
    tree = descendants(child.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    for pid in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    child.wait()


def written(output: Path) -> int:
    return len(list(output.glob("part-*.parquet")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--job", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        job(*args.job)
        return 0

    import pyarrow as pa

    from yescale.ray_corpus import read_vectors

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="scale-corpus-"))
    corpus, output = work / "corpus", work / "vectors"
    ids, texts = build_corpus(corpus, args.passages)
    failures: list[str] = []
    with running() as service:
        expected = reference(service.url, texts)
        reference_requests = service.requests
        service.counts.clear()
        service.requests = 0
        print(f"reference: {len(expected)} vectors, {reference_requests} requests, no Ray")

        parts = args.passages // CHUNK
        kill_at = max(1, parts // 3)
        child = start_job(corpus, output, service.url)
        while written(output) < kill_at and child.poll() is None:
            time.sleep(0.05)
        if child.poll() is not None:
            failures.append(f"the first run ended (status {child.returncode}) before the crash")
        kill_tree(child)
        from yescale.ray_corpus import done_ids

        before = set(done_ids(output).to_pylist())
        sent_before = dict(service.counts)
        requests_before = service.requests
        print(
            f"crash: SIGKILL after {written(output)} parts ({len(before)} passages written, "
            f"{len(sent_before)} sent, {requests_before} requests)"
        )
        service.counts.clear()
        service.requests = 0
        child = start_job(corpus, output, service.url)
        if child.wait() != 0:
            failures.append(f"the resumed run failed with status {child.returncode}")
        sent_after = dict(service.counts)
        requests_after = service.requests

    table = read_vectors(output) if output.exists() else pa.table({"id": [], "vector": []})
    got_ids = table["id"].to_pylist()
    by_id = dict(zip(got_ids, table["vector"].to_pylist(), strict=True))
    text_of = dict(zip(ids, texts, strict=True))
    duplicates = len(got_ids) - len(set(got_ids))
    missing = len(set(ids) - set(got_ids))
    as_float32 = pa.array(expected, type=pa.list_(pa.float32())).to_pylist()
    different = sum(1 for i, vector in zip(ids, as_float32, strict=True) if by_id.get(i) != vector)
    resent = [t for t in sent_after if t in {text_of[i] for i in before}]
    twice_after = [t for t, n in sent_after.items() if n > 1]
    lost_in_flight = len(set(sent_before) - {text_of[i] for i in before})
    if duplicates:
        failures.append(f"{duplicates} passages have more than one vector")
    if missing:
        failures.append(f"{missing} passages have no vector")
    if different:
        failures.append(f"{different} vectors differ from the single-process run")
    if resent:
        failures.append(f"{len(resent)} passages written before the crash were sent again")
    if twice_after:
        failures.append(f"{len(twice_after)} passages were sent twice after the resume")
    print(
        f"resume: {requests_after} requests, {len(sent_after)} passages sent "
        f"({lost_in_flight} of them in flight at the crash, sent before but never written)"
    )
    print(
        f"result: {len(got_ids)} vectors for {len(ids)} passages, {duplicates} duplicated, "
        f"{missing} missing, {different} different, {len(resent)} re-sent after the resume, "
        f"{len(twice_after)} sent twice after it; {time.monotonic() - started:.0f} s"
    )
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept: {work}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    print("scale_corpus: OK" if not failures else "scale_corpus: FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

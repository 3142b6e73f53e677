"""Corpus embedding on a local Ray instance (the ``[ray]`` extra; ``make scale`` runs these).

One Ray instance for the module, started by ``yescale.ray_local`` with the machine's cores and
bound to 127.0.0.1; the service is the local fake (tests/scale/fake_embeddings.py). Corpora are
small (2,000 passages) so that the suite fits in CI; scripts/scale_corpus.py runs 20,000 with a
real crash.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from yescale import ClientSettings  # noqa: E402
from yescale.ray_corpus import (  # noqa: E402
    CorpusJob,
    corpus_dataset,
    done_ids,
    embed_corpus,
    read_vectors,
)
from yescale.ray_local import local_ray  # noqa: E402

from .fake_embeddings import API_KEY, MODEL, FakeEmbeddings, running, vector_for  # noqa: E402
from .sockets import descendants, non_loopback, sockets_of  # noqa: E402

pytestmark = [pytest.mark.ray, pytest.mark.xdist_group("ray")]

PASSAGES = 2000
FILES = 4


@pytest.fixture(scope="module")
def local() -> Iterator[Any]:
    with local_ray() as context:
        yield context


@pytest.fixture
def service() -> Iterator[FakeEmbeddings]:
    with running() as server:
        yield server


def _corpus(folder: Path, passages: int = PASSAGES, files: int = FILES) -> list[str]:
    folder.mkdir()
    step = passages // files
    for n in range(files):
        part = range(n * step, (n + 1) * step)
        pq.write_table(
            pa.table({"id": [f"p{i:05d}" for i in part], "text": [f"passage {i}" for i in part]}),
            folder / f"corpus-{n}.parquet",
        )
    return [f"p{i:05d}" for i in range(passages)]


def _run(service: FakeEmbeddings, corpus: Path, output: Path, **options: Any) -> Any:
    settings: dict[str, Any] = {
        "model": MODEL,
        "api_key": API_KEY,
        "base_url": service.url,
        "max_retries": 0,
        "actors": 2,
        "chunk_size": 100,
        "rows_per_block": 500,
        "part_retry_delay": 0.0,
    }
    settings.update(options)
    return embed_corpus(corpus, output, **settings)


def _vectors(output: Path) -> dict[str, list[float]]:
    table = read_vectors(output)
    ids = table["id"].to_pylist()
    assert len(ids) == len(set(ids)), "a passage has two vectors"
    return dict(zip(ids, table["vector"].to_pylist(), strict=True))


def test_a_corpus_is_embedded_exactly_once(
    local: Any, service: FakeEmbeddings, tmp_path: Path
) -> None:
    ids = _corpus(tmp_path / "corpus")
    progress: list[tuple[int, int]] = []
    report = _run(
        service,
        tmp_path / "corpus",
        tmp_path / "out",
        requests_per_minute=60_000,
        on_progress=lambda done, total: progress.append((done, total)),
    )
    assert (report.total, report.embedded, report.already_done, report.skipped) == (
        PASSAGES,
        PASSAGES,
        0,
        0,
    )
    assert report.parts_written >= PASSAGES // 100
    assert report.complete
    vectors = _vectors(tmp_path / "out")
    assert sorted(vectors) == ids
    assert all(vectors[f"p{i:05d}"] == vector_for(f"passage {i}") for i in range(PASSAGES))
    assert service.requests == report.parts_written  # one request per part, none repeated
    assert set(service.counts.values()) == {1}
    assert progress[-1] == (PASSAGES, PASSAGES)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_a_failed_part_is_retried_and_a_rerun_resumes(
    local: Any, service: FakeEmbeddings, tmp_path: Path
) -> None:
    ids = _corpus(tmp_path / "corpus")
    first = tmp_path / "first-half"
    first.mkdir()
    for n in range(FILES // 2):  # the run that "crashed": only half the corpus got done
        (first / f"corpus-{n}.parquet").write_bytes(
            (tmp_path / "corpus" / f"corpus-{n}.parquet").read_bytes()
        )
    service.fail_texts["passage 250"] = 2  # 500 twice; the client does not retry (max_retries=0)
    half = _run(service, first, tmp_path / "out", part_retries=2)
    assert half.embedded == PASSAGES // 2
    assert service.failures == 2
    assert set(service.counts.values()) == {1}  # finished parts were not redone
    (tmp_path / "out" / ".part-x.parquet.1.tmp").write_bytes(b"a write a crash interrupted")

    rerun = _run(service, tmp_path / "corpus", tmp_path / "out")
    assert (rerun.already_done, rerun.embedded, rerun.skipped) == (PASSAGES // 2, PASSAGES // 2, 0)
    assert sorted(_vectors(tmp_path / "out")) == ids
    assert set(service.counts.values()) == {1}  # nothing sent twice, across both runs
    assert len(service.counts) == PASSAGES
    assert not list((tmp_path / "out").glob(".*.tmp"))

    sent = service.requests
    again = _run(service, tmp_path / "corpus", tmp_path / "out")
    assert (again.already_done, again.embedded) == (PASSAGES, 0)
    assert service.requests == sent  # a finished job sends nothing


def test_the_key_never_shows(local: Any, service: FakeEmbeddings, tmp_path: Path) -> None:
    _corpus(tmp_path / "corpus", passages=400)
    settings = ClientSettings.resolve(api_key=API_KEY, base_url=service.url, max_retries=0)
    job = CorpusJob(
        settings=settings, model=MODEL, output=str(tmp_path / "out"), part_retry_delay=0.0
    )
    (tmp_path / "out").mkdir()
    dataset = corpus_dataset(tmp_path / "corpus", job, done=done_ids(tmp_path / "out"))
    shown = [repr(dataset), str(dataset)]
    materialized = dataset.materialize()
    shown += [repr(materialized), materialized.stats(), repr(job)]
    assert materialized.count() == 4  # one summary row per part

    service.fail_texts["passage 0"] = 10  # a permanent failure: its error reaches the driver
    with pytest.raises(Exception, match="HTTP 500") as failed:
        _run(service, tmp_path / "corpus", tmp_path / "failing", part_retries=1)
    shown.append(str(failed.value))
    for text in shown:
        assert API_KEY not in text
    for path in (tmp_path / "out").iterdir():
        assert API_KEY.encode() not in path.read_bytes()
    session = Path(ray._private.worker._global_node.get_session_dir_path())
    logs = [p for p in session.rglob("*") if p.is_file() and not p.is_socket()]
    assert any(p.suffix in (".out", ".err", ".log") for p in logs)  # the workers' logs are there
    for path in logs:
        try:
            assert API_KEY.encode() not in path.read_bytes(), path
        except OSError:
            continue
    assert API_KEY not in str(ray.get_runtime_context().runtime_env)
    workers = descendants(os.getpid()) - {os.getpid()}
    assert workers
    for pid in workers:  # no Ray process (GCS, raylet, actors) holds it in its environment
        try:
            environment = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:  # ended meanwhile
            continue
        assert API_KEY.encode() not in environment


def test_ray_listens_on_and_talks_to_loopback_only(local: Any) -> None:
    assert local.address_info["node_ip_address"] == "127.0.0.1"
    assert ray.util.get_node_ip_address() == "127.0.0.1"
    assert all(node["NodeManagerAddress"] == "127.0.0.1" for node in ray.nodes())

    @ray.remote
    def where() -> str:
        return str(ray.util.get_node_ip_address())

    assert ray.get(where.remote()) == "127.0.0.1"
    tree = descendants(os.getpid())
    sockets = sockets_of(tree)
    listening = [s for s in sockets if s.remote[1] == 0 and s.table.startswith("tcp")]
    assert len(tree) > 3  # GCS, raylet and workers are there
    assert listening  # and their sockets were read
    assert non_loopback(sockets) == []
    assert all(ipaddress.ip_address(s.local[0]).is_loopback for s in listening)


def test_the_example_job_embeds_its_synthetic_corpus(
    local: Any, service: FakeEmbeddings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
    import ray_corpus_embedding as example

    texts = example.synthetic_corpus(tmp_path / "corpus", 1000)
    monkeypatch.setenv("YESCALE_API_KEY", API_KEY)  # the example reads the key like the client
    monkeypatch.setenv("YESCALE_BASE_URL", service.url)
    report = example.job(str(tmp_path / "corpus"), str(tmp_path / "out"))
    assert (report.total, report.embedded) == (1000, 1000)
    vectors = _vectors(tmp_path / "out")
    assert all(vectors[f"p{i:06d}"] == vector_for(text) for i, text in enumerate(texts))
    assert set(service.counts.values()) == {1}

"""The parts of a Ray corpus job, without Ray: what one actor does with a batch (embed, write
atomically, skip what is written), what a rerun reads back, and how the key stays hidden.

Needs pyarrow (the ``[ray]`` extra); skipped without it. The service is the local fake
(tests/scale/fake_embeddings.py) on 127.0.0.1.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")

from yescale import ClientSettings, InternalServerError  # noqa: E402
from yescale.rate_limit import RateLimit  # noqa: E402
from yescale.ray_corpus import (  # noqa: E402
    CorpusJob,
    PartEmbedder,
    done_ids,
    part_files,
    part_name,
    read_vectors,
)

from .fake_embeddings import API_KEY, MODEL, FakeEmbeddings, running, vector_for  # noqa: E402


@pytest.fixture
def service() -> Iterator[FakeEmbeddings]:
    with running() as server:
        yield server


def _job(service: FakeEmbeddings, output: Path, **own: object) -> CorpusJob:
    settings = ClientSettings.resolve(api_key=API_KEY, base_url=service.url, max_retries=0)
    options: dict[str, object] = {"chunk_size": 4, "part_retry_delay": 0.0, "log_parts": False}
    options.update(own)
    return CorpusJob(settings=settings, model=MODEL, output=str(output), **options)  # type: ignore[arg-type]


def _batch(n: int, start: int = 0) -> object:
    ids = [f"p{i:03d}" for i in range(start, start + n)]
    return pa.table({"id": ids, "text": [f"text {i}" for i in range(start, start + n)]})


def test_a_batch_becomes_parts_of_chunk_size(service: FakeEmbeddings, tmp_path: Path) -> None:
    embedder = PartEmbedder(_job(service, tmp_path))
    summary = embedder(_batch(10))
    assert summary["passages"].to_pylist() == [4, 4, 2]
    assert summary["embedded"].to_pylist() == [True, True, True]
    assert service.requests == 3
    assert [p.name for p in part_files(tmp_path)] == sorted(summary["part"].to_pylist())
    table = read_vectors(tmp_path)
    got = dict(zip(table["id"].to_pylist(), table["vector"].to_pylist(), strict=True))
    assert got == {f"p{i:03d}": vector_for(f"text {i}") for i in range(10)}
    assert table.schema.field("vector").type == pa.list_(pa.float32())
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_a_retried_batch_skips_the_parts_already_written(
    service: FakeEmbeddings, tmp_path: Path
) -> None:
    job = _job(service, tmp_path, part_retries=0)
    service.fail_texts["text 9"] = 1  # the third part fails once
    with pytest.raises(InternalServerError):
        PartEmbedder(job)(_batch(10))
    assert len(part_files(tmp_path)) == 2
    assert service.counts["text 0"] == 1
    # Ray hands the same batch to an actor again (the failed one, or a restarted one)
    summary = PartEmbedder(job)(_batch(10))
    assert summary["embedded"].to_pylist() == [False, False, True]
    assert set(service.counts.values()) == {1}  # nothing embedded twice
    assert sorted(done_ids(tmp_path).to_pylist()) == [f"p{i:03d}" for i in range(10)]


def test_a_failed_part_is_retried_by_its_actor(service: FakeEmbeddings, tmp_path: Path) -> None:
    service.fail_texts["text 5"] = 2  # fails twice, client retries off: the actor retries it
    summary = PartEmbedder(_job(service, tmp_path, part_retries=2))(_batch(10))
    assert summary["embedded"].to_pylist() == [True, True, True]
    assert service.failures == 2
    assert set(service.counts.values()) == {1}  # the parts before it were not redone


def test_part_names_depend_only_on_the_ids() -> None:
    assert part_name(["a", "b"]) == part_name(["a", "b"])
    assert part_name(["a", "b"]) != part_name(["b", "a"])
    assert part_name([1, 2]) == part_name(["1", "2"])
    assert part_name(["a"]).startswith("part-")
    assert part_name(["a"]).endswith(".parquet")


def test_unfinished_writes_are_not_parts(tmp_path: Path) -> None:
    (tmp_path / ".part-abc.parquet.123.tmp").write_bytes(b"half a file")
    assert part_files(tmp_path) == []
    assert done_ids(tmp_path).to_pylist() == []
    assert part_files(tmp_path / "missing") == []


def test_the_key_is_in_no_repr_and_only_in_the_pickle(
    service: FakeEmbeddings, tmp_path: Path
) -> None:
    job = _job(service, tmp_path, limit=RateLimit(60, 1000))
    embedder = PartEmbedder(job)
    for shown in (repr(job), str(job), repr(embedder), repr(job.settings)):
        assert API_KEY not in shown
    assert "RateLimit(requests_per_minute=60.0" in repr(job)
    copy = pickle.loads(pickle.dumps(job))  # what Ray sends to each actor
    assert copy.settings.api_key is not None
    assert copy.settings.api_key.get_secret_value() == API_KEY
    embedder(_batch(3))
    for path in tmp_path.iterdir():
        assert API_KEY.encode() not in path.read_bytes()

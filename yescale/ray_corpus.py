"""Embedding a Parquet corpus on Ray Data, resumable, within the key's rate budget.

Needs the ``[ray]`` extra (``pip install "yescale-integrations[ray]"``); Ray and pyarrow are
imported on first use. The recipe and the reasons are in ``docs/scale.md``.

The job (:func:`embed_corpus`):

* reads ``corpus`` (Parquet: an id column and a text column) with ``ray.data.read_parquet``;
* drops the passages whose vectors are already in ``output`` (a rerun resumes where the last run
  stopped: :func:`done_ids`);
* sends the rest to an actor pool (``actors`` actors, each with its own :class:`YEScaleClient`):
  each Ray batch is cut into parts of ``chunk_size`` passages; a part is one embeddings request
  (through :func:`~yescale.embedding_batches.embed`) and one Parquet file ``part-<hash of its
  ids>.parquet``, written to a temporary name and renamed, so a crash never leaves half a part;
* a part that still fails after the client's own retries (a 5xx, a 429, a lost connection) is
  retried by its actor, ``part_retries`` times with a growing pause; parts already written are
  never touched again;
* an actor that dies (killed, out of memory, its node lost) is restarted by Ray, which hands its
  batch to an actor again: a part whose file already exists is not embedded again, so only the
  parts that were not finished are redone;
* the key's budget (``requests_per_minute``, ``tokens_per_minute``) is divided between the actors
  (:meth:`~yescale.rate_limit.RateLimit.share`): together they never exceed it;
* the key travels to the actors inside :class:`~yescale.ClientSettings` (a ``SecretStr``): never
  in an environment variable, a plan, a repr, a log line or the output.

Passage ids must be unique in the corpus: they are how a rerun knows what is done.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from . import embedding_batches
from ._client import YEScaleClient
from ._scrub import register_secrets
from ._settings import ClientSettings, check_framework_settings
from .corpus_checks import check_corpus, check_job_numbers
from .errors import APIConnectionError, InternalServerError, RateLimitError
from .rate_limit import RateLimit, RateLimitedEndpoint
from .ray_local import require_ray, start_local_ray

__all__ = [
    "CorpusJob",
    "CorpusReport",
    "PartEmbedder",
    "corpus_dataset",
    "done_ids",
    "embed_corpus",
    "part_files",
    "part_name",
    "read_vectors",
]

logger = logging.getLogger("yescale.ray_corpus")

#: Errors that still fail after the client's own retries and that an actor retries (the part
#: that failed, not the parts before it).
RETRIED_ERRORS: tuple[type[BaseException], ...] = (
    RateLimitError,
    InternalServerError,
    APIConnectionError,
)
Progress = Callable[[int, int], None]


def part_name(ids: Sequence[Any]) -> str:
    """The file name of the part holding ``ids`` (the same ids, the same name)."""
    digest = hashlib.sha256(json.dumps([str(i) for i in ids]).encode()).hexdigest()
    return f"part-{digest[:32]}.parquet"


def part_files(output: str | Path) -> list[Path]:
    """The finished parts in ``output`` (temporary files of an interrupted write are not)."""
    folder = Path(output)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("part-*.parquet"))


def done_ids(output: str | Path, id_column: str = "id") -> Any:
    """The ids already embedded in ``output``, as a ``pyarrow`` array (empty when none)."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    chunks = [pq.read_table(path, columns=[id_column])[id_column] for path in part_files(output)]
    if not chunks:
        return pa.array([], type=pa.string())
    return pa.chunked_array(chunks).combine_chunks()


def read_vectors(output: str | Path) -> Any:
    """Every part of ``output`` in one ``pyarrow.Table`` (columns: the id column, ``vector``)."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    return pa.concat_tables([pq.read_table(path) for path in part_files(output)])


def _write_part(table: Any, path: Path) -> None:
    """Write ``table`` to ``path`` atomically: a temporary file in the folder, then a rename."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, temporary)
    with open(temporary, "rb") as written:
        os.fsync(written.fileno())
    os.replace(temporary, path)


@dataclass(frozen=True)
class CorpusJob:
    """What every actor needs; pickled to the actors. Its repr shows no key (``settings`` is
    a :class:`ClientSettings`, whose keys are ``SecretStr``)."""

    settings: ClientSettings
    model: str
    output: str
    id_column: str = "id"
    text_column: str = "text"
    chunk_size: int = 100
    #: this actor's share of the key's budget
    limit: RateLimit = field(default_factory=RateLimit)
    params: dict[str, Any] = field(default_factory=dict)
    log_parts: bool = True
    part_retries: int = 3
    #: seconds before the first retry of a failed part; doubled each time
    part_retry_delay: float = 5.0

    def __repr__(self) -> str:
        return (
            f"CorpusJob(model={self.model!r}, output={self.output!r}, "
            f"chunk_size={self.chunk_size}, limit={self.limit!r}, settings={self.settings!r})"
        )


class PartEmbedder:
    """The Ray Data UDF run by each actor: embeds a batch part by part, writes each part, and
    returns one summary row per part (``part``, ``passages``, ``embedded``: false when the part
    was already written)."""

    def __init__(self, job: CorpusJob) -> None:
        register_secrets(job.settings.secrets())  # the log filter scrubs the key in this process
        self.job = job
        self.client = YEScaleClient.from_settings(job.settings)
        self.endpoint = RateLimitedEndpoint(self.client.embeddings, job.limit)
        self.folder = Path(job.output)
        if job.log_parts and not logger.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa  # type: ignore[import-untyped]

        ids = batch[self.job.id_column].to_pylist()
        texts = batch[self.job.text_column].to_pylist()
        parts: list[str] = []
        counts: list[int] = []
        embedded: list[bool] = []
        size = self.job.chunk_size
        for start in range(0, len(ids), size):
            chunk_ids, chunk_texts = ids[start : start + size], texts[start : start + size]
            name = part_name(chunk_ids)
            path = self.folder / name
            fresh = not path.exists()
            if fresh:
                self._embed_part(chunk_ids, chunk_texts, path)
            parts.append(name)
            counts.append(len(chunk_ids))
            embedded.append(fresh)
        return pa.table({"part": parts, "passages": counts, "embedded": embedded})

    def _embed_part(self, ids: list[Any], texts: list[str], path: Path) -> None:
        import pyarrow as pa  # type: ignore[import-untyped]

        for attempt in range(self.job.part_retries + 1):
            try:
                vectors = embedding_batches.embed(
                    self.endpoint,
                    texts,
                    model=self.job.model,
                    chunk_size=self.job.chunk_size,
                    max_concurrency=1,
                    **self.job.params,
                )
                break
            except RETRIED_ERRORS as error:
                if attempt == self.job.part_retries:
                    raise
                pause = self.job.part_retry_delay * 2**attempt
                logger.warning(
                    "%s: %s; retrying in %.0f s (%d/%d)",
                    path.name,
                    error,
                    pause,
                    attempt + 1,
                    self.job.part_retries,
                )
                time.sleep(pause)
        table = pa.table(
            {
                self.job.id_column: ids,
                "vector": pa.array(vectors, type=pa.list_(pa.float32())),
            }
        )
        _write_part(table, path)
        logger.info("%s: %d passages embedded", path.name, len(ids))

    def __repr__(self) -> str:
        return f"PartEmbedder({self.job!r})"


def _drop_done(batch: Any, *, done: Any, id_column: str) -> Any:
    """The rows of ``batch`` whose id is not in ``done``."""
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    return batch.filter(pc.invert(pc.is_in(batch[id_column], value_set=done)))


@dataclass(frozen=True)
class CorpusReport:
    """What a run did: passages in the corpus, already written before it, embedded by it, and
    found written when a retried batch came back to them (``skipped``)."""

    total: int
    already_done: int
    embedded: int
    skipped: int
    parts_written: int

    @property
    def complete(self) -> bool:
        return self.already_done + self.embedded + self.skipped == self.total


def corpus_dataset(
    corpus: str | Path,
    job: CorpusJob,
    *,
    done: Any = None,
    actors: int = 2,
    batch_size: int | None = None,
    actor_cpus: float = 0.25,
    rows_per_block: int | None = None,
) -> Any:
    """The Ray dataset of :func:`embed_corpus` (lazy: nothing runs until it is consumed): the
    corpus, without the ids in ``done``, through a pool of ``actors`` :class:`PartEmbedder` s;
    one summary row per part."""
    ray = require_ray()
    data = ray.data
    dataset = data.read_parquet(str(corpus)).select_columns([job.id_column, job.text_column])
    if done is not None and len(done):
        dataset = dataset.map_batches(
            _drop_done,
            fn_kwargs={"done": done, "id_column": job.id_column},
            batch_format="pyarrow",
            batch_size=None,
        )
    # blocks of a known size: the actors share the corpus even when it is one small file
    # (after the filter: Ray 2.47 fails to fuse a map that follows a streaming repartition)
    dataset = dataset.repartition(target_num_rows_per_block=rows_per_block or 10 * job.chunk_size)
    return dataset.map_batches(
        PartEmbedder,
        fn_constructor_args=(job,),
        **_pool(ray, actors),
        batch_size=batch_size or job.chunk_size,
        batch_format="pyarrow",
        num_cpus=actor_cpus,
    )


def _pool(ray: Any, actors: int) -> dict[str, Any]:
    """A fixed pool of ``actors`` actors, spelled as this Ray wants it: ``compute=`` from 2.51
    (which deprecates ``concurrency=``), ``concurrency=`` before (2.47-2.50 deprecate
    ``compute=``)."""
    version = tuple(int(part) for part in ray.__version__.split(".")[:2] if part.isdigit())
    if version >= (2, 51):
        return {"compute": ray.data.ActorPoolStrategy(size=actors)}
    return {"concurrency": actors}


def embed_corpus(
    corpus: str | Path,
    output: str | Path,
    *,
    model: str,
    api_key: str | SecretStr | None = None,
    base_url: str | None = None,
    max_retries: int | None = None,
    timeout: float | httpx.Timeout | None = None,
    id_column: str = "id",
    text_column: str = "text",
    actors: int = 2,
    chunk_size: int = 100,
    batch_size: int | None = None,
    requests_per_minute: float | None = None,
    tokens_per_minute: float | None = None,
    part_retries: int = 3,
    part_retry_delay: float = 5.0,
    actor_cpus: float = 0.25,
    rows_per_block: int | None = None,
    log_parts: bool = True,
    on_progress: Progress | None = None,
    **params: Any,
) -> CorpusReport:
    """Embed the Parquet ``corpus`` into Parquet parts in ``output``; rerun to resume.

    Uses the running Ray instance, else starts one bound to 127.0.0.1
    (:func:`~yescale.ray_local.start_local_ray`). ``api_key`` / ``base_url`` / ``max_retries`` /
    ``timeout``: as for :class:`YEScaleClient` (``YESCALE_API_KEY`` when no key is given).
    ``actors``: the size of the actor pool; ``chunk_size``: passages per request and per part;
    ``batch_size``: passages per Ray batch (default ``chunk_size``). ``requests_per_minute`` /
    ``tokens_per_minute``: the key's budget, divided between the actors. ``part_retries`` /
    ``part_retry_delay``: how often, and after how long (doubled each time), an actor retries a
    part that failed (:data:`RETRIED_ERRORS`) after the client's own retries.
    ``actor_cpus``: the CPUs Ray reserves per actor (they mostly wait on the network; a whole CPU
    each would leave none to read the corpus on a small machine). ``rows_per_block``: the corpus
    is cut into blocks of this many passages (default ``10 * chunk_size``; a streaming
    repartition): each block goes to one actor, so blocks are what spreads the work.
    ``on_progress(done, total)``: called on the driver as parts finish. ``params`` go into every
    request (``dimensions``, ``encoding_format``...).
    """
    ray = require_ray()
    # everything that can be refused is, before Ray starts and before any request
    check_job_numbers(
        model=model,
        actors=actors,
        chunk_size=chunk_size,
        batch_size=batch_size,
        rows_per_block=rows_per_block,
        part_retries=part_retries,
        part_retry_delay=part_retry_delay,
        actor_cpus=actor_cpus,
    )
    settings = check_framework_settings(
        "embed_corpus", api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout
    )
    limit = RateLimit(requests_per_minute, tokens_per_minute).share(actors)
    total = check_corpus(corpus, output, id_column, text_column)
    if not ray.is_initialized():
        start_local_ray()
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".part-*.tmp"):  # a write a crash interrupted
        stale.unlink(missing_ok=True)
    done = done_ids(folder, id_column)
    job = CorpusJob(
        settings=settings,
        model=model,
        output=str(folder.resolve()),
        id_column=id_column,
        text_column=text_column,
        chunk_size=chunk_size,
        limit=limit,
        params=params,
        log_parts=log_parts,
        part_retries=part_retries,
        part_retry_delay=part_retry_delay,
    )
    dataset = corpus_dataset(
        corpus,
        job,
        done=done,
        actors=actors,
        batch_size=batch_size,
        actor_cpus=actor_cpus,
        rows_per_block=rows_per_block,
    )
    embedded = skipped = parts = 0
    for summary in dataset.iter_batches(batch_format="pyarrow", batch_size=None):
        for count, fresh in zip(
            summary["passages"].to_pylist(), summary["embedded"].to_pylist(), strict=True
        ):
            if fresh:
                embedded += count
                parts += 1
            else:
                skipped += count
        if on_progress is not None:
            on_progress(len(done) + embedded + skipped, total)
    return CorpusReport(total, len(done), embedded, skipped, parts)

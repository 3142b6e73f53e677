"""What :func:`yescale.ray_corpus.embed_corpus` refuses before it starts Ray or sends anything.

A corpus job runs for hours on workers: an argument that cannot work (a chat model, a column
that is not in the corpus, a part size of zero) should fail in the caller's process at once,
naming what is wrong and what to do, not as a Ray task error minutes later. Reading the corpus's
schema and row count takes only the Parquet footers.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from .errors import InvalidRequestError
from .models.kinds import check_embedding_model

__all__ = ["check_corpus", "check_job_numbers"]


def _positive_int(name: str, value: Any, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequestError(
            f"{name} must be a positive integer{' or None' if optional else ''}, got {value!r:.40}."
        )


def _number(name: str, value: Any, *, positive: bool) -> None:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and (value > 0 if positive else value >= 0)
    )
    if not ok:
        what = "a positive number" if positive else "a number, 0 or more"
        raise InvalidRequestError(f"{name} must be {what}, got {value!r:.40}.")


def check_job_numbers(
    *,
    model: str,
    actors: Any,
    chunk_size: Any,
    batch_size: Any,
    rows_per_block: Any,
    part_retries: Any,
    part_retry_delay: Any,
    actor_cpus: Any,
) -> None:
    """Refuse a model that is not an embedding model and sizes that cannot work."""
    if not isinstance(model, str) or not model.strip():
        raise InvalidRequestError(
            f"model must name an embedding model such as 'text-embedding-3-small', "
            f"got {model!r:.40}."
        )
    check_embedding_model(model)
    _positive_int("actors", actors)
    _positive_int("chunk_size", chunk_size)
    _positive_int("batch_size", batch_size, optional=True)
    _positive_int("rows_per_block", rows_per_block, optional=True)
    if isinstance(part_retries, bool) or not isinstance(part_retries, int) or part_retries < 0:
        raise InvalidRequestError(
            f"part_retries must be an integer, 0 or more, got {part_retries!r:.40}."
        )
    _number("part_retry_delay", part_retry_delay, positive=False)
    _number("actor_cpus", actor_cpus, positive=True)


def check_corpus(corpus: str | Path, output: str | Path, id_column: str, text_column: str) -> int:
    """The passages in ``corpus`` (from its Parquet footers), after refusing a corpus that is
    missing, unreadable or without the two columns, and an ``output`` that is a file."""
    import pyarrow.dataset as ds  # type: ignore[import-untyped]

    if Path(output).is_file():
        raise InvalidRequestError(f"output {output} is a file: name a folder for the parts.")
    if not Path(corpus).exists():
        raise InvalidRequestError(
            f"There is no corpus at {corpus}: name a Parquet file or a folder of them."
        )
    try:
        dataset = ds.dataset(str(corpus), format="parquet")
        names = set(dataset.schema.names)
        rows = int(dataset.count_rows())
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise InvalidRequestError(
            f"Cannot read the corpus {corpus} as Parquet ({type(exc).__name__}): {exc!s:.200}"
        ) from None
    missing = [c for c in (id_column, text_column) if c not in names]
    if missing:
        raise InvalidRequestError(
            f"The corpus {corpus} has no column {', '.join(map(repr, missing))} (it has "
            f"{sorted(names)}): pass id_column= and text_column= naming its columns."
        )
    return rows

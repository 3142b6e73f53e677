"""Where tool results go: files with sanitized, unique names in ``output_dir``.

Names are built from the model and the start of the prompt (``gpt-image-1_a-red-fox_1.png``),
reduced to ``[a-z0-9._-]``, and never overwrite anything: a taken name gets ``-2``, ``-3``, ...
The file is created exclusively (``O_EXCL``), so concurrent tools cannot race for one name and an
existing symlink is never followed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import InvalidRequestError

_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_MAX_STEM = 80


def slug(text: str, limit: int = 40) -> str:
    """Lower-case ``[a-z0-9._-]`` words joined by ``-``, at most ``limit`` characters."""
    cleaned = _UNSAFE.sub("-", text.lower()).strip("-._")
    return cleaned[:limit].rstrip("-._")


def stem_for(model: str, prompt: str, index: int) -> str:
    """``<model>_<prompt words>_<index>``, sanitized (no separators, no leading dots)."""
    parts = [slug(model, 30) or "image", slug(prompt) or "result", str(index)]
    return "_".join(parts)[:_MAX_STEM]


def safe_name(stem: str, ext: str) -> str:
    """A sanitized ``stem.ext`` (anything odd becomes ``-``; never empty, never hidden)."""
    clean_stem = slug(stem, _MAX_STEM) or "result"
    clean_ext = slug(ext.lstrip("."), 10) or "bin"
    return f"{clean_stem}.{clean_ext}"


def prepare_dir(output_dir: str | os.PathLike[str]) -> Path:
    """The output folder, created if missing; refuses a path that is not a folder."""
    folder = Path(output_dir).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidRequestError(f"Cannot use output_dir {str(folder)!r}: {exc}") from None
    if not folder.is_dir():
        raise InvalidRequestError(f"output_dir {str(folder)!r} is not a folder.")
    return folder


def reserve(output_dir: str | os.PathLike[str], stem: str, ext: str) -> Path:
    """Create an empty file with a unique sanitized name in ``output_dir`` and return its path."""
    folder = prepare_dir(output_dir)
    name = safe_name(stem, ext)
    base, dot_ext = name.rsplit(".", 1)
    for attempt in range(1, 10_000):
        candidate = folder / (name if attempt == 1 else f"{base}-{attempt}.{dot_ext}")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise InvalidRequestError(f"Too many files named like {name!r} in {folder}.")


@contextmanager
def removed_on_failure(path: Path) -> Iterator[Path]:
    """Remove ``path`` (a file :func:`reserve` made) if the block fails: no empty file is left."""
    try:
        yield path
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def save_bytes(output_dir: str | os.PathLike[str], stem: str, ext: str, data: bytes) -> Path:
    """Write ``data`` to a new, uniquely named file in ``output_dir``; returns its path."""
    with removed_on_failure(reserve(output_dir, stem, ext)) as path:
        path.write_bytes(data)
    return path

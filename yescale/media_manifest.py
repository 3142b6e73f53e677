"""The media fan-out's manifest: an append-only JSON Lines file, one event per line.

Each line is written whole with a single ``write``, then flushed and ``fsync`` ed before the
action it announces (an ``intent`` before its submit) or right after the answer it records (a
``submitted`` line with the task id). A crash can only leave the last line torn (no final
newline): reading ignores it, and opening for append cuts it off first, so the next line starts
clean. A torn or garbled line anywhere else means the file was edited or damaged: reading refuses
it, naming the line, rather than guessing. No key is ever written (requests holding the client's
key are refused before anything is sent); error texts are scrubbed.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._scrub import scrub
from .errors import InvalidRequestError
from .media_plan import MANIFEST_VERSION

__all__ = ["Manifest", "read_events"]


def _parse(data: bytes, path: Path) -> tuple[list[dict[str, Any]], int]:
    """The events of a manifest's bytes, and how many bytes hold whole lines."""
    end = data.rfind(b"\n") + 1  # anything after the last newline is a torn line: ignored
    events = []
    for number, line in enumerate(data[:end].split(b"\n")[:-1], start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        if not isinstance(value, dict) or not isinstance(value.get("event"), str):
            raise InvalidRequestError(
                f"Line {number} of the manifest {path} is not a manifest event: the file was "
                "edited or damaged. Restore it, or remove that line if you know what it held."
            )
        if value.get("v", MANIFEST_VERSION) > MANIFEST_VERSION:
            raise InvalidRequestError(
                f"The manifest {path} was written by a newer version of yescale (format "
                f"{value.get('v')}): upgrade yescale-integrations to resume it."
            )
        events.append(value)
    return events, end


def read_events(path: str | Path) -> list[dict[str, Any]]:
    """The events of the manifest at ``path`` (a torn last line is ignored)."""
    target = Path(path)
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise InvalidRequestError(f"There is no manifest at {target}: check the path.") from None
    except IsADirectoryError:
        raise InvalidRequestError(f"{target} is a folder, not a manifest file.") from None
    return _parse(data, target)[0]


class Manifest:
    """An open manifest: its events so far, and :meth:`append` for new ones."""

    def __init__(self, path: str | Path, secrets: Iterable[str] = ()) -> None:
        self.path = Path(path)
        self._secrets = tuple(secrets)
        self._lock = threading.Lock()
        folder = self.path.parent
        if self.path.is_dir():
            raise InvalidRequestError(f"The manifest {self.path} is a folder: name a file.")
        if not folder.is_dir():
            raise InvalidRequestError(
                f"Cannot write the manifest {self.path}: folder {folder} does not exist."
            )
        if not os.access(folder, os.W_OK | os.X_OK) or (
            self.path.exists() and not os.access(self.path, os.W_OK)
        ):
            raise InvalidRequestError(
                f"Cannot write the manifest {self.path}: no permission to write there. "
                "Choose a folder you can write to."
            )
        created = not self.path.exists()
        data = b"" if created else self.path.read_bytes()
        self.events, whole = _parse(data, self.path)
        self._file = open(self.path, "ab")  # noqa: SIM115 - closed by close()
        if whole < len(data):
            self._file.truncate(whole)  # the torn line of a crash: cut before appending
        if created:
            _sync_folder(folder)  # the new file's name survives a crash too

    def append(self, event: Mapping[str, Any]) -> None:
        """Write ``event`` as one line, flushed and fsynced before returning."""
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":"), default=str)
        if "error" in event or "reason" in event:
            line = scrub(line, self._secrets)
        data = (line + "\n").encode()
        with self._lock:
            self._file.write(data)
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        with self._lock:
            self._file.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not every platform opens folders (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

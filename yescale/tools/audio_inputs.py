"""Input recordings for the audio tools: the image tools' sandbox (:class:`~.inputs.InputPolicy`)
speaking of recordings, public URLs only, and the upload checks of ``client.audio``.

A path is read only when it resolves (symlinks followed) inside ``allowed_input_dirs``; a URL
only when it is public http(s) (every redirect hop checked). What is read is sized (25 MB) and
typed (extension and first bytes) by :func:`yescale._audio_files.read_audio_file`, then named
``audio.<ext>``: local file names never leave the machine. Refusals are :class:`AudioInputError`.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from .._audio_files import AUDIO_TYPES, AudioFile, read_audio_file
from .._http.addresses import not_public
from ..errors import InvalidRequestError
from .inputs import InputImageError, InputPolicy

__all__ = [
    "AudioInputError",
    "AudioInputPolicy",
    "check_audio_url",
    "checked_recording",
    "is_url",
    "read_recording",
    "url_recording",
]

AudioValue = str | os.PathLike[str]


class AudioInputError(InputImageError):
    """An input recording was refused (outside the allowed folders, not audio, too large, a
    private URL...). A tool-input error like :class:`~yescale.tools.InputImageError` (a subclass
    of it, so code catching refused tool inputs catches both)."""


class AudioInputPolicy(InputPolicy):
    """:class:`~yescale.tools.inputs.InputPolicy` (the same checks: resolved path inside an
    allowed folder, symlinks and ``..`` followed first), speaking of recordings."""

    def _refuse(self, shown: str, why: str) -> AudioInputError:
        shown = shown if len(shown) <= 200 else shown[:200] + "..."
        if not self.allowed:
            return AudioInputError(
                f"Cannot read the local file {shown!r}: reading local files is disabled for this "
                "tool. Give the recording as an http(s) URL, or (as the developer) pass "
                "allowed_input_dirs=[...] naming the folders it may read."
            )
        folders = ", ".join(str(d) for d in self.allowed)
        return AudioInputError(
            f"Cannot read the local file {shown!r}: {why}. This tool may only read files inside: "
            f"{folders}."
        )


def check_audio_url(url: str) -> str:
    """Refuse URLs we should not fetch for an agent (non-http(s), localhost, private IPs); the
    transport applies it to every redirect hop too."""
    reason = not_public(url)
    if reason is not None:
        raise AudioInputError(f"Audio URL {url.strip()[:200]!r}: {reason}.")
    return url.strip()


def is_url(value: AudioValue) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def checked_recording(file: Any, shown: str) -> AudioFile:
    """``read_audio_file``'s checks (size, extension, first bytes), refusals as
    :class:`AudioInputError`; the upload renamed ``audio.<ext>``."""
    try:
        audio = read_audio_file(file)
    except AudioInputError:
        raise
    except InvalidRequestError as error:
        raise AudioInputError(f"{error.message} (the recording: {shown})") from None
    ext = PurePosixPath(audio.filename).suffix.lstrip(".").lower()
    return AudioFile(f"audio.{ext}", audio.content, audio.content_type)


def read_recording(path: str | os.PathLike[str]) -> AudioFile:
    """A caller's own recording (no sandbox: ``YEScaleAudioReader`` reads the developer's files),
    checked like every upload and renamed ``audio.<ext>``."""
    return checked_recording(Path(path), str(path))


def url_recording(url: str, data: bytes) -> Any:
    """What to check for fetched bytes: named by the URL's extension when it is an accepted one,
    else by their first bytes."""
    suffix = PurePosixPath(urlsplit(url).path).suffix.lstrip(".").lower()
    return (f"audio.{suffix}", data) if suffix in AUDIO_TYPES else data

"""Audio uploads for ``client.audio``: what the caller gave (a path, bytes, a binary file object,
or ``(filename, bytes)``) read, sized and typed before anything is sent.

OpenAI's ``/v1/audio/transcriptions`` and ``/v1/audio/translations`` (which YEScale relays)
accept one file of at most 25 MB in one of flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav or
webm, and judge the format by the file name's extension. So every upload here gets a name with
one of those extensions and the matching content type: the caller's own name when there is one,
else one made from the content's first bytes (:func:`sniff`); anything else is refused with an
:class:`~yescale.errors.InvalidRequestError` saying what was wrong and what to do, before any
request. Paths are read only because the caller passed them (no sandbox at this level).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import IO, Any, Union

from .errors import InvalidRequestError

#: OpenAI's upload limit for the audio endpoints: 25 MB, counted as 26,214,400 bytes (its error
#: says "Maximum content size limit (26214400) exceeded").
MAX_AUDIO_BYTES = 25 * 1024 * 1024

#: The extensions OpenAI accepts, and the content type each is sent with.
AUDIO_TYPES: dict[str, str] = {
    "flac": "audio/flac",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "mp4": "audio/mp4",
    "mpeg": "audio/mpeg",
    "mpga": "audio/mpeg",
    "oga": "audio/ogg",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "webm": "audio/webm",
}
_ACCEPTED = ", ".join(AUDIO_TYPES)

#: What an audio file may be given as: a path, bytes, a binary file object, or
#: ``(filename, bytes or file object)`` / ``(filename, bytes, content type)``.
AudioInput = Union[  # noqa: UP007 (runtime alias, py3.10)
    str,
    os.PathLike[str],
    bytes,
    bytearray,
    memoryview,
    IO[bytes],
    tuple[str, Any],
    tuple[str, Any, str],
]

#: Content that is certainly not audio, by its first bytes: refused whatever its name says.
_NOT_AUDIO = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
)


@dataclass(frozen=True)
class AudioFile:
    """One upload, checked: its name (with an accepted extension), content and content type."""

    filename: str
    content: bytes = field(repr=False)
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)

    def part(self) -> tuple[str, bytes, str]:
        """The multipart file tuple (``httpx``'s ``files=`` form)."""
        return self.filename, self.content, self.content_type


def sniff(content: bytes) -> str | None:
    """The accepted extension the content's first bytes show (``None`` when unknown):
    RIFF/WAVE, an ID3 tag or an MPEG audio frame, OggS, fLaC, an ISO media ``ftyp`` box
    (``M4A`` brands as m4a, others as mp4), or an EBML header of ``webm`` doctype."""
    head = content[:64]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:3] == b"ID3" or _mpeg_frame(head):
        return "mp3"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"fLaC":
        return "flac"
    if head[4:8] == b"ftyp":
        return "m4a" if head[8:11] in (b"M4A", b"M4B") else "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in head:
        return "webm"
    return None


def _mpeg_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, then a layer other than "reserved" (ADTS
    AAC, which OpenAI does not accept, has layer bits 00)."""
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0


def _not_audio(content: bytes) -> str | None:
    """What the content certainly is instead of audio, when it says so."""
    for magic, what in _NOT_AUDIO:
        if content.startswith(magic):
            return what
    start = content[:64].lstrip()[:1]
    if start in (b"{", b"["):
        return "JSON text"
    if start == b"<":
        return "an HTML or XML document"
    return None


def read_audio_file(file: Any, *, limit: int = MAX_AUDIO_BYTES) -> AudioFile:
    """Read, size and type ``file`` (see :data:`AudioInput`); refuse what the audio endpoints
    would refuse, before any request: a missing or empty file, one over ``limit`` bytes, a name
    without an accepted extension, content that is not audio, nameless bytes whose format cannot
    be told."""
    if isinstance(file, tuple):
        return _from_tuple(file, limit)
    if isinstance(file, (str, os.PathLike)):
        return _from_path(Path(file), limit)
    if isinstance(file, (bytes, bytearray, memoryview)):
        return _typed(None, bytes(file), None, "the audio bytes")
    if hasattr(file, "read"):
        # a file object's name counts when it has an extension (a temporary file's may not:
        # its content then says what it is)
        name = getattr(file, "name", None)
        name = PurePath(name).name if isinstance(name, str) and _extension(name) else None
        shown = f"the file object {name!r}" if name else "the audio file object"
        if name:
            _check_extension(name, shown)
        content = _read_object(file, limit, shown)
        return _typed(name, content, None, shown, limit)
    raise InvalidRequestError(
        f"`file` must be a path (str or pathlib.Path), bytes, a binary file object (open(path, "
        f"'rb')) or (filename, bytes); got {type(file).__name__}. Download a URL first."
    )


def _from_tuple(file: tuple[Any, ...], limit: int) -> AudioFile:
    if len(file) not in (2, 3) or not isinstance(file[0], str) or not file[0].strip():
        raise InvalidRequestError(
            "A `file` tuple must be (filename, bytes) or (filename, bytes, content type), the "
            f"filename a non-empty string such as 'speech.mp3'; got a tuple of {len(file)} "
            f"starting with {type(file[0]).__name__ if file else 'nothing'}."
        )
    name = PurePath(file[0]).name
    _check_extension(name, repr(name))
    data = file[1]
    if isinstance(data, (bytes, bytearray, memoryview)):
        content = bytes(data)
    elif hasattr(data, "read"):
        content = _read_object(data, limit, repr(name))
    else:
        raise InvalidRequestError(
            f"The content of the `file` tuple for {name!r} must be bytes or a binary file "
            f"object, got {type(data).__name__}."
        )
    given_type = file[2] if len(file) == 3 and isinstance(file[2], str) else None
    return _typed(name, content, given_type, repr(name), limit)


def _from_path(path: Path, limit: int) -> AudioFile:
    shown = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InvalidRequestError(
            f"No audio file at {shown!r}: check the path (relative paths start from "
            f"{os.getcwd()!r})."
        ) from None
    except OSError as exc:
        raise InvalidRequestError(
            f"Cannot read the audio file {shown!r}: {exc.strerror}."
        ) from None
    if not path.is_file():
        raise InvalidRequestError(f"{shown!r} is not a file: give the path of one audio file.")
    _check_extension(path.name, shown)  # before reading: a wrong type is refused at once
    _check_size(info.st_size, limit, shown)
    try:
        with path.open("rb") as fh:  # read what is there (a file that grew: one byte more)
            content = _read_bounded(fh, min(info.st_size, limit) + 1)
    except OSError as exc:
        raise InvalidRequestError(
            f"Cannot read the audio file {shown!r}: {exc.strerror}."
        ) from None
    return _typed(path.name, content, None, shown, limit)


#: How much a read asks for at once: a recording's bytes are held once, not a buffer the size
#: of the upload cap (25 MiB) per file.
_CHUNK = 1 << 20


def _read_bounded(file: Any, most: int) -> Any:
    """At most ``most`` bytes (or characters: the caller refuses text) of ``file``, read in
    chunks."""
    first = file.read(min(most, _CHUNK))
    if not isinstance(first, (bytes, bytearray)) or len(first) < min(most, _CHUNK):
        return first
    parts = [bytes(first)]
    got = len(first)
    while got < most:
        part = file.read(min(most - got, _CHUNK))
        if not part:
            break
        parts.append(bytes(part))
        got += len(part)
    return b"".join(parts)


def _read_object(file: Any, limit: int, shown: str) -> bytes:
    """At most ``limit + 1`` bytes from the current position of a caller's file object (left
    open: it is the caller's)."""
    try:
        content = _read_bounded(file, limit + 1)
    except (OSError, ValueError) as exc:
        raise InvalidRequestError(f"Cannot read {shown}: {exc}.") from None
    if isinstance(content, str):
        raise InvalidRequestError(
            f"{shown[:1].upper() + shown[1:]} is open in text mode: open it with open(path, 'rb')."
        )
    if not isinstance(content, (bytes, bytearray)):
        raise InvalidRequestError(
            f"Reading {shown} gave {type(content).__name__}, not bytes: pass a binary file object."
        )
    return bytes(content)


def _extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def _subject(shown: str) -> str:
    """How a message names the input: "The audio bytes", "The audio file 'a.wav'"."""
    return shown[:1].upper() + shown[1:] if shown.startswith("the ") else f"The audio file {shown}"


def _check_extension(name: str, shown: str) -> str:
    ext = _extension(name)
    if ext not in AUDIO_TYPES:
        said = f"the extension '.{ext}'" if ext else "no extension"
        raise InvalidRequestError(
            f"{_subject(shown)} has {said}; the audio endpoints accept {_ACCEPTED}. "
            "Convert it (e.g. ffmpeg -i input output.mp3), or name it after its real format."
        )
    return ext


def _check_size(size: int, limit: int, shown: str) -> None:
    if size == 0:
        raise InvalidRequestError(
            f"{_subject(shown)} is empty (0 bytes): give a recording with sound in it."
        )
    if size > limit:
        raise InvalidRequestError(
            f"{_subject(shown)} is {_mb(size)}, over the {_mb(limit)} the audio endpoints "
            "accept. Split it into shorter parts, or compress it (e.g. mono 16 kHz mp3: ffmpeg "
            "-i input -ac 1 -ar 16000 -b:a 32k output.mp3)."
        )


def _mb(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB" if size >= 1 << 20 else f"{size} bytes"


def _typed(
    name: str | None,
    content: bytes,
    given_type: str | None,
    shown: str | None,
    limit: int = MAX_AUDIO_BYTES,
) -> AudioFile:
    """The upload, once its size, content and name are checked; a nameless one is named from
    its content."""
    sniffed = sniff(content)
    if name is None or not name.strip():
        where = shown or "the audio bytes"
        _check_size(len(content), limit, where)
        if sniffed is None:
            raise InvalidRequestError(
                f"Cannot tell the format of {where} from their first bytes (not WAV, MP3, Ogg, "
                "FLAC, MP4/M4A or WebM). Name them: file=('speech.m4a', data), with the real "
                f"format's extension ({_ACCEPTED})."
            )
        name = f"audio.{sniffed}"
    where = shown or repr(name)
    ext = _check_extension(name, where)
    _check_size(len(content), limit, where)
    instead = _not_audio(content) if sniffed is None else None
    if instead is not None:
        raise InvalidRequestError(
            f"{_subject(where)} holds {instead}, not audio: give the recording itself."
        )
    content_type = (
        given_type if given_type and given_type.startswith(("audio/", "video/")) else None
    )
    return AudioFile(name, content, content_type or AUDIO_TYPES[ext])


__all__ = ["AUDIO_TYPES", "MAX_AUDIO_BYTES", "AudioFile", "AudioInput", "read_audio_file", "sniff"]

"""What an image generation or edit produced: :class:`ImageResult` and its
:class:`GeneratedImage` s, with the short text a model reads and the artifact an application
keeps (shared by every route of :class:`~yescale.tools.images.ImageGenerator`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..costs import Cost
from ..errors import clip

__all__ = ["GeneratedImage", "ImageResult", "extension_for"]


def extension_for(mime: str | None) -> str:
    """The file extension for an image's mime type (``png`` when unknown)."""
    return {"image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}.get(mime or "", "png")


@dataclass
class GeneratedImage:
    """One result image: a saved file, a URL, bytes in memory, or a URL and its download."""

    index: int
    mime: str | None = None
    path: Path | None = None
    url: str | None = None
    data: bytes | None = field(default=None, repr=False)
    revised_prompt: str | None = None

    def describe(self) -> str:
        """One line for a model: where the image is. Never its bytes."""
        parts: list[str] = []
        if self.path is not None:
            parts.append(f"saved to {self.path}")
        if self.url:
            note = "downloaded; the link may expire" if self.path else "the link may expire"
            parts.append(f"URL {self.url} ({note})")
        if self.path is None and self.url is None and self.data is not None:
            parts.append(
                f"{self.mime or 'image'}, {len(self.data)} bytes, kept in memory for the "
                "application (not shown here)"
            )
        text = "; ".join(parts) or "no image data"
        if self.revised_prompt:
            text += f". Revised prompt: {self.revised_prompt}"
        return f"{self.index}. {text}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "mime_type": self.mime,
            "path": str(self.path) if self.path else None,
            "url": self.url,
            "data": self.data,
            "revised_prompt": self.revised_prompt,
        }


@dataclass
class ImageResult:
    """What an image generation or edit produced."""

    model: str
    prompt: str
    operation: Literal["generate", "edit"]
    images: list[GeneratedImage]
    params: dict[str, Any] = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)
    usage: dict[str, Any] | None = None
    created: int | None = None
    #: the estimated cost of the request (:mod:`yescale.costs`)
    cost: Cost | None = None
    #: text the model wrote beside its images (nano-banana), if any
    note: str | None = None

    @property
    def paths(self) -> list[Path]:
        return [i.path for i in self.images if i.path is not None]

    @property
    def urls(self) -> list[str]:
        return [i.url for i in self.images if i.url]

    def summary(self) -> str:
        """Short text for a model: what was made and where it is. Never base64."""
        verb = "Edited" if self.operation == "edit" else "Generated"
        count = len(self.images)
        head = f"{verb} {count} image{'s' if count != 1 else ''} with {self.model}"
        if self.inputs:
            head += f" from {len(self.inputs)} input image{'s' if len(self.inputs) != 1 else ''}"
        text = head + ":\n" + "\n".join(image.describe() for image in self.images)
        if self.note:
            text += f"\nThe model's note: {clip(self.note, limit=500)}"
        return text

    def artifact(self) -> dict[str, Any]:
        """The full result for the application (bytes of in-memory images included)."""
        return {
            "model": self.model,
            "operation": self.operation,
            "prompt": self.prompt,
            "params": dict(self.params),
            "inputs": list(self.inputs),
            "images": [image.as_dict() for image in self.images],
            "usage": self.usage,
            "created": self.created,
            "cost": self.cost.as_dict() if self.cost else None,
            "note": self.note,
        }

    def __str__(self) -> str:
        return self.summary()

"""The async stream handle: iterate it directly, or await it first (google-genai style)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class AsyncStream(Generic[T]):
    """``async for chunk in client.aio.chat.stream(...)`` and ``... in await ...`` both work."""

    def __init__(self, iterator: AsyncIterator[T]) -> None:
        self._iterator = iterator

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterator

    def __await__(self) -> Generator[Any, None, AsyncStream[T]]:
        return self._ready().__await__()

    async def _ready(self) -> AsyncStream[T]:
        return self

    async def aclose(self) -> None:
        """Close the underlying connection early."""
        close = getattr(self._iterator, "aclose", None)
        if close is not None:
            await close()

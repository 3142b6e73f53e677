"""The client's side of costs: what each answer used, its cost, and the budget check before a
call is sent. Every model call of :class:`~yescale.YEScaleClient` goes through a :class:`Meter`
(on its :class:`~yescale._http.Call`, or around its stream), so the frameworks never count."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..translate.gemini_chat import gemini_usage as openai_usage
from ..types._base import Priced
from ..types.chat import ChatCompletion, ChatCompletionChunk
from ..types.embeddings import EmbeddingResponse
from ..types.gemini import GenerateContentResponse
from ..types.gemini_embeddings import BatchEmbedContentsResponse, EmbedContentResponse
from ..types.images import ImagesResponse
from ..types.media import MediaTask
from ..types.messages import Message
from .catalog import current_prices
from .prices import Cost, Usage
from .tracking import check_budget, record_cost

__all__ = [
    "Meter",
    "chat_usage",
    "embedding_usage",
    "gemini_embedding_usage",
    "gemini_usage",
    "image_usage",
    "media_cost",
    "messages_usage",
    "reported_chat_usage",
    "reported_gemini_usage",
    "task_usage",
]

T = TypeVar("T")
C = TypeVar("C")

UNCOUNTED = Usage(counted=False)


def chat_usage(answer: ChatCompletion | ChatCompletionChunk) -> Usage:
    usage = answer.usage
    if usage is None:
        return UNCOUNTED
    return Usage(usage.prompt_tokens, usage.completion_tokens)


def embedding_usage(answer: EmbeddingResponse) -> Usage:
    if answer.usage is None:
        return UNCOUNTED
    return Usage(answer.usage.prompt_tokens or answer.usage.total_tokens, 0)


def gemini_embedding_usage(answer: EmbedContentResponse | BatchEmbedContentsResponse) -> Usage:
    """Gemini-native embeddings: the prompt tokens when the answer counts them (Gemini often
    does not for embeddings: the cost is then "unknown", as for any uncounted answer)."""
    usage = answer.usage_metadata
    if usage is None or not (usage.prompt_token_count or usage.total_token_count):
        return UNCOUNTED
    return Usage(usage.prompt_token_count or usage.total_token_count or 0, 0)


def gemini_usage(answer: GenerateContentResponse) -> Usage:
    """Gemini's counts as OpenAI's (thoughts are output: :func:`~yescale.translate.gemini_chat.
    gemini_usage`); in a stream they are the counts so far."""
    usage = openai_usage(answer.usage_metadata)
    return UNCOUNTED if usage is None else Usage(usage.prompt_tokens, usage.completion_tokens)


def messages_usage(answer: Message) -> Usage:
    """Anthropic's counts: ``input_tokens`` excludes cached tokens, so cache writes and reads are
    added to it, all at the full input price (assumption 5: an upper bound for cache reads;
    Anthropic bills cache writes above the input price, which this does not add)."""
    usage = answer.usage
    if usage is None or (usage.input_tokens is None and usage.output_tokens is None):
        return UNCOUNTED
    return Usage(usage.prompt_tokens, usage.output_tokens or 0)


def reported_chat_usage(chunk: ChatCompletionChunk) -> Usage | None:
    """A stream chunk's usage, when it carries one (the last chunk does)."""
    return None if chunk.usage is None else chat_usage(chunk)


def reported_gemini_usage(chunk: GenerateContentResponse) -> Usage | None:
    return None if chunk.usage_metadata is None else gemini_usage(chunk)


def image_usage(images: int) -> Callable[[ImagesResponse], Usage]:
    """Tokens when the answer counts them; ``images`` units (per-request billing) either way."""

    def usage(answer: ImagesResponse) -> Usage:
        count = len(answer.data) or images
        if answer.usage is None:
            return Usage(units=count, counted=False)
        return Usage(answer.usage.input_tokens or 0, answer.usage.output_tokens or 0, count)

    return usage


def task_usage(_task: MediaTask) -> Usage:
    return Usage()


def media_cost(model: str) -> Cost:
    """The cost of one media task of ``model`` (charged at submit: assumption 6)."""
    return current_prices().cost(model, Usage())


@dataclass(frozen=True)
class Meter(Generic[T]):
    """Checks the budget before a call to ``model`` and counts its answer after it."""

    model: str
    usage: Callable[[T], Usage]

    def before(self) -> None:
        check_budget(self.model)

    def after(self, answer: T) -> T:
        cost = current_prices().cost(self.model, self.usage(answer))
        _attach(answer, cost)
        record_cost(cost)
        return answer

    def stream(self, chunks: Iterator[C], usage: Callable[[C], Usage | None]) -> Iterator[C]:
        """``chunks``, counted once when the stream ends (however it ends): the last chunk that
        reports usage carries the cost; a stream that never reports it costs "unknown"."""
        last: Usage | None = None
        holder: C | None = None
        try:
            for chunk in chunks:
                found = usage(chunk)
                if found is not None:
                    last, holder = found, chunk
                    _attach(chunk, current_prices().cost(self.model, found))
                yield chunk
        finally:
            self._count(last, holder)
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    async def astream(
        self, chunks: AsyncIterator[C], usage: Callable[[C], Usage | None]
    ) -> AsyncIterator[C]:
        """Async twin of :meth:`stream`."""
        last: Usage | None = None
        holder: C | None = None
        try:
            async for chunk in chunks:
                found = usage(chunk)
                if found is not None:
                    last, holder = found, chunk
                    _attach(chunk, current_prices().cost(self.model, found))
                yield chunk
        finally:
            self._count(last, holder)
            close = getattr(chunks, "aclose", None)
            if close is not None:
                await close()

    def _count(self, usage: Usage | None, holder: Any) -> None:
        cost = getattr(holder, "cost", None)
        if not isinstance(cost, Cost):
            cost = current_prices().cost(self.model, usage or UNCOUNTED)
        record_cost(cost)


def _attach(answer: Any, cost: Cost) -> None:
    if isinstance(answer, Priced):
        answer.attach_cost(cost)

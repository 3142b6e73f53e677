"""Constructor options that mean the same in every framework, declared once.

Each is a pydantic mixin: a framework class inherits it next to its framework base, so the
LangChain and LlamaIndex classes of one capability take the same options, with the same defaults,
bounds and documentation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AliasChoices, BaseModel, Field, PrivateAttr, model_validator

from .. import embedding_batches
from ..resources.media import DEFAULT_POLL_INTERVAL, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from .._client import YEScaleClient
    from ..tools.images import ImageGenerator
    from ..tools.media import MediaTaskRunner

__all__ = ["EmbeddingOptions", "GeminiOptions", "ToolOptions", "max_in_flight"]


class GeminiOptions(BaseModel):
    """What only Gemini's native endpoint takes: thinking, built-in tools, safety settings and
    any other ``generationConfig`` field."""

    top_k: int | None = None
    """Sample from the ``top_k`` most likely tokens."""
    thinking_budget: int | None = None
    """Thinking tokens: ``0`` disables thinking, ``-1`` lets the model decide."""
    include_thoughts: bool | None = None
    """Return thought summaries (as reasoning / thinking blocks)."""
    google_search: bool = False
    """Ground answers with Google Search (the metadata comes with the answer)."""
    url_context: bool = False
    """Let the model read URLs given in the prompt."""
    code_execution: bool = False
    """Let the model run code (the code and its output come back as content blocks)."""
    response_modalities: list[str] | None = None
    """What to answer with: ``["TEXT"]``, ``["IMAGE"]``, ``["TEXT", "IMAGE"]`` (the image models)
    or ``["AUDIO"]`` (the speech models; set for you when a voice is given)."""
    aspect_ratio: str | None = None
    """Image models: ``"1:1"``, ``"16:9"``, ``"9:16"``, ``"4:3"``, ... (``imageConfig``)."""
    image_size: str | None = None
    """Image models that take it (gemini-3-pro-image): ``"1K"``, ``"2K"`` or ``"4K"``."""
    voice: str | None = None
    """Speech models: a prebuilt voice such as ``"Kore"`` or ``"Puck"`` (``speechConfig``)."""
    speech_config: dict[str, Any] | None = None
    """Speech models: Gemini's ``speechConfig`` as is (another voice, several speakers,
    ``languageCode``); ``voice`` is merged into it."""
    safety_settings: list[dict[str, Any]] | None = None
    """Gemini ``safetySettings``, as is."""
    generation_config: dict[str, Any] | None = None
    """Extra ``generationConfig`` fields (camelCase), sent as is."""

    @model_validator(mode="after")
    def _check_media_switches(self) -> GeminiOptions:
        # a bad modality, aspect ratio or voice is refused when the model is made
        from ..translate.gemini_generation import gemini_params

        names = ("response_modalities", "aspect_ratio", "image_size", "voice", "speech_config")
        gemini_params({name: getattr(self, name) for name in names}, None)
        return self


class EmbeddingOptions(BaseModel):
    """How texts are batched, sent and decoded, the same for every embeddings class."""

    dimensions: int | None = Field(default=None, ge=1)
    """Vector length for models that can shorten them (``text-embedding-3-*``, Gemini)."""
    max_concurrency: int = Field(default=embedding_batches.DEFAULT_MAX_CONCURRENCY, ge=1)
    """Requests in flight at once: threads on the sync path (default 8); tasks on the async path,
    where, when it is not set, up to ``DEFAULT_ASYNC_MAX_CONCURRENCY`` (32) go at once."""
    max_batch_tokens: int = Field(default=embedding_batches.DEFAULT_MAX_BATCH_TOKENS, ge=1)
    """Estimated tokens per request (the service takes 300k)."""
    encoding_format: Literal["float", "base64"] = "base64"
    """``"base64"``: smaller answers, decoded to floats here."""
    empty: embedding_batches.EmptyPolicy = "space"
    """Empty or whitespace-only texts: ``"space"`` embeds them as ``" "``; ``"error"`` refuses."""
    show_progress: bool = Field(
        default=False, validation_alias=AliasChoices("show_progress", "show_progress_bar")
    )
    """A progress bar (texts embedded / total) while embedding a batch of texts, never for a
    single query: tqdm when installed (a widget in notebooks), else one line on stderr. Off by
    default. ``show_progress_bar`` (``OpenAIEmbeddings``' spelling) is accepted too; LlamaIndex's
    per-call ``show_progress=True`` shows the same bar."""
    api: Literal["auto", "openai", "gemini"] = "auto"
    """Which endpoint: ``"auto"`` sends Gemini embedding models (``gemini-embedding-001``,
    ``text-embedding-004``, ...) to Gemini's native ``batchEmbedContents`` and every other model
    to ``/v1/embeddings``; ``"gemini"`` / ``"openai"`` force one."""
    query_task_type: str = "RETRIEVAL_QUERY"
    """Gemini route: the ``taskType`` of queries (``embed_query``, ``get_query_embedding``); any
    case (``"retrieval_query"``), sent as Gemini spells it."""
    document_task_type: str = "RETRIEVAL_DOCUMENT"
    """Gemini route: the ``taskType`` of documents (``embed_documents``, text embeddings)."""

    _limit: embedding_batches.ConcurrencyLimit | None = PrivateAttr(default=None)
    _alimit: embedding_batches.ConcurrencyLimit | None = PrivateAttr(default=None)

    def _concurrency(self, asynchronous: bool) -> embedding_batches.ConcurrencyLimit:
        """One limit per object and path (threads, tasks), so concurrent calls together stay
        within :func:`max_in_flight`; rebuilt only when ``max_concurrency`` changed."""
        limit = max_in_flight(self, asynchronous)
        current = self._alimit if asynchronous else self._limit
        if current is None or current.limit != limit:
            current = embedding_batches.ConcurrencyLimit(limit)
            if asynchronous:
                self._alimit = current
            else:
                self._limit = current
        return current

    @model_validator(mode="after")
    def _normalise_task_types(self) -> EmbeddingOptions:
        # a bad task type is refused when the class is built; stored as Gemini spells it
        from ..resources.gemini_embeddings import check_task_type

        for name in ("query_task_type", "document_task_type"):
            self.__dict__[name] = check_task_type(getattr(self, name))
        return self


def max_in_flight(options: EmbeddingOptions, asynchronous: bool) -> int:
    """How many requests an embeddings object keeps in flight: its ``max_concurrency`` on the
    sync path (threads), and on the async path when the caller set it; else, on the async path,
    :data:`~yescale.embedding_batches.DEFAULT_ASYNC_MAX_CONCURRENCY` (tasks cost no thread)."""
    if asynchronous and "max_concurrency" not in options.model_fields_set:
        return embedding_batches.DEFAULT_ASYNC_MAX_CONCURRENCY
    return options.max_concurrency


class ToolOptions(BaseModel):
    """Where tool results go, which local inputs a tool may read, how media tasks are waited
    for, and the time functions tests inject."""

    output_dir: Path | None = None
    """Folder results are saved in (created if missing); ``None`` keeps images as bytes and
    media results as URLs."""
    allowed_input_dirs: list[Path] = Field(default_factory=list)
    """Local folders input-image paths may come from. Empty by default: an agent cannot make
    a tool upload arbitrary local files."""
    poll_interval: float = Field(default=DEFAULT_POLL_INTERVAL, gt=0)
    """Media tasks: first wait between polls, in seconds (grows to 30 s)."""
    task_timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0)
    """Media tasks: seconds to wait before giving up with the task id (resume with it)."""
    wait: bool = True
    """Media tasks: wait for the result (default), or return the task id at once."""
    show_progress: bool = Field(
        default=False, validation_alias=AliasChoices("show_progress", "show_progress_bar")
    )
    """Media tasks: a progress bar while waiting (task id, status, percent; closed with the
    reason when the task fails or the wait times out), tqdm when installed (a widget in
    notebooks), else lines on stderr. Off by default: a library prints nothing unasked."""
    sleep: Callable[[float], None] | None = Field(default=None, exclude=True)
    """Injectable ``time.sleep`` for polling and retries (tests replay without waiting)."""
    async_sleep: Callable[[float], Awaitable[None]] | None = Field(default=None, exclude=True)
    """Injectable ``asyncio.sleep``."""
    clock: Callable[[], float] | None = Field(default=None, exclude=True)
    """Injectable ``time.monotonic`` for task deadlines."""

    def time_functions(self) -> dict[str, Any]:
        """The injected time functions, as :class:`~yescale.YEScaleClient` takes them (empty
        when none is: the client may then be shared)."""
        given = {"sleep": self.sleep, "async_sleep": self.async_sleep, "clock": self.clock}
        return {name: value for name, value in given.items() if value is not None}

    def image_generator(
        self, client: YEScaleClient, model: str, defaults: dict[str, Any]
    ) -> ImageGenerator:
        """The image generator these options describe, for ``model`` on ``client``."""
        from ..tools.images import ImageGenerator

        return ImageGenerator(
            client,
            model=model,
            output_dir=self.output_dir,
            allowed_input_dirs=self.allowed_input_dirs,
            defaults=defaults,
        )

    def media_runner(self, client: YEScaleClient, resume_hint: str) -> MediaTaskRunner:
        """The media-task runner these options describe, on ``client``."""
        from ..tools.media import MediaTaskRunner

        return MediaTaskRunner(
            client,
            output_dir=self.output_dir,
            allowed_input_dirs=self.allowed_input_dirs,
            poll_interval=self.poll_interval,
            task_timeout=self.task_timeout,
            wait=self.wait,
            resume_hint=resume_hint,
        )

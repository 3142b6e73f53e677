"""Progress bars for long waits (``yescale.integration.progress``), and the framework flags that
ask for them: silent by default, the updates reach the bar when asked, the media bar always
names its task and is closed on a failure too.

Offline: services are ``httpx.MockTransport`` handlers, media polling runs on a fake clock, and
tqdm is either replaced by a recording fake (``tqdm.auto`` in ``sys.modules``) or hidden (the
plain stderr fallback). Nothing here measures time.
"""

from __future__ import annotations

import json
import re
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

import httpx
import pytest

from yescale.errors import TaskFailedError, TaskTimeoutError
from yescale.integration.progress import (
    CountingBar,
    MediaTaskBar,
    counting_bar,
    media_task_bar,
)
from yescale.tools import MediaProgress
from yescale.types.media import MediaTask

from .conftest import API_KEY, FakeClock, json_response

ROOT = Path(__file__).resolve().parents[2]
TASK_ID = "yescale-sora-2-progress-0123456789"
VIDEO_URL = "https://cdn.yescale.io/results/progress.mp4"


# -- a recording tqdm, and tqdm hidden ---------------------------------------------------------


class FakeTqdm:
    """Records what a bar is given (``tqdm.auto.tqdm``'s calls the bars make)."""

    bars: ClassVar[list[FakeTqdm]] = []

    def __init__(self, iterable: Any = None, **options: Any) -> None:
        self.iterable = iterable
        self.options = options
        self.total = options.get("total")
        self.desc: str = options.get("desc") or ""
        self.n: float = 0
        self.values: list[float] = []
        self.postfixes: list[str] = []
        self.closed = False
        FakeTqdm.bars.append(self)

    def __iter__(self) -> Iterator[Any]:
        for item in self.iterable:
            self.update(1)
            yield item

    def update(self, count: float = 1) -> None:
        self.n += count
        self.values.append(self.n)

    def set_postfix_str(self, text: str = "", refresh: bool = True) -> None:
        self.postfixes.append(text)

    def refresh(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_tqdm(monkeypatch: pytest.MonkeyPatch) -> type[FakeTqdm]:
    module = types.ModuleType("tqdm.auto")
    module.tqdm = FakeTqdm  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm.auto", module)
    monkeypatch.setattr(FakeTqdm, "bars", [])
    return FakeTqdm


@pytest.fixture
def no_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if tqdm were not installed: ``import tqdm.auto`` raises ImportError."""
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)


def nothing_printed(capsys: pytest.CaptureFixture[str]) -> None:
    out, err = capsys.readouterr()
    assert (out, err) == ("", "")


# -- the bars themselves -----------------------------------------------------------------------


def progress(status: str, percent: float | None, state: str = "running") -> MediaProgress:
    shown = None if percent is None else f"{percent:.0f}%"
    return MediaProgress(TASK_ID, status, shown, percent, state, "sora-2")


def test_bars_not_asked_for_are_none_and_print_nothing(
    capsys: pytest.CaptureFixture[str], fake_tqdm: type[FakeTqdm]
) -> None:
    with counting_bar("Embedding", show=False) as bar:
        assert bar is None
    with media_task_bar(show=False) as media:
        assert media is None
    assert fake_tqdm.bars == []
    nothing_printed(capsys)


def test_counting_bar_reports_reach_tqdm(fake_tqdm: type[FakeTqdm]) -> None:
    with counting_bar("Embedding", show=True) as bar:
        assert bar is not None
        bar(10, 25)
        bar(20, 25)
        bar(25, 25)
    (drawn,) = fake_tqdm.bars
    assert (drawn.desc, drawn.total, drawn.options["unit"]) == ("Embedding", 25, "text")
    assert drawn.values == [10, 20, 25]
    assert drawn.closed


def test_counting_bar_adds_up_pieces_scaled_to_their_size(fake_tqdm: type[FakeTqdm]) -> None:
    with CountingBar("Generating embeddings", total=30) as bar:
        first, second = bar.part(20), bar.part(10)
        first(5, 10)  # a piece of 20 texts with repeats: 10 distinct, 5 done
        second(10, 10)
        first(10, 10)
    (drawn,) = fake_tqdm.bars
    assert drawn.total == 30
    assert drawn.values == [10, 20, 30]


def test_counting_bar_without_tqdm_is_one_stderr_line(
    capsys: pytest.CaptureFixture[str], no_tqdm: None
) -> None:
    with CountingBar("Embedding") as bar:
        bar(5, 10)
        bar(10, 10)
    out, err = capsys.readouterr()
    assert out == ""
    assert "Embedding" in err
    assert "5/10" in err
    assert err.endswith("10/10\n")
    assert err.count("\n") == 1


def test_media_bar_shows_task_id_status_and_percent(fake_tqdm: type[FakeTqdm]) -> None:
    with MediaTaskBar() as bar:
        bar(progress("SUBMITTED", 0))
        bar(progress("IN_PROGRESS", 50))
        bar(MediaTask(task_id=TASK_ID, status="SUCCESS"))  # the client's own callback type
    (drawn,) = fake_tqdm.bars
    assert drawn.desc == f"Media task {TASK_ID} (sora-2)"
    assert drawn.desc.startswith(f"Media task {TASK_ID}")  # the id first: never cut off
    assert drawn.postfixes == ["SUBMITTED", "IN_PROGRESS", "SUCCESS"]
    assert drawn.n == 100  # a finished task is complete, with or without a percent
    assert 50 in drawn.values
    assert drawn.closed


def test_media_bar_is_closed_with_the_failure(fake_tqdm: type[FakeTqdm]) -> None:
    def wait() -> None:
        with MediaTaskBar() as bar:
            bar(progress("IN_PROGRESS", 40))
            failed = MediaTask(task_id=TASK_ID, status="FAILURE")
            raise TaskFailedError("failed", task_id=TASK_ID, task=failed)

    with pytest.raises(TaskFailedError):
        wait()
    (drawn,) = fake_tqdm.bars
    assert drawn.closed
    assert drawn.postfixes[-1] == "failed (FAILURE)"
    assert TASK_ID in drawn.desc


def test_media_bar_without_tqdm_names_the_task_on_every_line(
    capsys: pytest.CaptureFixture[str], no_tqdm: None
) -> None:
    def wait() -> None:
        with MediaTaskBar() as bar:
            bar(progress("SUBMITTED", None))
            bar(progress("IN_PROGRESS", 60))
            raise TaskTimeoutError("still running", task_id=TASK_ID)

    with pytest.raises(TaskTimeoutError):
        wait()
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"Media task {TASK_ID} (sora-2):") for line in lines)
    assert "SUBMITTED" in lines[0]
    assert " 60%" in lines[1]
    assert "IN_PROGRESS" in lines[1]
    assert "TaskTimeoutError" in lines[2]
    assert "IN_PROGRESS" in lines[2]


def test_media_bar_names_a_task_that_failed_before_any_report(
    capsys: pytest.CaptureFixture[str], no_tqdm: None
) -> None:
    failed = MediaTask(task_id=TASK_ID, status="FAILURE")
    with pytest.raises(TaskFailedError), media_task_bar(show=True):
        raise TaskFailedError("failed", task_id=TASK_ID, task=failed)
    err = capsys.readouterr().err
    assert TASK_ID in err
    assert "failed (FAILURE)" in err


def test_media_bar_shows_nothing_when_nothing_was_submitted(
    capsys: pytest.CaptureFixture[str], no_tqdm: None
) -> None:
    with pytest.raises(ValueError), media_task_bar(show=True):
        raise ValueError("bad input, no task")
    nothing_printed(capsys)


def test_bar_code_lives_once() -> None:
    """tqdm is used in one module; the framework packages import the shared bars."""
    users = sorted(
        str(path.relative_to(ROOT))
        for package in ("yescale", "langchain_yescale", "llama_index_yescale")
        for path in (ROOT / package).rglob("*.py")
        if re.search(r"from tqdm|import tqdm|[\"']tqdm\.auto", path.read_text())
    )
    assert users == ["yescale/integration/progress.py"]


def test_progress_names_are_public_through_the_integration_package() -> None:
    import yescale.integration as integration

    for name in ("CountingBar", "MediaTaskBar", "counting_bar", "media_task_bar"):
        assert name in integration.__all__
        assert getattr(integration, name).__module__ == "yescale.integration.progress"


# -- media: a scripted service -----------------------------------------------------------------


class MediaService:
    """``POST /task/submit`` then polls answering ``statuses`` in turn; the CDN file last."""

    def __init__(self, *statuses: tuple[str, str | None]) -> None:
        self.statuses = list(statuses)
        self.polls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "cdn.yescale.io":
            return httpx.Response(200, content=b"\x00mp4", headers={"content-type": "video/mp4"})
        if request.url.path == "/task/submit":
            return json_response({"task_id": TASK_ID, "status": "SUBMITTED", "progress": "0%"})
        assert request.url.path == f"/task/{TASK_ID}"
        status, percent = self.statuses[min(self.polls, len(self.statuses) - 1)]
        self.polls += 1
        body: dict[str, Any] = {"task_id": TASK_ID, "status": status}
        if percent is not None:
            body["progress"] = percent
        if status == "SUCCESS":
            body["task_result"] = {"url": VIDEO_URL, "url_expires_at": "2030-01-01 12:00:00"}
        if status == "FAILURE":
            body["fail_reason"] = "flagged by the content policy"
        return json_response(body)


SUCCEEDS = (("IN_PROGRESS", "50%"), ("SUCCESS", "100%"))
FAILS = (("IN_PROGRESS", "30%"), ("FAILURE", None))
NEVER_ENDS = (("IN_PROGRESS", "60%"),)


def media_options(service: MediaService, **options: Any) -> dict[str, Any]:
    clock = FakeClock()
    transport = httpx.MockTransport(service)
    return {
        "api_key": API_KEY,
        "http_client": httpx.Client(transport=transport),
        "sleep": clock.sleep,
        "async_sleep": clock.async_sleep,
        "clock": clock,
        **options,
    }


def lc_media_tool(service: MediaService, **options: Any) -> Any:
    from langchain_yescale import YEScaleMediaTaskTool

    opts = media_options(service, **options)
    opts["http_async_client"] = httpx.AsyncClient(transport=httpx.MockTransport(service))
    return YEScaleMediaTaskTool(**opts)


def li_spec(service: MediaService, **options: Any) -> Any:
    from llama_index_yescale import YEScaleToolSpec

    opts = media_options(service, **options)
    opts["async_http_client"] = httpx.AsyncClient(transport=httpx.MockTransport(service))
    return YEScaleToolSpec(**opts)


ARGS = {"model": "sora-2", "prompt": "a cat surfing"}


class CustomEvents:
    """A LangChain callback handler collecting ``yescale_media_progress`` events."""

    def __init__(self) -> None:
        from langchain_core.callbacks import BaseCallbackHandler

        events: list[dict[str, Any]] = []

        class Handler(BaseCallbackHandler):
            def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kw: Any) -> None:
                events.append(data)

        self.events = events
        self.handler = Handler()


def test_langchain_media_tool_is_silent_by_default(
    capsys: pytest.CaptureFixture[str], fake_tqdm: type[FakeTqdm]
) -> None:
    tool = lc_media_tool(MediaService(*SUCCEEDS))
    assert tool.show_progress is False
    tool.invoke(ARGS)
    assert fake_tqdm.bars == []
    nothing_printed(capsys)


def test_langchain_media_tool_show_progress_draws_the_wait(fake_tqdm: type[FakeTqdm]) -> None:
    tool = lc_media_tool(MediaService(*SUCCEEDS), show_progress=True)
    events = CustomEvents()
    content = tool.invoke(ARGS, config={"callbacks": [events.handler]})
    assert f"Media task {TASK_ID} (sora-2) succeeded." in content
    (drawn,) = fake_tqdm.bars
    assert TASK_ID in drawn.desc
    assert drawn.postfixes == ["SUBMITTED", "IN_PROGRESS", "SUCCESS"]
    assert drawn.n == 100
    assert drawn.closed
    # the callbacks' custom events are dispatched as before, bar or not
    assert [e["status"] for e in events.events] == ["SUBMITTED", "IN_PROGRESS", "SUCCESS"]


async def test_langchain_media_tool_show_progress_async(fake_tqdm: type[FakeTqdm]) -> None:
    tool = lc_media_tool(MediaService(*SUCCEEDS), show_progress=True)
    events = CustomEvents()
    await tool.ainvoke(ARGS, config={"callbacks": [events.handler]})
    (drawn,) = fake_tqdm.bars
    assert drawn.postfixes == ["SUBMITTED", "IN_PROGRESS", "SUCCESS"]
    assert drawn.closed
    assert [e["status"] for e in events.events] == ["SUBMITTED", "IN_PROGRESS", "SUCCESS"]


def test_langchain_media_tool_bar_closed_on_failure_with_task_id(
    capsys: pytest.CaptureFixture[str], no_tqdm: None
) -> None:
    tool = lc_media_tool(MediaService(*FAILS), show_progress=True)
    message = tool.invoke({"type": "tool_call", "id": "c1", "name": tool.name, "args": ARGS})
    assert message.status == "error"  # the model reads the failure, as before
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert all(TASK_ID in line for line in lines)
    assert "failed (FAILURE)" in lines[-1]


def test_langchain_media_tool_takes_show_progress_bar_too() -> None:
    tool = lc_media_tool(MediaService(*SUCCEEDS), show_progress_bar=True)
    assert tool.show_progress is True


def test_llamaindex_spec_is_silent_by_default(
    capsys: pytest.CaptureFixture[str], fake_tqdm: type[FakeTqdm]
) -> None:
    spec = li_spec(MediaService(*SUCCEEDS))
    spec.generate_media("sora-2", "a cat surfing")
    assert fake_tqdm.bars == []
    nothing_printed(capsys)


def test_llamaindex_spec_show_progress_draws_the_wait(fake_tqdm: type[FakeTqdm]) -> None:
    spec = li_spec(MediaService(*SUCCEEDS), show_progress=True)
    outcome = spec.generate_media("sora-2", "a cat surfing")
    assert outcome.state == "succeeded"
    (drawn,) = fake_tqdm.bars
    assert drawn.desc == f"Media task {TASK_ID} (sora-2)"
    assert drawn.postfixes == ["SUBMITTED", "IN_PROGRESS", "SUCCESS"]
    assert drawn.closed


async def test_llamaindex_spec_timeout_then_resume_async(fake_tqdm: type[FakeTqdm]) -> None:
    service = MediaService(*NEVER_ENDS)
    spec = li_spec(service, show_progress=True, poll_interval=5, task_timeout=10)
    with pytest.raises(TaskTimeoutError) as info:
        await spec.agenerate_media("sora-2", "a cat surfing")
    assert info.value.task_id == TASK_ID
    stopped = fake_tqdm.bars[0]
    assert stopped.closed
    assert TASK_ID in stopped.desc
    assert "TaskTimeoutError" in stopped.postfixes[-1]
    service.statuses = list(SUCCEEDS)
    outcome = await spec.aget_media_task(TASK_ID)
    assert outcome.state == "succeeded"
    resumed = fake_tqdm.bars[1]
    assert resumed.desc.startswith(f"Media task {TASK_ID}")
    assert resumed.closed


# -- embeddings --------------------------------------------------------------------------------


def embeddings_service(sent: list[int]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        inputs = json.loads(request.content)["input"]
        sent.append(len(inputs))
        data = [
            {"object": "embedding", "index": i, "embedding": [0.1, 0.2]} for i in range(len(inputs))
        ]
        return json_response({"object": "list", "data": data, "model": "text-embedding-3-small"})

    return answer


def li_embedding(sent: list[int], **options: Any) -> Any:
    from llama_index_yescale import YEScaleEmbedding

    transport = httpx.MockTransport(embeddings_service(sent))
    return YEScaleEmbedding(
        api_key=API_KEY,
        http_client=httpx.Client(transport=transport),
        async_http_client=httpx.AsyncClient(transport=transport),
        encoding_format="float",
        **options,
    )


def lc_embeddings(sent: list[int], **options: Any) -> Any:
    from langchain_yescale import YEScaleEmbeddings

    transport = httpx.MockTransport(embeddings_service(sent))
    return YEScaleEmbeddings(
        api_key=API_KEY,
        http_client=httpx.Client(transport=transport),
        http_async_client=httpx.AsyncClient(transport=transport),
        encoding_format="float",
        **options,
    )


TEXTS = [f"text {i}" for i in range(25)]


async def test_embeddings_are_silent_by_default(
    capsys: pytest.CaptureFixture[str], fake_tqdm: type[FakeTqdm]
) -> None:
    sent: list[int] = []
    li = li_embedding(sent, embed_batch_size=10)
    li.get_text_embedding_batch(TEXTS)
    await li.aget_text_embedding_batch(TEXTS)
    lc = lc_embeddings(sent, chunk_size=10)
    lc.embed_documents(TEXTS)
    await lc.aembed_documents(TEXTS)
    assert sent
    assert fake_tqdm.bars == []
    nothing_printed(capsys)


def test_llamaindex_show_progress_counts_embedded_texts(fake_tqdm: type[FakeTqdm]) -> None:
    sent: list[int] = []
    model = li_embedding(sent, embed_batch_size=10, request_batch_size=5, max_concurrency=1)
    vectors = model.get_text_embedding_batch(TEXTS, show_progress=True)
    assert len(vectors) == 25
    # one bar (LlamaIndex's own, which counts texts handed over, is not drawn as well)
    (drawn,) = fake_tqdm.bars
    assert drawn.iterable is None
    assert (drawn.desc, drawn.total) == ("Generating embeddings", 25)
    # it moves as requests return: 5 texts per request, LlamaIndex's pieces of 10 added up
    assert drawn.values == [5, 10, 15, 20, 25]
    assert drawn.closed
    assert sent == [5] * 5


async def test_llamaindex_show_progress_async_with_workers(fake_tqdm: type[FakeTqdm]) -> None:
    sent: list[int] = []
    model = li_embedding(sent, embed_batch_size=10, num_workers=2)
    vectors = await model.aget_text_embedding_batch(TEXTS, show_progress=True)
    assert len(vectors) == 25
    (drawn,) = fake_tqdm.bars
    assert (drawn.desc, drawn.total, drawn.n) == ("Generating embeddings", 25, 25)
    assert drawn.values == sorted(drawn.values)
    assert len(drawn.values) >= 3  # one step per returned piece at least
    assert drawn.closed


def test_llamaindex_show_progress_from_an_index_build(fake_tqdm: type[FakeTqdm]) -> None:
    """``VectorStoreIndex(nodes, show_progress=True)`` hands the flag down to our bar."""
    from llama_index.core import VectorStoreIndex
    from llama_index.core.schema import TextNode

    sent: list[int] = []
    model = li_embedding(sent, embed_batch_size=10)
    nodes = [TextNode(text=text) for text in TEXTS]
    VectorStoreIndex(nodes, embed_model=model, show_progress=True)
    ours = [bar for bar in fake_tqdm.bars if bar.total == 25 and bar.iterable is None]
    assert len(ours) == 1
    assert ours[0].n == 25


def test_llamaindex_show_progress_option_and_queries(
    capsys: pytest.CaptureFixture[str], fake_tqdm: type[FakeTqdm]
) -> None:
    sent: list[int] = []
    model = li_embedding(sent, show_progress=True)
    model.get_query_embedding("q")
    model.get_text_embedding("t")
    assert fake_tqdm.bars == []  # one text is no long job
    model.get_text_embedding_batch(TEXTS)
    (drawn,) = fake_tqdm.bars
    assert drawn.n == 25
    assert li_embedding(sent, show_progress_bar=True).show_progress is True


def test_langchain_show_progress_uses_the_shared_bar(fake_tqdm: type[FakeTqdm]) -> None:
    sent: list[int] = []
    model = lc_embeddings(sent, chunk_size=10, max_concurrency=1, show_progress=True)
    model.embed_documents(TEXTS)
    model.embed_query("q")
    (drawn,) = fake_tqdm.bars
    assert (drawn.desc, drawn.total) == ("Embedding", 25)
    assert drawn.values == [10, 20, 25]
    assert drawn.closed

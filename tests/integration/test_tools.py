"""The tools end to end over replayed cassettes: LangChain tools, the LlamaIndex tool spec, and
agents in both frameworks that call them.

Polling never sleeps: the tools get ``sleep`` / ``async_sleep`` / ``clock`` that only advance a
fake clock, so replayed media tasks (and their timeouts) run instantly.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import ToolMessage
from llama_index.core.base.llms.types import (
    ImageBlock,
    TextBlock,
)
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from pydantic import BaseModel, Field

import yescale
from langchain_yescale import (
    YEScaleGeminiStructuredOutputTool,
    YEScaleImageGenerationTool,
    YEScaleMediaTaskTool,
    YEScaleStructuredOutputToolError,
    YEScaleTaskFailedToolError,
    YEScaleTaskTimeoutToolError,
)
from llama_index_yescale import YEScale, YEScaleToolSpec
from llama_index_yescale.tools import YEScaleMediaTaskProgressEvent, YEScaleMediaTaskResultEvent
from tests.faults.support import FakeClock
from tests.synth.answers_tools import (
    AGENT_IMAGE_ARGS,
    AGENT_MEDIA_ARGS,
    REF_GPT_IMAGE_PROMPT,
    REF_RECIPE_TEXT,
    REF_SORA_PROMPT,
    REF_SORA_TASK,
    TINY_MP4,
    TINY_PNG,
    TINY_PNG_B64,
)

CDN_IMAGE = "https://cdn.yescale.vip/yescale-gpt-image-e3cb4a854f7e.png"  # REF: media-task-api.txt
REF_SORA_URL = "https://cdn.yescale.vip/yescale-sora-2-eefd4aad095d.mp4"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(0.0)


class CustomEvents(BaseCallbackHandler):
    """Collects LangChain custom events (``dispatch_custom_event``)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.events.append((name, data))


class Collect(BaseEventHandler):
    """Collects LlamaIndex instrumentation events."""

    events: list[BaseEvent] = Field(default_factory=list)

    @classmethod
    def class_name(cls) -> str:
        return "Collect"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.events.append(event)


@pytest.fixture
def llama_events() -> Iterator[Collect]:
    handler = Collect()
    root = get_dispatcher()
    root.add_event_handler(handler)
    yield handler
    root.event_handlers.remove(handler)


def call(tool: Any, args: dict[str, Any]) -> ToolMessage:
    message = tool.invoke({"type": "tool_call", "id": "call-1", "name": tool.name, "args": args})
    assert isinstance(message, ToolMessage)
    return message


async def acall(tool: Any, args: dict[str, Any]) -> ToolMessage:
    message = await tool.ainvoke(
        {"type": "tool_call", "id": "call-1", "name": tool.name, "args": args}
    )
    assert isinstance(message, ToolMessage)
    return message


def assert_no_base64(text: str) -> None:
    assert TINY_PNG_B64 not in text
    assert TINY_PNG_B64[:24] not in text
    assert "data:image/" not in text


# -- images ---------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_image_generate_b64_saved_to_files(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    tool = YEScaleImageGenerationTool(output_dir=out)
    message = call(tool, {"prompt": "A red fox in the snow!", "size": "1536x1024", "n": 2})
    assert isinstance(message.content, str)
    assert_no_base64(message.content)
    assert message.content.startswith("Generated 2 images with gpt-image-1:")
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [
        "gpt-image-1_a-red-fox-in-the-snow_1.png",
        "gpt-image-1_a-red-fox-in-the-snow_2.png",
    ]
    for file in files:
        assert file.read_bytes() == TINY_PNG
        assert str(file) in message.content
    artifact = message.artifact
    assert [i["path"] for i in artifact["images"]] == [str(f) for f in files]
    assert all(i["data"] is None for i in artifact["images"])
    assert artifact["usage"]["total_tokens"] == 4255


@pytest.mark.vcr
def test_image_same_prompt_twice_never_overwrites(tmp_path: Path) -> None:
    spec = YEScaleToolSpec(output_dir=tmp_path)
    first = spec.generate_image("A red fox")
    second = spec.generate_image("A red fox")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["gpt-image-1_a-red-fox_1-2.png", "gpt-image-1_a-red-fox_1.png"]
    assert isinstance(first[0], TextBlock)
    assert isinstance(second[0], TextBlock)
    assert "gpt-image-1_a-red-fox_1-2.png" in second[0].text


@pytest.mark.vcr
async def test_image_generate_in_memory_async() -> None:
    tool = YEScaleImageGenerationTool(image_params={"quality": "low"})
    message = await acall(tool, {"prompt": "A red fox in the snow", "background": "transparent"})
    assert isinstance(message.content, str)
    assert "kept in memory" in message.content
    assert_no_base64(message.content)
    (image,) = message.artifact["images"]
    assert image["data"] == TINY_PNG
    assert image["mime_type"] == "image/png"
    assert image["path"] is None
    assert message.artifact["params"] == {"quality": "low", "background": "transparent"}


@pytest.mark.vcr
def test_image_url_results_returned() -> None:
    tool = YEScaleImageGenerationTool(model="dall-e-3")
    message = call(tool, {"prompt": "A lighthouse at dawn", "quality": "hd", "style": "natural"})
    assert isinstance(message.content, str)
    (image,) = message.artifact["images"]
    assert image["url"].startswith("https://cdn.yescale.vip/")
    assert image["url"] in message.content
    assert "the link may expire" in message.content
    assert image["revised_prompt"] in message.content
    assert image["data"] is None


@pytest.mark.vcr
async def test_image_url_results_downloaded_into_output_dir(tmp_path: Path) -> None:
    spec = YEScaleToolSpec(image_model="dall-e-3", output_dir=tmp_path)
    blocks = await spec.agenerate_image("A lighthouse at dawn")
    text, image = blocks
    assert isinstance(text, TextBlock)
    assert isinstance(image, ImageBlock)
    (saved,) = tmp_path.iterdir()  # noqa: ASYNC240 (a test, after the call)
    assert saved.name == "dall-e-3_a-lighthouse-at-dawn_1.png"
    assert saved.read_bytes() == TINY_PNG
    assert image.path == saved
    assert str(saved) in text.text
    assert "https://cdn.yescale.vip/" in text.text


@pytest.mark.vcr
def test_image_edit_inputs_from_url_path_and_bytes(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "photo.png").write_bytes(TINY_PNG)
    sent: list[httpx.Request] = []
    tool = YEScaleImageGenerationTool(
        allowed_input_dirs=[inputs],
        http_client=httpx.Client(event_hooks={"request": [sent.append]}),
    )
    message = call(
        tool,
        {
            "prompt": "Put a wizard hat on the cat",
            "images": [CDN_IMAGE, "photo.png", TINY_PNG],
            "quality": "low",
        },
    )
    assert isinstance(message.content, str)
    assert message.content.startswith("Edited 3 images with gpt-image-1 from 3 input images")
    assert_no_base64(message.content)
    artifact = message.artifact
    assert artifact["operation"] == "edit"
    assert artifact["inputs"][0].startswith(f"url {CDN_IMAGE}")
    assert artifact["inputs"][1].startswith(f"path {inputs / 'photo.png'}")
    assert artifact["inputs"][2].startswith("bytes (image/png")
    fetch, edit = sent
    assert fetch.url == CDN_IMAGE
    assert "authorization" not in fetch.headers  # our key never goes to the image's host
    assert edit.headers["authorization"].startswith("Bearer ")


@pytest.mark.vcr
async def test_image_edit_base64_input_llamaindex() -> None:
    spec = YEScaleToolSpec()
    blocks = await spec.agenerate_image(
        "Make it blue", images=[f"data:image/png;base64,{TINY_PNG_B64}"]
    )
    assert isinstance(blocks[0], TextBlock)
    assert blocks[0].text.startswith("Edited 1 image with gpt-image-1 from 1 input image")
    assert_no_base64(blocks[0].text)
    assert isinstance(blocks[1], ImageBlock)
    assert blocks[1].image_mimetype == "image/png"


def test_image_bad_parameters_refused_before_any_request() -> None:
    # No cassette: any request would fail (network blocked, no recording).
    tool = YEScaleImageGenerationTool()
    message = call(tool, {"prompt": "A fox", "size": "512x512", "quality": "hd"})
    assert message.status == "error"
    assert "size='512x512' is not allowed" in message.content
    assert "1024x1024, 1536x1024, 1024x1536, auto" in message.content
    assert "high, medium, low, auto" in message.content

    strict = YEScaleImageGenerationTool(model="dall-e-3", handle_tool_error=False)
    with pytest.raises(yescale.InvalidRequestError, match="n=2 is not allowed"):
        strict.invoke({"prompt": "A fox", "n": 2})


def test_image_path_outside_allowed_dirs_refused(tmp_path: Path) -> None:
    tool = YEScaleImageGenerationTool(allowed_input_dirs=[tmp_path], handle_tool_error=False)
    with pytest.raises(yescale.InvalidRequestError, match="outside the allowed folders"):
        tool.invoke({"prompt": "Edit", "images": ["/etc/passwd"]})
    default = YEScaleImageGenerationTool()
    message = call(default, {"prompt": "Edit", "images": ["/etc/passwd"]})
    assert "reading local files is disabled" in message.content


# -- media tasks ----------------------------------------------------------------------------------


@pytest.mark.vcr
def test_media_success_with_progress_events_and_download(tmp_path: Path, clock: FakeClock) -> None:
    tool = YEScaleMediaTaskTool(output_dir=tmp_path, poll_interval=2, **clock.options())
    events = CustomEvents()
    message = tool.invoke(
        {
            "type": "tool_call",
            "id": "call-1",
            "name": tool.name,
            "args": {"model": "sora-2", "prompt": REF_SORA_PROMPT, "duration": 4},
        },
        config={"callbacks": [events]},
    )
    assert isinstance(message, ToolMessage)
    content = message.content
    assert isinstance(content, str)
    assert f"Media task {REF_SORA_TASK} (sora-2) succeeded." in content
    assert REF_SORA_URL in content
    assert "expires at 2025-11-11 21:54:21 (GMT+7)" in content
    saved = tmp_path / f"{REF_SORA_TASK}.mp4"
    assert f"Downloaded to {saved}" in content
    assert saved.read_bytes() == TINY_MP4
    assert message.artifact["url_expires_at"] == "2025-11-11 21:54:21"
    assert message.artifact["expires_at"] == "2025-11-11T21:54:21+07:00"
    assert message.artifact["task"]["task_result"]["note"].startswith("Link will be removed")
    assert [(name, data["status"], data["progress"]) for name, data in events.events] == [
        ("yescale_media_progress", "SUBMITTED", "0%"),
        ("yescale_media_progress", "IN_PROGRESS", "50%"),
        ("yescale_media_progress", "SUCCESS", "100%"),
    ]
    assert clock.sleeps == [2]


@pytest.mark.vcr
async def test_media_success_async_with_llamaindex_events(
    clock: FakeClock, llama_events: Collect
) -> None:
    spec = YEScaleToolSpec(**clock.options())
    outcome = await spec.agenerate_media(
        "veo3.1", "A drone shot over rice terraces", aspect_ratio="16:9", duration=8
    )
    assert outcome.state == "succeeded"
    assert outcome.url is not None
    assert outcome.url.endswith(".mp4")
    assert outcome.path is None  # no output_dir: URL only
    assert "download the file to keep it" in str(outcome)
    progress = [e for e in llama_events.events if isinstance(e, YEScaleMediaTaskProgressEvent)]
    assert [(e.status, e.progress) for e in progress] == [
        ("SUBMITTED", "0%"),
        ("IN_PROGRESS", "50%"),
        ("SUCCESS", "100%"),
    ]
    assert progress[1].percent == 50.0
    (done,) = [e for e in llama_events.events if isinstance(e, YEScaleMediaTaskResultEvent)]
    assert done.url == outcome.url


@pytest.mark.vcr
async def test_media_tasks_run_concurrently(clock: FakeClock) -> None:
    spec = YEScaleToolSpec(**clock.options())
    video, image = await asyncio.gather(
        spec.agenerate_media("sora-2", "Waves on a pebble beach", duration=4),
        spec.agenerate_media("nano-banana", "A banana wearing sunglasses", size="1024x1024"),
    )
    assert (video.state, image.state) == ("succeeded", "succeeded")
    assert video.url is not None
    assert video.url.endswith(".mp4")
    assert image.url is not None
    assert image.url.endswith(".png")


@pytest.mark.vcr
def test_media_reference_payload_sent_exactly_as_given(clock: FakeClock) -> None:
    """REF: media-task-api.txt "Submit a Task" payload; the cassette matches on the body, so
    replay proves the JSON sent is exactly ``{model, prompt, config}`` as given."""
    spec = YEScaleToolSpec(wait=False, **clock.options())
    outcome = spec.generate_media(
        "gpt-image",
        REF_GPT_IMAGE_PROMPT,
        config={
            "background": "transparent",
            "quality": "low",
            "size": "1024x1024",
            "images": ["https://cdn.yescale.vip/yescale-gpt-image-e3cb4a854f7e.png"],
        },
    )
    assert outcome.state == "submitted"
    assert outcome.task_id == "yescale-gpt-image-3bff624161c0"
    assert "was not waited for" in str(outcome)
    assert outcome.task is not None
    assert outcome.task.status == "SUBMITTED"


@pytest.mark.vcr
def test_media_input_images_path_sent_as_base64(tmp_path: Path, clock: FakeClock) -> None:
    (tmp_path / "cat.png").write_bytes(TINY_PNG)
    sent: list[httpx.Request] = []
    tool = YEScaleMediaTaskTool(
        allowed_input_dirs=[tmp_path],
        wait=False,
        http_client=httpx.Client(event_hooks={"request": [sent.append]}),
        **clock.options(),
    )
    message = call(
        tool,
        {
            "model": "wan2.5-i2v-preview",
            "prompt": "The cat starts to dance",
            "images": [str(tmp_path / "cat.png"), CDN_IMAGE, TINY_PNG_B64],
            "config": {"resolution": "720p"},
        },
    )
    assert isinstance(message.content, str)
    assert "submitted" in message.content
    assert_no_base64(message.content)
    (request,) = sent
    assert json.loads(request.content) == {
        "model": "wan2.5-i2v-preview",
        "prompt": "The cat starts to dance",
        "config": {
            "resolution": "720p",
            "images": [f"data:image/png;base64,{TINY_PNG_B64}", CDN_IMAGE, TINY_PNG_B64],
        },
    }


@pytest.mark.vcr
def test_media_failure_raises_task_failed_with_reason(clock: FakeClock) -> None:
    strict = YEScaleMediaTaskTool(handle_tool_error=False, **clock.options())
    with pytest.raises(yescale.TaskFailedError) as info:
        strict.invoke({"model": "sora-2", "prompt": "Please fail this one"})
    error = info.value
    assert isinstance(error, YEScaleTaskFailedToolError)
    assert error.reason == "The prompt was flagged by the upstream provider's content policy."
    assert error.task_id.startswith("yescale-sora-2-")
    assert error.reason in str(error)

    # Default: the model reads the failure (and can try another prompt).
    tool = YEScaleMediaTaskTool(**clock.options())
    message = call(tool, {"model": "sora-2", "prompt": "Please fail this one"})
    assert message.status == "error"
    assert "content policy" in message.content
    assert error.task_id in message.content


@pytest.mark.vcr
def test_media_timeout_then_resume_with_get_media_task(clock: FakeClock) -> None:
    spec = YEScaleToolSpec(poll_interval=5, task_timeout=10, **clock.options())
    with pytest.raises(yescale.TaskTimeoutError) as info:
        spec.generate_media("kling-2.5-turbo", "A slow sunrise over the mountains")
    error = info.value
    assert error.last_status == "IN_PROGRESS"
    assert error.progress == "60%"
    assert f"To resume here: call get_media_task with task_id={error.task_id!r}." in str(error)
    outcome = spec.get_media_task(error.task_id)
    assert outcome.state == "succeeded"
    assert outcome.task_id == error.task_id
    assert outcome.url == f"https://cdn.yescale.vip/{error.task_id}.mp4"


@pytest.mark.vcr
async def test_media_timeout_then_resume_langchain_async(clock: FakeClock) -> None:
    tool = YEScaleMediaTaskTool(
        poll_interval=5, task_timeout=10, handle_tool_error=False, **clock.options()
    )
    with pytest.raises(YEScaleTaskTimeoutToolError) as info:
        await tool.ainvoke({"model": "hailuo-2.3", "prompt": "A slow tide coming in"})
    task_id = info.value.task_id
    assert f"call yescale_media_task again with task_id={task_id!r}" in str(info.value)
    message = await acall(tool, {"task_id": task_id})
    assert isinstance(message.content, str)
    assert f"Media task {task_id} succeeded." in message.content


@pytest.mark.vcr
def test_media_wait_false_returns_task_id_then_resume(clock: FakeClock) -> None:
    quick = YEScaleMediaTaskTool(wait=False, **clock.options())
    submitted = call(quick, {"model": "sora-2-pro", "prompt": "A long documentary shot"})
    task_id = submitted.artifact["task_id"]
    assert submitted.artifact["state"] == "submitted"
    assert f"task_id {task_id!r}" in submitted.content
    looked = call(quick, {"task_id": task_id})
    assert looked.artifact["state"] == "running"
    assert "still running (status IN_PROGRESS, progress 50%)" in looked.content
    waiting = YEScaleMediaTaskTool(**clock.options())
    done = call(waiting, {"task_id": task_id})
    assert done.artifact["state"] == "succeeded"
    assert done.artifact["url"] == f"https://cdn.yescale.vip/{task_id}.mp4"


def test_media_needs_model_and_prompt_or_task_id() -> None:
    message = call(YEScaleMediaTaskTool(), {"model": "sora-2"})
    assert message.status == "error"
    assert "Give `model` and `prompt`" in message.content


# -- Gemini structured output ---------------------------------------------------------------------


class Person(BaseModel):
    """A person mentioned in the text."""

    name: str
    age: int
    city: str | None = None


@pytest.mark.vcr
def test_gemini_extraction_returns_validated_dict() -> None:
    tool = YEScaleGeminiStructuredOutputTool(schema=Person, thinking_budget=0)
    data = tool.invoke({"text": "Ada Lovelace, 36, lived in London."})
    assert data == {"name": "Ada Lovelace", "age": 36, "city": "London"}
    message = call(tool, {"text": "Ada Lovelace, 36, lived in London."})
    assert json.loads(message.content) == data  # type: ignore[arg-type]


@pytest.mark.vcr
async def test_gemini_extraction_reference_schema_llamaindex() -> None:
    """REF: gemini-structured-output.txt: the cookie-recipe schema as a JSON-schema dict."""
    schema = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "recipeName": {"type": "string"},
                "ingredients": {"type": "array", "items": {"type": "string"}},
            },
        },
    }
    spec = YEScaleToolSpec(structured_schema=schema)
    assert [t.metadata.name for t in spec.to_tool_list()][-1] == "extract_structured"
    recipes = await spec.aextract_structured(REF_RECIPE_TEXT)
    assert [r["recipeName"] for r in recipes] == [
        "Classic Chocolate Chip Cookies",
        "Hearty Oatmeal Raisin Cookies",
        "Classic Peanut Butter Cookies",
    ]
    assert json.loads(str(recipes)) == recipes


@pytest.mark.vcr
def test_gemini_invalid_json_raises_with_raw_text() -> None:
    tool = YEScaleGeminiStructuredOutputTool(schema=Person, handle_tool_error=False)
    with pytest.raises(YEScaleStructuredOutputToolError) as info:
        tool.invoke({"text": "Ada Lovelace, 36 [cut]"})
    error = info.value
    assert isinstance(error, yescale.InvalidResponseError)
    assert error.finish_reason == "MAX_TOKENS"
    assert error.raw_text.startswith("{")
    assert error.raw_text in str(error) or repr(error.raw_text) in str(error)
    assert "did not return valid JSON" in str(error)
    assert "MAX_TOKENS" in str(error)


# -- agents ---------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_langchain_agent_calls_image_and_media_tools(clock: FakeClock) -> None:
    from langchain.agents import create_agent

    from langchain_yescale import ChatYEScale

    events = CustomEvents()
    chat_requests: list[httpx.Request] = []
    agent = create_agent(
        model=ChatYEScale(
            model="gpt-4o-mini",
            temperature=0,
            http_client=httpx.Client(event_hooks={"request": [chat_requests.append]}),
        ),
        tools=[YEScaleImageGenerationTool(), YEScaleMediaTaskTool(**clock.options())],
        system_prompt="You make images and videos with the tools you have.",
    )
    state = agent.invoke(
        {"messages": [{"role": "user", "content": "Draw a lighthouse, then animate it."}]},
        config={"callbacks": [events]},
    )
    messages = state["messages"]
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert [m.name for m in tool_messages] == ["yescale_image_generation", "yescale_media_task"]
    image, video = tool_messages
    assert image.artifact["images"][0]["data"] == TINY_PNG
    assert_no_base64(str(image.content))
    assert video.artifact["state"] == "succeeded"
    final = messages[-1].content
    assert video.artifact["url"] in final
    assert "expires" in final
    statuses = [data["status"] for name, data in events.events if name == "yescale_media_progress"]
    assert statuses == ["SUBMITTED", "IN_PROGRESS", "SUCCESS"]
    assert len(chat_requests) == 3
    for request in chat_requests:  # what the model was sent: never the image bytes
        assert_no_base64(request.content.decode())
    assert messages[1].tool_calls[0]["args"] == AGENT_IMAGE_ARGS
    assert messages[3].tool_calls[0]["args"] == AGENT_MEDIA_ARGS


@pytest.mark.vcr
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # llama-index workflows' introspection
async def test_llamaindex_function_agent_calls_image_and_media_tools(
    clock: FakeClock, llama_events: Collect
) -> None:
    from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult

    chat_requests: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        chat_requests.append(request)

    llm = YEScale(
        model="gpt-4o-mini",
        temperature=0,
        async_http_client=httpx.AsyncClient(event_hooks={"request": [record]}),
    )
    spec = YEScaleToolSpec(**clock.options())
    agent = FunctionAgent(tools=spec.to_tool_list(), llm=llm, streaming=False)
    handler = agent.run(user_msg="Draw a lighthouse, then animate it.")
    results = [ev async for ev in handler.stream_events() if isinstance(ev, ToolCallResult)]
    response = await handler
    assert [r.tool_name for r in results] == ["generate_image", "generate_media"]
    image_output, media_output = (r.tool_output for r in results)
    assert isinstance(image_output.blocks[0], TextBlock)
    assert isinstance(image_output.blocks[1], ImageBlock)
    assert_no_base64(image_output.content)
    outcome = media_output.raw_output
    assert outcome.state == "succeeded"
    assert outcome.url in str(response)
    progress = [e for e in llama_events.events if isinstance(e, YEScaleMediaTaskProgressEvent)]
    assert [e.status for e in progress] == ["SUBMITTED", "IN_PROGRESS", "SUCCESS"]
    assert len(chat_requests) == 3
    for request in chat_requests:  # what the model was sent: paths/URLs, never image bytes
        assert_no_base64(request.content.decode())

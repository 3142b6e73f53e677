"""The shared tool logic (yescale.tools) and the tools' framework faces, without the network:
input images and the allowed folders, output names, media config, result texts, structured
output parsing, and base64 never reaching a model's context."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import ToolException
from llama_index.core.base.llms.types import ImageBlock, TextBlock
from pydantic import BaseModel, TypeAdapter, ValidationError

import yescale
from langchain_yescale import (
    YEScaleImageGenerationTool,
    YEScaleTaskFailedToolError,
    YEScaleToolInputError,
)
from langchain_yescale._tool_params import tool_errors
from llama_index_yescale import YEScaleToolSpec
from yescale.tools import (
    GeneratedImage,
    ImageGenerator,
    ImageResult,
    InputImageError,
    InputPolicy,
    MediaOutcome,
    MediaProgress,
    MediaTaskRunner,
    SchemaValidator,
    StructuredOutputError,
    build_config,
    classify,
    json_schema_to_type,
    safe_name,
    save_bytes,
    stem_for,
)
from yescale.tools import inputs as inputs_module
from yescale.tools.inputs import check_public_url, media_image_ref, read_local
from yescale.tools.outputs import reserve
from yescale.tools.structured import build_request, parse_response
from yescale.types.gemini import GenerateContentResponse
from yescale.types.media import MediaTask

from .conftest import Recorder, json_response, make_client

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR42mO4o6EBRAwQCgAjrgSxd194GgAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 16


# -- input images: the allowed folders ------------------------------------------------------------


@pytest.fixture
def allowed(tmp_path: Path) -> Path:
    folder = tmp_path / "allowed"
    folder.mkdir()
    (folder / "cat.png").write_bytes(PNG)
    (folder / "sub").mkdir()
    (folder / "sub" / "dog.jpg").write_bytes(JPEG)
    (folder / "notes.txt").write_text("not an image")
    return folder


def test_no_folder_is_allowed_by_default(allowed: Path) -> None:
    with pytest.raises(InputImageError, match="reading local files is disabled") as info:
        InputPolicy().read(allowed / "cat.png")
    assert "allowed_input_dirs" in str(info.value)


def test_files_inside_allowed_folders_are_read(allowed: Path) -> None:
    policy = InputPolicy([allowed])
    image = policy.read(allowed / "cat.png")
    assert (image.data, image.mime, image.source) == (PNG, "image/png", "path")
    assert policy.read("sub/dog.jpg").mime == "image/jpeg"  # relative to the allowed folder
    assert policy.read(str(allowed / "sub" / ".." / "cat.png")).data == PNG


def test_etc_passwd_is_refused(allowed: Path) -> None:
    with pytest.raises(InputImageError, match="outside the allowed folders"):
        InputPolicy([allowed]).read("/etc/passwd")


@pytest.mark.parametrize("escape", ["../outside.png", "sub/../../outside.png", "../allowed2/x.png"])
def test_dotdot_escapes_are_refused(allowed: Path, escape: str) -> None:
    (allowed.parent / "outside.png").write_bytes(PNG)
    (allowed.parent / "allowed2").mkdir()
    (allowed.parent / "allowed2" / "x.png").write_bytes(PNG)
    with pytest.raises(InputImageError, match="outside the allowed folders"):
        InputPolicy([allowed]).read(escape)
    with pytest.raises(InputImageError, match="outside the allowed folders"):
        InputPolicy([allowed]).read(str(allowed / escape))


def test_symlinks_out_of_the_folder_are_refused(allowed: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    (allowed / "link.png").symlink_to(secret)
    (allowed / "linkdir").symlink_to(tmp_path)
    (allowed / "passwd.png").symlink_to("/etc/passwd")
    policy = InputPolicy([allowed])
    for name in ("link.png", "linkdir/secret.png", "passwd.png"):
        with pytest.raises(InputImageError, match="outside the allowed folders"):
            policy.read(allowed / name)


def test_symlinks_inside_the_folder_are_fine(allowed: Path) -> None:
    (allowed / "alias.png").symlink_to(allowed / "cat.png")
    assert InputPolicy([allowed]).read(allowed / "alias.png").data == PNG


def test_an_allowed_folder_given_through_a_symlink_works(allowed: Path, tmp_path: Path) -> None:
    (tmp_path / "via").symlink_to(allowed)
    assert InputPolicy([tmp_path / "via"]).read(tmp_path / "via" / "cat.png").data == PNG


def test_non_images_missing_files_and_folders_are_refused(allowed: Path) -> None:
    policy = InputPolicy([allowed])
    with pytest.raises(InputImageError, match="not a PNG, JPEG, WEBP or GIF"):
        policy.read(allowed / "notes.txt")
    with pytest.raises(InputImageError, match="no such file"):
        policy.read(allowed / "missing.png")
    with pytest.raises(InputImageError, match="no such file"):
        policy.read(allowed / "sub")
    with pytest.raises(InputImageError, match="NUL"):
        policy.read("cat.png\x00.txt")


def test_large_files_are_refused(allowed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs_module, "MAX_INPUT_BYTES", 10)
    with pytest.raises(InputImageError, match="larger than"):
        InputPolicy([allowed]).read(allowed / "cat.png")


# -- input images: kinds ------------------------------------------------------------------------


def test_classify() -> None:
    assert classify("https://cdn.example.com/a.png") == "url"
    assert classify(" HTTP://cdn.example.com/a.png") == "url"
    assert classify(f"data:image/png;base64,{PNG_B64}") == "base64"
    assert classify(PNG_B64) == "base64"
    assert classify("cat.png") == "path"
    assert classify("/images/" + "a" * 80 + ".png") == "path"  # base64 alphabet, not an image
    assert classify(Path("cat.png")) == "path"
    assert classify(PNG) == "bytes"


def test_read_local_bytes_and_base64() -> None:
    policy = InputPolicy()
    assert read_local(PNG, policy) is not None
    assert read_local(f"data:image/png;base64,{PNG_B64}", policy).data == PNG  # type: ignore[union-attr]
    assert read_local(PNG_B64, policy).source == "base64"  # type: ignore[union-attr]
    assert read_local(WEBP, policy).mime == "image/webp"  # type: ignore[union-attr]
    assert read_local("https://cdn.example.com/a.png", policy) is None
    with pytest.raises(InputImageError, match="not a PNG"):
        read_local(b"%PDF-1.7 not an image", policy)
    with pytest.raises(InputImageError, match="does not hold"):
        read_local("data:image/png;base64,bm90IGFuIGltYWdl", policy)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a.png",
        "file:///etc/passwd",
        "http://localhost:8080/a.png",
        "http://127.0.0.1/a.png",
        "http://10.0.0.5/a.png",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/a.png",
        "http://printer.local/a.png",
        # spellings the resolver maps to loopback / "this host" although they are no IP literal
        "http://localhost./a.png",
        "http://metadata.google.internal./a",
        "http://127.1/a.png",
        "http://2130706433/a.png",
        "http://0x7f000001/a.png",
        "http://017700000001/a.png",
        "http://0/a.png",
        "http://[::ffff:169.254.169.254]/a.png",
    ],
)
def test_urls_we_will_not_fetch(url: str) -> None:
    with pytest.raises(InputImageError, match=r"not an http|local host|private, loopback"):
        check_public_url(url)


def test_public_urls_are_fetched() -> None:
    assert check_public_url("https://cdn.yescale.vip/x.png") == "https://cdn.yescale.vip/x.png"
    assert check_public_url("https://8.8.8.8/x.png") == "https://8.8.8.8/x.png"
    assert check_public_url("https://cdn.yescale.vip./x.png") == "https://cdn.yescale.vip./x.png"


def test_media_image_refs(allowed: Path) -> None:
    policy = InputPolicy([allowed])
    url = "https://cdn.yescale.vip/x.png"
    assert media_image_ref(url, policy) == url
    assert media_image_ref(allowed / "cat.png", policy) == f"data:image/png;base64,{PNG_B64}"
    assert media_image_ref(PNG, policy) == f"data:image/png;base64,{PNG_B64}"
    assert media_image_ref(PNG_B64, policy) == PNG_B64
    with pytest.raises(InputImageError, match="outside"):
        media_image_ref("/etc/passwd", policy)


# -- media config -------------------------------------------------------------------------------


def test_build_config_merges_standard_keys_and_keeps_the_rest_as_given(allowed: Path) -> None:
    config = {"resolution": "720p", "seed": 7, "nested": {"a": [1, 2]}}
    merged = build_config(
        config,
        policy=InputPolicy([allowed]),
        size="1280x720",
        aspect_ratio="16:9",
        duration=8,
        images=["https://cdn.yescale.vip/x.png", "cat.png"],
    )
    assert merged == {
        "resolution": "720p",
        "seed": 7,
        "nested": {"a": [1, 2]},
        "size": "1280x720",
        "aspect_ratio": "16:9",
        "duration": 8,
        "images": ["https://cdn.yescale.vip/x.png", f"data:image/png;base64,{PNG_B64}"],
    }
    assert config == {"resolution": "720p", "seed": 7, "nested": {"a": [1, 2]}}  # not mutated
    assert build_config(None) == {}
    assert build_config({"size": "1x1"}, size="1x1") == {"size": "1x1"}
    assert build_config({"images": "https://a.example/x.png"}) == {
        "images": ["https://a.example/x.png"]
    }


def test_build_config_refusals() -> None:
    with pytest.raises(yescale.InvalidRequestError, match="given both as an argument"):
        build_config({"duration": 4}, duration=8)
    with pytest.raises(yescale.InvalidRequestError, match="must be a dict"):
        build_config(["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(InputImageError, match="reading local files is disabled"):
        build_config({"images": ["/etc/passwd"]})


# -- outputs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "prompt", "expected"),
    [
        ("gpt-image-1", "A red fox in the snow!", "gpt-image-1_a-red-fox-in-the-snow_1"),
        ("gpt-image-1", "../../etc/passwd", "gpt-image-1_etc-passwd_1"),
        ("dall-e-3", "  ", "dall-e-3_result_1"),
        ("a/b\\c", ".hidden\x00name", "a-b-c_hidden-name_1"),
        ("m", "Chữ tiếng Việt 🎨", "m_ch-ti-ng-vi-t_1"),
    ],
)
def test_stems_are_sanitized(model: str, prompt: str, expected: str) -> None:
    assert stem_for(model, prompt, 1) == expected


def test_safe_names_never_escape_or_hide() -> None:
    assert safe_name("../../x", "png") == "x.png"
    assert safe_name(".bashrc", "../sh") == "bashrc.sh"
    assert safe_name("", "") == "result.bin"
    assert "/" not in safe_name("a/b/c", "p/n/g")


def test_saved_files_get_unique_names(tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder"  # created on demand
    first = save_bytes(out, "img", "png", PNG)
    second = save_bytes(out, "img", "png", PNG)
    assert (first.name, second.name) == ("img.png", "img-2.png")
    assert first.read_bytes() == second.read_bytes() == PNG
    assert first.parent == out


def test_an_existing_symlink_is_never_followed(tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_text("keep me")
    (tmp_path / "img.png").symlink_to(target)
    saved = save_bytes(tmp_path, "img", "png", PNG)
    assert saved.name == "img-2.png"
    assert target.read_text() == "keep me"


def test_output_dir_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(yescale.InvalidRequestError, match="output_dir"):
        reserve(tmp_path / "file", "img", "png")


# -- result texts: short, never base64 ---------------------------------------------------------


def test_image_summary_never_contains_base64(tmp_path: Path) -> None:
    result = ImageResult(
        model="gpt-image-1",
        prompt="p",
        operation="generate",
        images=[
            GeneratedImage(index=1, mime="image/png", data=PNG),
            GeneratedImage(index=2, mime="image/png", path=tmp_path / "a.png"),
            GeneratedImage(index=3, url="https://cdn.yescale.vip/b.png", revised_prompt="rp"),
        ],
    )
    text = result.summary()
    assert PNG_B64 not in text
    assert "base64" not in text
    assert f"1. image/png, {len(PNG)} bytes, kept in memory" in text
    assert f"2. saved to {tmp_path / 'a.png'}" in text
    assert "3. URL https://cdn.yescale.vip/b.png (the link may expire). Revised prompt: rp" in text
    assert result.artifact()["images"][0]["data"] == PNG
    assert str(result) == text


def _task(**fields: Any) -> MediaTask:
    return MediaTask.model_validate({"task_id": "t-1", **fields})


def test_media_outcome_texts() -> None:
    submitted = MediaOutcome.of(_task(status="SUBMITTED", progress="0%"), "sora-2", "submitted")
    assert "was submitted (status SUBMITTED)" in submitted.summary()
    assert "task_id 't-1'" in submitted.summary()
    running = MediaOutcome.of(_task(status="IN_PROGRESS", progress="40%"), None)
    assert running.state == "running"
    assert "still running (status IN_PROGRESS, progress 40%)" in running.summary()
    done = MediaOutcome.of(
        _task(
            status="SUCCESS",
            task_result={
                "url": "https://cdn.yescale.vip/t-1.mp4",
                "url_expires_at": "2025-11-11 21:54:21",
            },
        ),
        "sora-2",
    )
    text = done.summary()
    assert text.startswith("Media task t-1 (sora-2) succeeded.")
    assert "Result URL: https://cdn.yescale.vip/t-1.mp4" in text
    assert "expires at 2025-11-11 21:54:21 (GMT+7): download the file to keep it" in text
    assert done.artifact()["expires_at"] == "2025-11-11T21:54:21+07:00"
    no_expiry = MediaOutcome.of(
        _task(status="SUCCESS", results={"url": "https://x.example/a"}), None
    )
    assert "The link may expire" in no_expiry.summary()


# -- media runner: progress, downloads ------------------------------------------------------------

SUBMITTED = {"task_id": "t-1", "status": "SUBMITTED", "progress": "0%"}
RESULT_URL = "https://cdn.yescale.vip/t-1.mp4"
SUCCEEDED = {
    "task_id": "t-1",
    "status": "SUCCESS",
    "progress": "100%",
    "task_result": {"url": RESULT_URL, "url_expires_at": "2025-11-11 21:54:21"},
}
RESUME = "call get_media_task with task_id={task_id!r}"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_media_progress_reports_the_submitted_state_once(mode: str) -> None:
    """The first poll still says SUBMITTED 0%: that is no news, so no second event."""
    service = Recorder(json_response(SUBMITTED), json_response(SUBMITTED), json_response(SUCCEEDED))
    runner = MediaTaskRunner(make_client(service))
    seen: list[MediaProgress] = []
    if mode == "sync":
        outcome = runner.generate("sora-2", "a cat", on_progress=seen.append)
    else:
        outcome = asyncio.run(runner.agenerate("sora-2", "a cat", on_progress=seen.append))
    assert outcome.state == "succeeded"
    assert outcome.url == RESULT_URL
    assert [(p.status, p.progress, p.model) for p in seen] == [
        ("SUBMITTED", "0%", "sora-2"),
        ("SUCCESS", "100%", "sora-2"),
    ]
    assert [r.method for r in service.requests] == ["POST", "GET", "GET"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_failed_download_keeps_the_task_id_and_url(tmp_path: Path, mode: str) -> None:
    """The task is paid for: an error saving its result says where the result is and how to
    try the download again, and leaves no empty file behind."""

    def service(request: httpx.Request) -> httpx.Response:
        if request.url.host == "cdn.yescale.vip":
            return httpx.Response(404, text="gone")
        return json_response(SUCCEEDED)

    runner = MediaTaskRunner(
        make_client(service, max_retries=0), output_dir=tmp_path, resume_hint=RESUME
    )
    get = runner.get if mode == "sync" else lambda task_id: asyncio.run(runner.aget(task_id))
    with pytest.raises(yescale.NotFoundError) as info:
        get("t-1")
    text = str(info.value)
    assert "Media task t-1 succeeded but its result could not be saved" in text
    assert f"it is at {RESULT_URL} (expires 2025-11-11 21:54:21 GMT+7)" in text
    assert "To retry the download: call get_media_task with task_id='t-1'." in text
    assert list(tmp_path.iterdir()) == []


def test_an_unusable_output_dir_keeps_the_task_id(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    runner = MediaTaskRunner(
        make_client(lambda request: json_response(SUCCEEDED)), output_dir=blocker
    )
    with pytest.raises(yescale.InvalidRequestError, match="Cannot use output_dir") as info:
        runner.get("t-1")
    assert "Media task t-1 succeeded" in str(info.value)
    assert "To retry the download: get('t-1')." in str(info.value)


# -- structured output --------------------------------------------------------------------------


class Person(BaseModel):
    name: str
    age: int | None = None


def _gemini(text: str, finish: str = "STOP") -> GenerateContentResponse:
    return GenerateContentResponse.model_validate(
        {"candidates": [{"content": {"parts": [{"text": text}]}, "finishReason": finish}]}
    )


def test_extraction_request_shape() -> None:
    request = build_request(
        SchemaValidator(Person), "Ada, 36", instructions="Years only.", thinking_budget=0
    )
    config = request["generation_config"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseSchema"]["type"] == "OBJECT"
    assert config["responseSchema"]["propertyOrdering"] == ["name", "age"]
    assert config["thinkingConfig"] == {"thinkingBudget": 0}
    assert request["contents"] == [{"role": "user", "parts": [{"text": "Ada, 36"}]}]
    assert request["system_instruction"]["parts"][0]["text"].endswith("Years only.")
    with pytest.raises(yescale.InvalidRequestError, match="non-empty"):
        build_request(SchemaValidator(Person), "  ")


def test_parse_valid_and_invalid_answers() -> None:
    validator = SchemaValidator(Person)
    result = parse_response(validator, _gemini('{"name": "Ada", "age": "36"}'), "g")
    assert result.data == {"name": "Ada", "age": 36}
    assert isinstance(result.parsed, Person)

    with pytest.raises(StructuredOutputError) as info:
        parse_response(validator, _gemini('{"name": "Ad', "MAX_TOKENS"), "g")
    assert info.value.raw_text == '{"name": "Ad'
    assert "did not return valid JSON" in str(info.value)
    assert '\'{"name": "Ad\'' in str(info.value)
    assert "MAX_TOKENS" in str(info.value)

    with pytest.raises(StructuredOutputError) as info:
        parse_response(validator, _gemini('{"age": 3}'), "g")
    assert "does not match the schema" in str(info.value)
    assert info.value.errors == ["name: Field required"]

    blocked = GenerateContentResponse.model_validate({"promptFeedback": {"blockReason": "SAFETY"}})
    with pytest.raises(StructuredOutputError, match="blocked"):
        parse_response(validator, blocked, "g")


def test_dict_schemas_validate_strictly_without_jsonschema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "class": {"type": "string", "enum": ["a", "b"]},
            "score": {"type": "number", "minimum": 0},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
            "note": {"type": "string", "nullable": True},
        },
        "required": ["class", "score"],
    }
    validator = SchemaValidator(schema)
    good = {"class": "a", "score": 3, "tags": ["x"], "note": None, "extra": True}
    assert validator.validate(good)[0] == good
    for bad in (
        {"class": "c", "score": 1},
        {"class": "a", "score": "1"},
        {"class": "a", "score": -1},
        {"class": "a", "score": 1, "tags": ["x", "y", "z"]},
        {"score": 1},
    ):
        with pytest.raises(ValidationError):
            validator.validate(bad)


def test_json_schema_to_type_refs_and_unions() -> None:
    schema = {
        "$defs": {"Pet": {"type": "object", "properties": {"kind": {"type": "string"}}}},
        "type": "object",
        "properties": {
            "pets": {"type": "array", "items": {"$ref": "#/$defs/Pet"}},
            "id": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
            "flag": {"type": ["boolean", "null"]},
        },
    }
    adapter: TypeAdapter[Any] = TypeAdapter(json_schema_to_type(schema))
    adapter.validate_python({"pets": [{"kind": "cat"}], "id": "x", "flag": None}, strict=True)
    with pytest.raises(ValidationError):
        adapter.validate_python({"pets": [{"kind": 1}]}, strict=True)


# -- the framework faces: errors and content ----------------------------------------------------


def test_tool_errors_become_tool_exceptions() -> None:
    with pytest.raises(YEScaleToolInputError) as info, tool_errors():
        raise yescale.InvalidRequestError("bad size")
    assert isinstance(info.value, ToolException)
    assert isinstance(info.value, yescale.InvalidRequestError)

    with pytest.raises(YEScaleTaskFailedToolError) as failed, tool_errors():
        raise yescale.TaskFailedError("failed", task_id="t-9", reason="policy")
    assert (failed.value.task_id, failed.value.reason) == ("t-9", "policy")

    with pytest.raises(yescale.MissingCredentialsError) as missing, tool_errors():
        raise yescale.MissingCredentialsError("no key")
    assert not isinstance(missing.value, ToolException)

    with pytest.raises(yescale.RateLimitError) as limited, tool_errors():
        raise yescale.RateLimitError("slow down", status_code=429)
    assert not isinstance(limited.value, ToolException)


def _image_api(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200, json={"created": 1, "data": [{"b64_json": PNG_B64}, {"b64_json": PNG_B64}]}
    )


def test_langchain_image_content_never_holds_base64() -> None:
    client = httpx.Client(transport=httpx.MockTransport(_image_api))
    tool = YEScaleImageGenerationTool(http_client=client)
    message = tool.invoke(
        {"type": "tool_call", "id": "1", "name": tool.name, "args": {"prompt": "fox", "n": 2}}
    )
    assert isinstance(message, ToolMessage)
    assert PNG_B64 not in json.dumps(message.content)
    assert PNG_B64[:20] not in str(message.content)
    assert [image["data"] for image in message.artifact["images"]] == [PNG, PNG]


def test_llamaindex_text_block_never_holds_base64(tmp_path: Path) -> None:
    client = httpx.Client(transport=httpx.MockTransport(_image_api))
    spec = YEScaleToolSpec(http_client=client)
    text, *images = spec.generate_image("fox", n=2)
    assert isinstance(text, TextBlock)
    assert PNG_B64 not in text.text
    assert all(isinstance(image, ImageBlock) for image in images)
    assert len(images) == 2
    saved = YEScaleToolSpec(http_client=client, output_dir=tmp_path).generate_image("fox", n=2)
    assert [b.path for b in saved[1:]] == sorted(tmp_path.iterdir())  # type: ignore[union-attr]


def test_tool_spec_lists_extract_structured_only_with_a_schema() -> None:
    names = [t.metadata.name for t in YEScaleToolSpec().to_tool_list()]
    assert names == [
        "generate_image",
        "generate_media",
        "get_media_task",
        "transcribe_audio",
        "generate_speech",
    ]
    with_schema = YEScaleToolSpec(structured_schema=Person).to_tool_list()
    assert [t.metadata.name for t in with_schema][-1] == "extract_structured"
    media = YEScaleToolSpec().to_tool_list()[1]
    assert media.metadata.get_parameters_dict()["required"] == ["model", "prompt"]


def test_public_names_and_the_leaf_shim() -> None:
    import langchain_yescale
    import llama_index_yescale
    from llama_index.tools.yescale import YEScaleToolSpec as FromShim

    assert FromShim is YEScaleToolSpec
    assert llama_index_yescale.YEScaleToolSpec is YEScaleToolSpec
    for name in (
        "YEScaleImageGenerationTool",
        "YEScaleMediaTaskTool",
        "YEScaleGeminiStructuredOutputTool",
    ):
        assert name in langchain_yescale.__all__


def test_tools_share_a_client_unless_time_functions_are_injected() -> None:
    first, second = YEScaleImageGenerationTool(), YEScaleImageGenerationTool()
    assert first.client is second.client  # one pool per settings
    fake = YEScaleImageGenerationTool(sleep=lambda s: None)
    assert fake.client is not first.client
    assert fake.client._transport.sleep is fake.sleep
    own = yescale.YEScaleClient(api_key="k")
    assert YEScaleToolSpec(client=own).client is own


# -- image URLs: every redirect hop is checked ----------------------------------------------------

PUBLIC_IMAGE = "https://images.example.com/cat.png"


def _redirecting_to(target: str) -> Recorder:
    """A public image host that redirects once to ``target``, which serves the image."""

    def answer(request: httpx.Request) -> httpx.Response:
        if str(request.url) == PUBLIC_IMAGE:
            return httpx.Response(302, headers={"Location": target})
        return httpx.Response(200, headers={"Content-Type": "image/png"}, content=PNG)

    return Recorder(answer)


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/cat.png",
        "http://127.0.0.1:8080/cat.png",
        "http://localhost/cat.png",
        "http://10.0.0.5/cat.png",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(target: str) -> None:
    from yescale._fetch import afetch, fetch

    handler = _redirecting_to(target)
    client = make_client(handler)
    with pytest.raises(InputImageError, match=r"local host|private, loopback"):
        fetch(client._transport, PUBLIC_IMAGE, check=check_public_url)
    with pytest.raises(InputImageError, match=r"local host|private, loopback"):
        asyncio.run(afetch(client._transport, PUBLIC_IMAGE, check=check_public_url))
    assert [str(r.url) for r in handler.requests] == [PUBLIC_IMAGE, PUBLIC_IMAGE]  # never hopped


def test_a_redirect_to_a_public_address_is_followed_and_a_loop_is_bounded() -> None:
    from yescale._fetch import MAX_REDIRECTS, fetch

    handler = _redirecting_to("https://storage.example.net/cat.png")
    data, mime = fetch(make_client(handler)._transport, PUBLIC_IMAGE, check=check_public_url)
    assert (data, mime) == (PNG, "image/png")
    assert [r.url.host for r in handler.requests] == ["images.example.com", "storage.example.net"]

    loop = Recorder(lambda request: httpx.Response(302, headers={"Location": PUBLIC_IMAGE}))
    with pytest.raises(yescale.RedirectRefusedError, match="redirected more than 10 times"):
        fetch(make_client(loop)._transport, PUBLIC_IMAGE)
    assert loop.calls == MAX_REDIRECTS + 1  # not retried either


def test_the_image_tool_checks_redirect_hops(tmp_path: Path) -> None:
    handler = _redirecting_to("http://169.254.169.254/cat.png")
    generator = ImageGenerator(make_client(handler), output_dir=tmp_path)
    with pytest.raises(InputImageError, match="private, loopback"):
        generator.run("make it winter", images=[PUBLIC_IMAGE])
    with pytest.raises(InputImageError, match="private, loopback"):
        asyncio.run(generator.arun("make it winter", images=[PUBLIC_IMAGE]))
    assert [r.url.host for r in handler.requests] == ["images.example.com"] * 2

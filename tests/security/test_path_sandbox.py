"""What an LLM can make the agent-facing tools read and write on disk.

Reading: a tool reads an input-image path only if it resolves (symlinks followed) inside a folder
the developer allowed (none by default), and only an image. Every attack below is sent the way a
model sends it: a LangChain tool call (``invoke`` / ``ainvoke``, ``handle_tool_error`` as
shipped) and a LlamaIndex agent tool call (``call_tool`` / ``acall_tool`` on
``YEScaleToolSpec.to_tool_list()``), through each field that takes images (``images``, ``mask``,
media ``config["images"]``). Each must be refused with a clear error, before any request, and the
file's content must go nowhere.

Writing: results land inside ``output_dir`` under a sanitized name whatever the prompt, the task
id (chosen by the model when it resumes a task, or by the service) or the result URL look like.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    API_KEY,
    CDN_HOST,
    AsyncSleeps,
    Service,
    Sleeps,
    _client,
    clients,
)

SECRET_CONTENT = b"OUTSIDE-SECRET-CONTENT"


@pytest.fixture
def sandbox(folders: dict[str, Path]) -> dict[str, Path]:
    allowed, outside, root = folders["allowed"], folders["outside"], folders["root"]
    (allowed / "link.png").symlink_to(outside / "secret.png")
    (allowed / "linkdir").symlink_to(outside, target_is_directory=True)
    sibling = root / "allowed-evil"
    sibling.mkdir()
    (sibling / "secret.png").write_bytes((outside / "secret.png").read_bytes())
    return folders


def attacks(f: dict[str, Path]) -> dict[str, str]:
    allowed, outside, root = f["allowed"], f["outside"], f["root"]
    return {
        "/etc/passwd": "/etc/passwd",
        "../ up to /etc/passwd": "../../../../../../../../../../../../etc/passwd",
        "relative ../ to an image outside": "../outside/secret.png",
        "absolute path through ..": f"{allowed}/../outside/secret.png",
        "absolute path outside": f"{outside}/secret.png",
        "symlink inside to a file outside": "link.png",
        "symlink inside to a folder outside": "linkdir/secret.png",
        "sibling folder sharing the prefix": f"{root}/allowed-evil/secret.png",
        "home directory": "~/.ssh/id_rsa",
        "/proc/self/environ": "/proc/self/environ",
        "NUL byte": "cat.png\x00/../../etc/passwd",
        "file:// URL": "file:///etc/passwd",
        "URL-encoded ../": "..%2F..%2Fetc%2Fpasswd",
        "backslashes": "..\\..\\..\\etc\\passwd",
        "the allowed folder itself": str(allowed),
        "a non-image inside the allowed folder": "notes.txt",
        "/dev/zero": "/dev/zero",
        "very long path": "a/" * 3000 + "x.png",
    }


ATTACK_NAMES = list(attacks({"allowed": Path("/a"), "outside": Path("/o"), "root": Path("/r")}))

#: (framework, tool, field)
ENTRY_POINTS = [
    ("langchain", "image", "images"),
    ("langchain", "image", "mask"),
    ("langchain", "media", "images"),
    ("langchain", "media", "config.images"),
    ("llama_index", "image", "images"),
    ("llama_index", "image", "mask"),
    ("llama_index", "media", "images"),
    ("llama_index", "media", "config.images"),
]
ENTRY_IDS = [f"{fw}-{tool}-{field}" for fw, tool, field in ENTRY_POINTS]

REFUSED = re.compile(
    r"Cannot read the local file|not a PNG, JPEG, WEBP or GIF|reading local files is disabled"
)


def _args(tool: str, field: str, value: str) -> dict[str, Any]:
    if tool == "image":
        args: dict[str, Any] = {"prompt": "make it winter"}
        if field == "mask":
            args["images"] = ["cat.png"]  # a legitimate input, so that the mask is what fails
            args["mask"] = value
        else:
            args["images"] = [value]
        return args
    args = {"model": "sora-2", "prompt": "animate it"}
    if field == "config.images":
        args["config"] = {"images": [value]}
    else:
        args["images"] = [value]
    return args


def _run_tool(
    framework: str,
    tool: str,
    args: dict[str, Any],
    service: Service,
    allowed: list[Path],
    *,
    mode: str,
) -> str:
    """Call the tool as an agent would; returns the text the model gets back."""
    http = clients(service)
    common: dict[str, Any] = {
        "api_key": API_KEY,
        "allowed_input_dirs": allowed,
        "max_retries": 0,
        "sleep": Sleeps(),
        "async_sleep": AsyncSleeps(),
        "poll_interval": 0.01,
    }
    if framework == "langchain":
        import langchain_yescale as lc

        cls = lc.YEScaleImageGenerationTool if tool == "image" else lc.YEScaleMediaTaskTool
        obj = cls(http_client=http["sync"], http_async_client=http["async"], **common)
        call = {"type": "tool_call", "id": "call-1", "name": obj.name, "args": args}
        message = obj.invoke(call) if mode == "sync" else asyncio.run(obj.ainvoke(call))
        assert message.status == "error", message.content
        return str(message.content)
    from llama_index.core.tools.calling import acall_tool, call_tool

    import llama_index_yescale as li

    spec = li.YEScaleToolSpec(http_client=http["sync"], async_http_client=http["async"], **common)
    name = "generate_image" if tool == "image" else "generate_media"
    (function_tool,) = [t for t in spec.to_tool_list() if t.metadata.name == name]
    output = (
        call_tool(function_tool, args)
        if mode == "sync"
        else asyncio.run(acall_tool(function_tool, args))
    )
    assert output.is_error, output.content
    assert isinstance(output.exception, ValueError)  # InputImageError, an InvalidRequestError
    return str(output.content)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("attack", ATTACK_NAMES)
@pytest.mark.parametrize(("framework", "tool", "field"), ENTRY_POINTS, ids=ENTRY_IDS)
def test_path_attacks_are_refused(
    sandbox: dict[str, Path], framework: str, tool: str, field: str, attack: str, mode: str
) -> None:
    value = attacks(sandbox)[attack]
    service = Service()
    before = sorted(p.name for p in sandbox["root"].rglob("*"))
    text = _run_tool(
        framework, tool, _args(tool, field, value), service, [sandbox["allowed"]], mode=mode
    )
    assert REFUSED.search(text), text
    assert service.requests == [], "the tool sent a request"
    assert "OUTSIDE-SECRET" not in text
    assert "root:" not in text  # nothing of /etc/passwd
    assert sorted(p.name for p in sandbox["root"].rglob("*")) == before


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("framework", "tool", "field"), ENTRY_POINTS, ids=ENTRY_IDS)
def test_no_local_file_is_read_when_no_folder_is_allowed(
    sandbox: dict[str, Path], framework: str, tool: str, field: str, mode: str
) -> None:
    """The default: even a real image in a harmless place is refused."""
    value = str(sandbox["allowed"] / "cat.png")
    args = _args(tool, field, value)
    if field == "mask":
        args["images"] = [value]
    service = Service()
    text = _run_tool(framework, tool, args, service, [], mode=mode)
    assert "reading local files is disabled" in text
    assert "allowed_input_dirs" in text  # says how the developer enables it
    assert service.requests == []


@pytest.mark.parametrize(("framework", "tool", "field"), ENTRY_POINTS, ids=ENTRY_IDS)
def test_allowed_files_are_read_and_sent(
    sandbox: dict[str, Path], framework: str, tool: str, field: str
) -> None:
    """The control: an image inside the allowed folder goes through (as bytes or a data URI)."""
    import base64

    service = Service()
    http = clients(service)
    common: dict[str, Any] = {
        "api_key": API_KEY,
        "allowed_input_dirs": [sandbox["allowed"]],
        "sleep": Sleeps(),
        "poll_interval": 0.01,
    }
    args = _args(tool, field, "cat.png")
    if framework == "langchain":
        import langchain_yescale as lc

        cls = lc.YEScaleImageGenerationTool if tool == "image" else lc.YEScaleMediaTaskTool
        obj = cls(http_client=http["sync"], handle_tool_error=False, **common)
        obj.invoke(args)
    else:
        import llama_index_yescale as li

        spec = li.YEScaleToolSpec(http_client=http["sync"], **common)
        name = "generate_image" if tool == "image" else "generate_media"
        getattr(spec, name)(**args)
    sent = service.requests[0].content
    png = (sandbox["allowed"] / "cat.png").read_bytes()
    assert png in sent or base64.b64encode(png) in sent


# -- writing: result names inside output_dir ------------------------------------------------------

NAMES = {
    "../../x": "../../x",
    "/abs/x": "/abs/x",
    "..": "..",
    ".": ".",
    "NUL": "a\x00b",
    "separators": "a/b\\c",
    "windows ..": "..\\..\\x",
    "hidden": ".bashrc",
    "home": "~/x",
    "unicode with ..": "é/../../x",
    "line break": "a\nb",
    "percent-encoded": "%2e%2e%2fx",
    "very long": "x" * 5000,
    "reserved device": "CON",
}
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _only_inside(out: Path, root: Path, before: set[Path]) -> Path:
    """The one new file: directly in ``out``, with a safe name; nothing else appeared."""
    new = {p for p in root.rglob("*") if p not in before}
    files = [p for p in new if p.is_file() or p.is_symlink()]
    assert len(files) == 1, sorted(map(str, new))
    (path,) = files
    assert path.parent == out, path
    assert SAFE_NAME.match(path.name), path.name
    assert len(path.name) <= 120
    assert not path.is_symlink()
    return path


@pytest.mark.parametrize("name", list(NAMES))
@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
def test_image_results_get_safe_names_from_any_prompt(
    folders: dict[str, Path], framework: str, name: str
) -> None:
    out, root = folders["out"], folders["root"]
    before = set(root.rglob("*"))
    service = Service()
    http = clients(service)
    prompt = f"{NAMES[name]} a fox"
    if framework == "langchain":
        import langchain_yescale as lc

        tool = lc.YEScaleImageGenerationTool(
            api_key=API_KEY, http_client=http["sync"], output_dir=out, handle_tool_error=False
        )
        tool.invoke({"prompt": prompt})
    else:
        import llama_index_yescale as li

        li.YEScaleToolSpec(
            api_key=API_KEY, http_client=http["sync"], output_dir=out
        ).generate_image(prompt)
    path = _only_inside(out, root, before | {out})
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", list(NAMES))
@pytest.mark.parametrize("who", ["service task id", "model resumes a task id"])
@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
def test_media_results_get_safe_names_from_any_task_id(
    folders: dict[str, Path], framework: str, who: str, name: str
) -> None:
    out, root = folders["out"], folders["root"]
    before = set(root.rglob("*"))
    task_id = NAMES[name]
    service = Service(task_id=task_id, result_url=f"https://{CDN_HOST}/r/a%2F..%2F..%2Fx.mp4")
    http = clients(service)
    common: dict[str, Any] = {
        "api_key": API_KEY,
        "output_dir": out,
        "sleep": Sleeps(),
        "poll_interval": 0.01,
    }

    def run() -> None:
        if framework == "langchain":
            import langchain_yescale as lc

            tool = lc.YEScaleMediaTaskTool(
                http_client=http["sync"], handle_tool_error=False, **common
            )
            if who == "service task id":
                tool.invoke({"model": "sora-2", "prompt": "a cat"})
            else:
                tool.invoke({"task_id": task_id})
        else:
            import llama_index_yescale as li

            spec = li.YEScaleToolSpec(http_client=http["sync"], **common)
            if who == "service task id":
                spec.generate_media("sora-2", "a cat")
            else:
                spec.get_media_task(task_id)

    gets = [r for r in service.requests if r.method == "GET"]
    if task_id in (".", ".."):
        # /task/.. would be normalized into another endpoint (GET /) with the key attached
        with pytest.raises(ValueError, match="is not a task id"):
            run()
        assert [r for r in service.requests if r.method == "GET"] == []
        assert {p for p in root.rglob("*")} <= before | {out}
        return
    run()
    gets = [r for r in service.requests if r.method == "GET" and r.url.host != CDN_HOST]
    assert gets
    for poll in gets:  # the id stays one path segment under /task/, whatever it holds
        raw = poll.url.raw_path.split(b"?")[0]
        assert raw.startswith(b"/task/")
        assert raw.count(b"/") == 2
    path = _only_inside(out, root, before | {out})
    assert path.read_bytes()[:8] == b"\x00\x00\x00\x18ftyp"


@pytest.mark.parametrize(
    "url_path",
    [
        "/r/..%2F..%2Fx.mp4",
        "/r/%2e%2e",
        "/r/a%00b.mp4",
        "/r/" + "y" * 400 + ".mp4",
        "/r/.hidden.mp4",
        "/r/a\\..\\b.mp4",
        "/",
    ],
)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_client_downloads_into_a_folder_stay_inside(
    folders: dict[str, Path], url_path: str, mode: str
) -> None:
    out, root = folders["out"], folders["root"]
    out.mkdir()
    before = set(root.rglob("*"))
    client = _client(Service())
    url = f"https://{CDN_HOST}{url_path}"
    if mode == "sync":
        path = client.media.download(url, out)
    else:
        path = asyncio.run(client.aio.media.download(url, out))
    assert path.parent == out
    new = {p for p in root.rglob("*") if p not in before}
    assert new == {path}
    assert not path.name.startswith(".")
    assert len(path.name) <= 255


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
def test_a_planted_symlink_in_output_dir_is_never_followed(
    folders: dict[str, Path], framework: str
) -> None:
    """The name the tool would pick is a symlink to a file outside: the tool picks another."""
    out, outside = folders["out"], folders["outside"]
    out.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("do not overwrite")
    service = Service()
    http = clients(service)
    if framework == "langchain":
        import langchain_yescale as lc

        tool = lc.YEScaleImageGenerationTool(
            api_key=API_KEY, http_client=http["sync"], output_dir=out, handle_tool_error=False
        )
        expected = "gpt-image-1_a-fox_1.png"
        (out / expected).symlink_to(victim)
        tool.invoke({"prompt": "a fox"})
    else:
        import llama_index_yescale as li

        expected = "gpt-image-1_a-fox_1.png"
        (out / expected).symlink_to(victim)
        li.YEScaleToolSpec(
            api_key=API_KEY, http_client=http["sync"], output_dir=out
        ).generate_image("a fox")
    assert victim.read_text() == "do not overwrite"
    written = [p for p in out.iterdir() if not p.is_symlink()]
    assert [p.name for p in written] == ["gpt-image-1_a-fox_1-2.png"]


def test_an_output_dir_that_is_a_file_is_refused(folders: dict[str, Path]) -> None:
    import langchain_yescale as lc

    blocker = folders["root"] / "not-a-folder"
    blocker.write_text("x")
    http = clients(Service())
    tool = lc.YEScaleImageGenerationTool(
        api_key=API_KEY, http_client=http["sync"], output_dir=blocker
    )
    message = tool.invoke(
        {"type": "tool_call", "id": "1", "name": tool.name, "args": {"prompt": "x"}}
    )
    assert message.status == "error"
    assert "output_dir" in str(message.content)
    assert blocker.read_text() == "x"

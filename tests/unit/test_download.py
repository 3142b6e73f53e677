"""Downloads: no auth to the CDN, redirects, retries without partial files, safe file names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from yescale import APIConnectionError, InvalidResponseError, NotFoundError, PermissionDeniedError
from yescale.types.media import MediaTask

from .conftest import (
    API_KEY,
    AsyncSleeps,
    ChunkStream,
    Recorder,
    Sleeps,
    make_client,
)

URL = "https://cdn.example.com/results/video.mp4"
PAYLOAD = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64


def video(chunks: list[bytes | BaseException] | None = None) -> httpx.Response:
    return httpx.Response(
        200, headers={"content-type": "video/mp4"}, stream=ChunkStream(chunks or [PAYLOAD])
    )


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def assert_plain(request: httpx.Request) -> None:
    """Nothing of ours but the User-Agent goes to a download host."""
    assert "authorization" not in request.headers
    assert "x-goog-api-key" not in request.headers
    assert "x-team" not in request.headers
    assert API_KEY not in str(request.headers)
    assert API_KEY not in str(request.url)
    assert request.headers["user-agent"].startswith("yescale-integrations/")


def test_writes_content_without_auth(tmp_path: Path) -> None:
    handler = Recorder(video([PAYLOAD[:1000], PAYLOAD[1000:5000], PAYLOAD[5000:]]))
    client = make_client(handler, default_headers={"X-Team": "ml"})
    target = tmp_path / "out.mp4"
    assert client.media.download(URL, target) == target
    assert target.read_bytes() == PAYLOAD
    assert files_in(tmp_path) == ["out.mp4"]
    assert handler.calls == 1
    assert str(handler.requests[0].url) == URL
    assert_plain(handler.requests[0])


def test_download_from_task(tmp_path: Path) -> None:
    handler = Recorder(video())
    client = make_client(handler)
    done = MediaTask(task_id="t1", status="SUCCESS", task_result={"url": URL})
    path = client.media.download(done, tmp_path)
    assert path == tmp_path / "video.mp4"
    assert path.read_bytes() == PAYLOAD


def test_redirects_followed_without_auth(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "cdn.example.com":
            return httpx.Response(302, headers={"location": "https://storage.example.net/v?s=1"})
        return video()

    recorder = Recorder(handler)
    client = make_client(recorder, default_headers={"X-Team": "ml"})
    target = client.media.download(URL, tmp_path / "v.mp4")
    assert target.read_bytes() == PAYLOAD
    assert [r.url.host for r in recorder.requests] == ["cdn.example.com", "storage.example.net"]
    for request in recorder.requests:
        assert_plain(request)


def test_failure_mid_body_is_retried_without_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "video.mp4"
    seen_between: list[list[str]] = []

    def second(request: httpx.Request) -> httpx.Response:
        seen_between.append(files_in(tmp_path))
        return video([PAYLOAD[:100], PAYLOAD[100:]])

    handler = Recorder(
        video([PAYLOAD[:4096], PAYLOAD[4096:8192], httpx.ReadError("connection reset by peer")]),
        second,
    )
    sleeps = Sleeps()
    client = make_client(handler, sleep=sleeps)
    client.media.download(URL, target)
    assert seen_between == [[]]  # after the failed attempt: no final file, no stray .part
    assert target.read_bytes() == PAYLOAD
    assert files_in(tmp_path) == ["video.mp4"]
    assert handler.calls == 2
    assert len(sleeps) == 1


def test_failure_every_time_leaves_nothing(tmp_path: Path) -> None:
    handler = Recorder(video([PAYLOAD[:10], httpx.ReadError("reset")]))
    sleeps = Sleeps()
    client = make_client(handler, sleep=sleeps, max_retries=2)
    with pytest.raises(APIConnectionError, match="download"):
        client.media.download(URL, tmp_path / "video.mp4")
    assert handler.calls == 3
    assert files_in(tmp_path) == []


def test_failed_download_keeps_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "video.mp4"
    target.write_bytes(b"old complete file")
    handler = Recorder(video([b"new partial", httpx.ReadError("reset")]))
    with pytest.raises(APIConnectionError):
        make_client(handler, max_retries=0).media.download(URL, target)
    assert target.read_bytes() == b"old complete file"
    assert files_in(tmp_path) == ["video.mp4"]


def test_404_is_not_found_and_no_file(tmp_path: Path) -> None:
    handler = Recorder(httpx.Response(404, text="<Error><Code>NoSuchKey</Code></Error>"))
    sleeps = Sleeps()
    with pytest.raises(NotFoundError) as info:
        make_client(handler, sleep=sleeps).media.download(URL, tmp_path / "video.mp4")
    assert info.value.status_code == 404
    assert handler.calls == 1
    assert sleeps == []
    assert files_in(tmp_path) == []


def test_5xx_is_retried(tmp_path: Path) -> None:
    handler = Recorder(httpx.Response(503, text="busy"), video())
    path = make_client(handler).media.download(URL, tmp_path / "v.mp4")
    assert path.read_bytes() == PAYLOAD
    assert handler.calls == 2


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://cdn.example.com/../../etc/x%2F..mp4", "x_2F..mp4"),
        ("https://cdn.example.com/a/b/..", "download"),
        ("https://cdn.example.com/", "download"),
        ("https://cdn.example.com/v/.hidden.mp4", "hidden.mp4"),
        ("https://cdn.example.com/v/clip%20one.mp4?sig=abc&exp=1", "clip_20one.mp4"),
        ("https://cdn.example.com/v/a\\..\\b.mp4", "a_.._b.mp4"),
    ],
)
def test_folder_target_gets_a_safe_name(tmp_path: Path, url: str, name: str) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    handler = Recorder(video())
    path = make_client(handler).media.download(url, folder)
    assert path == folder / name
    assert path.parent == folder
    assert path.read_bytes() == PAYLOAD
    assert files_in(folder) == [name]
    assert files_in(tmp_path) == ["downloads"]  # nothing escaped the folder


def test_transport_download_directly(tmp_path: Path) -> None:
    handler = Recorder(video())
    client = make_client(handler)
    target = client._transport.download(URL, tmp_path / "direct.bin")
    assert target.read_bytes() == PAYLOAD


# -- async --------------------------------------------------------------------------------------


async def test_async_download_retries_without_partial_file(tmp_path: Path) -> None:
    seen_between: list[list[str]] = []

    def second(request: httpx.Request) -> httpx.Response:
        seen_between.append(files_in(tmp_path))
        return video()

    handler = Recorder(video([PAYLOAD[:500], httpx.ReadError("reset")]), second)
    sleeps = AsyncSleeps()
    client = make_client(handler, async_sleep=sleeps, default_headers={"X-Team": "ml"})
    path = await client.aio.media.download(URL, tmp_path)
    assert path == tmp_path / "video.mp4"
    assert path.read_bytes() == PAYLOAD
    assert seen_between == [[]]
    assert len(sleeps) == 1
    for request in handler.requests:
        assert_plain(request)


async def test_async_404(tmp_path: Path) -> None:
    handler = Recorder(httpx.Response(404))
    with pytest.raises(NotFoundError):
        await make_client(handler).aio.media.download(URL, tmp_path / "x.mp4")
    assert files_in(tmp_path) == []


def test_error_message_hides_the_signed_query(tmp_path: Path) -> None:
    signed = "https://cdn.example.com/v.mp4?X-Amz-Signature=deadbeefcafe&X-Amz-Credential=AKIA1"
    handler = Recorder(httpx.Response(403, text="AccessDenied"))
    with pytest.raises(PermissionDeniedError) as info:
        make_client(handler).media.download(signed, tmp_path / "v.mp4")
    assert "https://cdn.example.com/v.mp4" in str(info.value)
    assert "deadbeefcafe" not in str(info.value)
    assert str(handler.requests[0].url) == signed  # the full link is still what is fetched


# -- a web page where the file should be ----------------------------------------------------------

EXPIRED_PAGE = b"<!DOCTYPE html><html><body><h1>This link has expired</h1></body></html>"


def web_page(content_type: str = "text/html; charset=utf-8") -> httpx.Response:
    return httpx.Response(200, headers={"content-type": content_type}, content=EXPIRED_PAGE)


@pytest.mark.parametrize(
    "content_type", ["text/html; charset=utf-8", "TEXT/HTML", "application/xhtml+xml"]
)
def test_a_web_page_is_not_saved_as_the_file(tmp_path: Path, content_type: str) -> None:
    signed = URL + "?sig=deadbeefcafe"
    handler = Recorder(web_page(content_type))
    existing = tmp_path / "video.mp4"
    existing.write_bytes(b"old")
    with pytest.raises(InvalidResponseError) as info:
        make_client(handler).media.download(signed, existing)
    message = str(info.value)
    assert "answered with a web page" in message
    assert "client.media.get" in message
    assert URL in message
    assert "deadbeefcafe" not in message
    assert handler.calls == 1  # not retried: another try gets the same page
    assert files_in(tmp_path) == ["video.mp4"]
    assert existing.read_bytes() == b"old"


def test_a_web_page_asked_for_is_saved(tmp_path: Path) -> None:
    target = make_client(Recorder(web_page())).media.download(URL, tmp_path / "page.html")
    assert target.read_bytes() == EXPIRED_PAGE


async def test_async_web_page_is_not_saved(tmp_path: Path) -> None:
    handler = Recorder(web_page())
    with pytest.raises(InvalidResponseError, match="answered with a web page"):
        await make_client(handler).aio.media.download(URL, tmp_path)
    assert files_in(tmp_path) == []
    assert handler.calls == 1


async def test_async_download_writes_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import threading

    loop_thread = threading.get_ident()
    writers: set[int] = set()
    real_to_thread = asyncio.to_thread

    async def recording_to_thread(func: Any, /, *args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            writers.add(threading.get_ident())
            return func(*args, **kwargs)

        return await real_to_thread(run)

    monkeypatch.setattr(asyncio, "to_thread", recording_to_thread)
    chunks: list[bytes | BaseException] = [PAYLOAD[:1000], PAYLOAD[1000:]]
    path = await make_client(Recorder(video(chunks))).aio.media.download(URL, tmp_path)
    assert path.read_bytes() == PAYLOAD
    assert writers
    assert loop_thread not in writers


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_your_own_clients_credentials_never_go_to_a_download_host(
    tmp_path: Path, mode: str
) -> None:
    """A caller's httpx client may hold credentials for its own use (``auth=``, an
    ``Authorization`` default header): a result host gets neither, on any hop."""
    import asyncio

    from yescale import YEScaleClient

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "cdn.example.com":
            return httpx.Response(302, headers={"location": "https://storage.example.net/v.mp4"})
        return httpx.Response(200, headers={"content-type": "video/mp4"}, content=PAYLOAD)

    own = {"auth": ("proxy-user", "proxy-pass"), "headers": {"Authorization": "Bearer mine"}}
    client = YEScaleClient(
        api_key=API_KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(handler), **own),
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler), **own),
    )
    if mode == "sync":
        client.media.download(URL, tmp_path / "v.mp4")
    else:
        asyncio.run(client.aio.media.download(URL, tmp_path / "v.mp4"))
    assert (tmp_path / "v.mp4").read_bytes() == PAYLOAD
    assert [r.url.host for r in seen] == ["cdn.example.com", "storage.example.net"]
    for request in seen:
        assert_plain(request)
        assert "mine" not in str(request.headers)

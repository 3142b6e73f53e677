"""The auth header goes to the YEScale hosts only.

* An API answer that redirects (301/302/303/307/308) to another host is never followed with the
  key: not by our own pooled clients, and not by an injected ``httpx.Client`` created with
  ``follow_redirects=True`` (httpx would strip ``Authorization`` across hosts, but not
  ``x-goog-api-key`` nor ``default_headers``). It raises an ``APIStatusError`` naming the target.
* Downloads of results from the CDN (and wherever it redirects), and input images fetched for
  Gemini or for the image tools, carry neither the key, nor the access key, nor
  ``default_headers``: only our User-Agent. Even an image on the API host itself.
* Image URLs for OpenAI-format models and media tasks are handed to the service, never fetched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from yescale import APIStatusError, YEScaleClient, YEScaleError

from .conftest import (
    ACCESS_KEY,
    API_HOST,
    API_KEY,
    CDN_HOST,
    EVIL_HOST,
    FRAMEWORK_SUBJECTS,
    IMAGE_HOST,
    OUR_HOSTS,
    STORAGE_HOST,
    SYSTEM_HOST,
    USER,
    Service,
    Subject,
    _client,
    clients,
    ids,
    serve,
)

TEAM = {"X-Team": "ml-platform"}
IMAGE_URL = f"https://{IMAGE_HOST}/pics/cat.png?sig=abc"


def assert_plain(request: httpx.Request) -> None:
    """Nothing of ours but the User-Agent reaches a host that is not YEScale."""
    where = f"{request.method} {request.url}"
    for header in ("authorization", "x-goog-api-key", "x-api-key", "api-key", "x-team", "cookie"):
        assert header not in request.headers, f"{header} sent to {where}"
    text = str(request.url) + repr(dict(request.headers))
    assert API_KEY not in text, where
    assert ACCESS_KEY not in text, where
    assert request.headers["user-agent"].startswith("yescale-integrations/")


def assert_only_plain_abroad(service: Service, *, expect_foreign: bool = True) -> None:
    foreign = service.foreign()
    if expect_foreign:
        assert foreign, "the download / fetch happened"
    for request in foreign:
        assert_plain(request)
    for request in service.requests:
        if request.url.host in OUR_HOSTS:  # positive control: API calls do carry them
            assert request.headers.get("x-team") == TEAM["X-Team"]


# -- API redirects ---------------------------------------------------------------------------------


def _list(iterator: Any) -> list[Any]:
    return list(iterator)


SYNC_CALLS: dict[str, Callable[[YEScaleClient], Any]] = {
    "chat": lambda c: c.chat.create(model="gpt-4o-mini", messages=USER),
    "chat stream": lambda c: _list(c.chat.stream(model="gpt-4o-mini", messages=USER)),
    "gemini": lambda c: c.gemini.generate_content(model="gemini-2.5-flash", contents="Hi"),
    "gemini stream": lambda c: _list(
        c.gemini.stream_generate_content(model="gemini-2.5-flash", contents="Hi")
    ),
    "gemini chat": lambda c: c.gemini.chat.create(model="gemini-2.5-flash", messages=USER),
    "embeddings": lambda c: c.embeddings.create(model="text-embedding-3-small", input="a"),
    "images": lambda c: c.images.generate(prompt="a fox", model="gpt-image-1"),
    "media submit": lambda c: c.media.submit(model="sora-2", prompt="a cat"),
    "media poll": lambda c: c.media.get("task-1"),
    "system": lambda c: c.system.user(),
}


async def _async_call(client: YEScaleClient, family: str) -> Any:
    aio = client.aio
    if family == "chat":
        return await aio.chat.create(model="gpt-4o-mini", messages=USER)
    if family == "chat stream":
        return [c async for c in aio.chat.stream(model="gpt-4o-mini", messages=USER)]
    if family == "gemini":
        return await aio.gemini.generate_content(model="gemini-2.5-flash", contents="Hi")
    if family == "gemini stream":
        stream = aio.gemini.stream_generate_content(model="gemini-2.5-flash", contents="Hi")
        return [c async for c in stream]
    if family == "gemini chat":
        return await aio.gemini.chat.create(model="gemini-2.5-flash", messages=USER)
    if family == "embeddings":
        return await aio.embeddings.create(model="text-embedding-3-small", input="a")
    if family == "images":
        return await aio.images.generate(prompt="a fox", model="gpt-image-1")
    if family == "media submit":
        return await aio.media.submit(model="sora-2", prompt="a cat")
    if family == "media poll":
        return await aio.media.get("task-1")
    return await aio.system.user()


def _call(client: YEScaleClient, family: str, mode: str) -> Any:
    if mode == "sync":
        return SYNC_CALLS[family](client)
    return asyncio.run(_async_call(client, family))


def _use(subject: Subject, obj: Any, mode: str) -> Any:
    if mode == "sync":
        assert subject.call is not None
        return subject.call(obj)
    assert subject.acall is not None
    return asyncio.run(subject.acall(obj))


REDIRECTS = [301, 302, 303, 307, 308]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("follow", [False, True], ids=["client-default", "follow_redirects=True"])
@pytest.mark.parametrize("status", REDIRECTS)
@pytest.mark.parametrize("family", list(SYNC_CALLS))
def test_api_redirects_are_not_followed_with_the_key(
    family: str, status: int, follow: bool, mode: str
) -> None:
    service = Service(redirect=status)
    client = _client(service, follow_redirects=follow, default_headers=TEAM, max_retries=2)
    with pytest.raises(APIStatusError) as info:
        _call(client, family, mode)
    assert service.to(EVIL_HOST) == [], "the redirect was followed"
    assert len(service.requests) == 1, "a redirect is not retried"
    error = info.value
    assert error.status_code == status
    assert "redirect" in str(error)
    assert f"https://{EVIL_HOST}/" in str(error)  # where it pointed (without any query)
    host = SYSTEM_HOST if family == "system" else API_HOST
    assert service.requests[0].url.host == host


@pytest.mark.parametrize("subject", FRAMEWORK_SUBJECTS, ids=ids(FRAMEWORK_SUBJECTS))
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_framework_objects_never_follow_a_redirect_with_the_key(
    subject: Subject, mode: str
) -> None:
    """Each public class, given an httpx client that follows redirects by default."""
    service = Service(redirect=307)
    obj = subject.build(service, follow_redirects=True, default_headers=TEAM)
    with pytest.raises(YEScaleError) as info:
        _use(subject, obj, mode)
    assert isinstance(info.value, APIStatusError)
    assert info.value.status_code == 307
    assert service.to(EVIL_HOST) == []
    assert service.requests
    assert {r.url.host for r in service.requests} == {API_HOST}


@pytest.mark.parametrize("status", [302, 307])
@pytest.mark.parametrize("family", ["chat", "chat stream", "gemini", "system"])
def test_pooled_clients_do_not_follow_redirects_to_another_host(family: str, status: int) -> None:
    """Our own connection pools (no injected client), over real HTTP: 127.0.0.1 redirects to
    ``localhost`` on another port, which records whatever reaches it."""
    with serve(Service(), host="localhost") as other:
        with serve(Service(redirect=status, redirect_to=other.url)) as api:
            client = YEScaleClient(
                api_key=API_KEY,
                access_key=ACCESS_KEY,
                base_url=api.url,
                system_base_url=api.url,
                default_headers=TEAM,
                max_retries=0,
            )
            with pytest.raises(APIStatusError) as info:
                SYNC_CALLS[family](client)
            client.close()
            assert info.value.status_code == status
            assert other.url in str(info.value)
            assert len(api.service.requests) == 1
        assert other.service.requests == [], "the other host was contacted"


def test_langchain_model_over_real_http_does_not_follow_redirects() -> None:
    import langchain_yescale as lc

    with serve(Service(), host="localhost") as other:
        with serve(Service(redirect=302, redirect_to=other.url)) as api:
            llm = lc.ChatYEScale(api_key=API_KEY, base_url=api.url, max_retries=0)
            with pytest.raises(APIStatusError):
                llm.invoke("Hi")
        assert other.service.requests == []


# -- downloads from the CDN ------------------------------------------------------------------------


@pytest.mark.parametrize("cdn_redirect", [False, True], ids=["direct", "cdn-redirects"])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_client_downloads_carry_no_credentials(
    tmp_path: Path, mode: str, cdn_redirect: bool
) -> None:
    service = Service(cdn_redirect=cdn_redirect)
    client = _client(service, default_headers=TEAM, follow_redirects=True)
    url = f"https://{CDN_HOST}/results/video.mp4?sig=1"
    if mode == "sync":
        path = client.media.download(url, tmp_path)
    else:
        path = asyncio.run(client.aio.media.download(url, tmp_path))
    assert path.read_bytes()[:8] == b"\x00\x00\x00\x18ftyp"
    hosts = {r.url.host for r in service.requests}
    assert hosts == ({CDN_HOST, STORAGE_HOST} if cdn_redirect else {CDN_HOST})
    assert_only_plain_abroad(service)


@pytest.mark.parametrize("cdn_redirect", [False, True], ids=["direct", "cdn-redirects"])
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    "tool",
    [
        "langchain media tool",
        "llama_index generate_media",
        "langchain image tool",
        "llama_index generate_image",
    ],
)
def test_tools_download_results_without_credentials(
    tmp_path: Path, tool: str, mode: str, cdn_redirect: bool
) -> None:
    import langchain_yescale as lc
    import llama_index_yescale as li

    from .conftest import AsyncSleeps, Sleeps

    service = Service(cdn_redirect=cdn_redirect, image_url=f"https://{CDN_HOST}/img/fox.png?s=1")
    http = clients(service)
    common: dict[str, Any] = {
        "api_key": API_KEY,
        "output_dir": tmp_path,
        "default_headers": TEAM,
        "sleep": Sleeps(),
        "async_sleep": AsyncSleeps(),
        "poll_interval": 0.01,
    }
    if tool.startswith("langchain"):
        cls = lc.YEScaleMediaTaskTool if "media" in tool else lc.YEScaleImageGenerationTool
        obj = cls(http_client=http["sync"], http_async_client=http["async"], **common)
        args = (
            {"model": "sora-2", "prompt": "a cat"} if "media" in tool else {"prompt": "a red fox"}
        )
        call = {"type": "tool_call", "id": "1", "name": obj.name, "args": args}
        message = obj.invoke(call) if mode == "sync" else asyncio.run(obj.ainvoke(call))
        assert message.status != "error", message.content
        paths = [str(p) for p in tmp_path.iterdir()]
    else:
        spec = li.YEScaleToolSpec(
            http_client=http["sync"], async_http_client=http["async"], **common
        )
        name = "generate_media" if "media" in tool else "generate_image"
        args = ("sora-2", "a cat") if "media" in tool else ("a red fox",)
        fn = getattr(spec, name if mode == "sync" else "a" + name)
        result = fn(*args) if mode == "sync" else asyncio.run(fn(*args))
        assert result
        paths = [str(p) for p in tmp_path.iterdir()]
    assert len(paths) == 1, paths  # the result was downloaded into output_dir
    assert_only_plain_abroad(service)
    assert any(r.url.host == CDN_HOST for r in service.requests)


# -- input images fetched for Gemini and the image tools ----------------------------------------


def _image_message(url: str) -> list[dict[str, Any]]:
    return [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Describe"},
                {"type": "image_url", "image_url": {"url": url}},
            ],
        }
    ]


FETCH_URLS = {
    "image host": IMAGE_URL,
    "image on the API host itself": f"https://{API_HOST}/files/cat.png",
}


@pytest.mark.parametrize("redirect", [False, True], ids=["direct", "image-host-redirects"])
@pytest.mark.parametrize("where", list(FETCH_URLS))
@pytest.mark.parametrize(
    "caller",
    [
        "client.gemini.chat",
        "client.gemini.chat stream",
        "client.aio.gemini.chat",
        "ChatYEScaleGemini invoke",
        "ChatYEScaleGemini stream",
        "ChatYEScaleGemini ainvoke",
        "YEScaleGemini chat",
        "YEScaleGemini achat",
        "langchain image tool edit",
        "langchain image tool edit async",
        "llama_index generate_image edit",
        "llama_index agenerate_image edit",
    ],
)
def test_fetched_images_carry_no_credentials(caller: str, where: str, redirect: bool) -> None:
    from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock

    import langchain_yescale as lc
    import llama_index_yescale as li

    url = FETCH_URLS[where]
    service = Service(cdn_redirect=redirect)
    http = clients(service)
    settings: dict[str, Any] = {"api_key": API_KEY, "default_headers": TEAM, "max_retries": 0}
    if caller.startswith("client."):
        client = _client(service, default_headers=TEAM)
        if caller == "client.gemini.chat":
            client.gemini.chat.create(model="gemini-2.5-flash", messages=_image_message(url))
        elif caller.endswith("stream"):
            list(client.gemini.chat.stream(model="gemini-2.5-flash", messages=_image_message(url)))
        else:
            asyncio.run(
                client.aio.gemini.chat.create(
                    model="gemini-2.5-flash", messages=_image_message(url)
                )
            )
    elif caller.startswith("ChatYEScaleGemini"):
        llm = lc.ChatYEScaleGemini(
            http_client=http["sync"], http_async_client=http["async"], **settings
        )
        messages = [("human", _image_message(url)[0]["content"])]
        if caller.endswith("invoke") and "ainvoke" not in caller:
            llm.invoke(messages)
        elif caller.endswith("stream"):
            list(llm.stream(messages))
        else:
            asyncio.run(llm.ainvoke(messages))
    elif caller.startswith("YEScaleGemini"):
        model = li.YEScaleGemini(
            http_client=http["sync"], async_http_client=http["async"], **settings
        )
        message = ChatMessage(role="user", blocks=[TextBlock(text="Describe"), ImageBlock(url=url)])
        if caller.endswith("achat"):
            asyncio.run(model.achat([message]))
        else:
            model.chat([message])
    elif caller.startswith("langchain image tool"):
        tool = lc.YEScaleImageGenerationTool(
            http_client=http["sync"], http_async_client=http["async"], **settings
        )
        args = {"prompt": "make it winter", "images": [url], "mask": url}
        if caller.endswith("async"):
            asyncio.run(tool.ainvoke(args))
        else:
            tool.invoke(args)
    else:
        spec = li.YEScaleToolSpec(
            http_client=http["sync"], async_http_client=http["async"], **settings
        )
        if caller.startswith("llama_index agenerate"):
            asyncio.run(spec.agenerate_image("make it winter", images=[url], mask=url))
        else:
            spec.generate_image("make it winter", images=[url], mask=url)
    fetches = [r for r in service.requests if r.url.path.endswith(".png")]
    assert fetches, "the image was fetched"
    for request in fetches:
        assert_plain(request)
    if redirect and where == "image host":
        assert any(r.url.host == STORAGE_HOST for r in fetches)
    api_calls = [r for r in service.requests if r not in fetches]
    assert api_calls
    for request in api_calls:
        assert request.url.host == API_HOST
        assert API_KEY in (
            request.headers.get("authorization", "") + request.headers.get("x-goog-api-key", "")
        )


@pytest.mark.parametrize(
    "caller", ["ChatYEScale", "YEScale", "langchain media tool", "llama_index generate_media"]
)
def test_image_urls_for_openai_models_and_media_tasks_are_not_fetched(caller: str) -> None:
    """The service fetches these itself: we send the URL and contact nobody else."""
    from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock

    import langchain_yescale as lc
    import llama_index_yescale as li

    from .conftest import AsyncSleeps, Sleeps

    service = Service()
    http = clients(service)
    settings: dict[str, Any] = {"api_key": API_KEY, "max_retries": 0}
    if caller == "ChatYEScale":
        llm = lc.ChatYEScale(http_client=http["sync"], **settings)
        llm.invoke([("human", _image_message(IMAGE_URL)[0]["content"])])
    elif caller == "YEScale":
        model = li.YEScale(http_client=http["sync"], **settings)
        model.chat(
            [ChatMessage(role="user", blocks=[TextBlock(text="x"), ImageBlock(url=IMAGE_URL)])]
        )
    elif caller == "langchain media tool":
        tool = lc.YEScaleMediaTaskTool(
            http_client=http["sync"], sleep=Sleeps(), poll_interval=0.01, **settings
        )
        tool.invoke({"model": "sora-2", "prompt": "animate", "images": [IMAGE_URL]})
    else:
        spec = li.YEScaleToolSpec(
            http_client=http["sync"],
            sleep=Sleeps(),
            async_sleep=AsyncSleeps(),
            poll_interval=0.01,
            **settings,
        )
        spec.generate_media("sora-2", "animate", images=[IMAGE_URL])
    assert service.to(IMAGE_HOST) == []
    assert IMAGE_URL in service.requests[0].content.decode()  # handed over as given

"""Recording a cassette with the project's vcrpy settings keeps every key out of it.

This is what ``--record-mode=rewrite`` does with real keys in the environment: here the canaries
are the "live" keys, every endpoint family and auth header form is recorded (``Authorization``
with the API key, ``x-goog-api-key``, the access key, a ``token`` query parameter), answers echo
the keys back (a 401 body, the user info's ``access_token``), and the written file is scanned.
(``tests/integration/test_cassettes.py`` scans the committed cassettes.)
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml

from tests.conftest import json_body
from yescale import AuthenticationError

from .conftest import ACCESS_KEY, API_KEY, BY_NAME, USER, Service, _client, assert_clean


def test_a_recorded_cassette_holds_no_key(
    tmp_path: Path, vcr_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YESCALE_API_KEY", API_KEY)  # as when re-recording live
    monkeypatch.setenv("YESCALE_ACCESS_KEY", ACCESS_KEY)
    config = dict(vcr_config)
    per_cassette = {"allow_playback_repeats": config.pop("allow_playback_repeats")}
    recorder = vcr.VCR(**config, record_mode="all")
    recorder.register_matcher("json_body", json_body)  # as tests/conftest.py registers it
    cassette = tmp_path / "security.yaml"
    service = Service()
    failing = Service(fail=401)
    with recorder.use_cassette(str(cassette), **per_cassette):
        client = _client(service)
        client.chat.create(model="gpt-4o-mini", messages=USER)
        list(client.chat.stream(model="gpt-4o-mini", messages=USER))
        client.gemini.generate_content(model="gemini-2.5-flash", contents="Hi")
        client.embeddings.create(model="text-embedding-3-small", input=["a"])
        client.images.generate(prompt="a fox", model="gpt-image-1")
        client.media.get("task-1")
        client.media.download("https://cdn.example.com/results/video.mp4?sig=1", tmp_path)
        client.system.user()
        client.system.list_api_keys(token=API_KEY)
        asyncio.run(client.aio.chat.create(model="gpt-4o-mini", messages=USER))
        for name in ("ChatYEScale", "ChatYEScaleGemini", "YEScale", "YEScaleEmbedding"):
            subject = BY_NAME[name]
            assert subject.call is not None
            subject.call(subject.build(service))
        with pytest.raises(AuthenticationError, match="401"):
            _client(failing).chat.create(model="gpt-4o-mini", messages=USER)
    text = cassette.read_text()
    interactions = yaml.safe_load(text)["interactions"]
    assert len(interactions) >= 15
    hosts = {i["request"]["uri"].split("/")[2] for i in interactions}
    assert {"api.yescale.io", "yescale.bogia.app", "cdn.example.com"} <= hosts
    for interaction in interactions:
        headers = {k.lower() for k in interaction["request"]["headers"]}
        assert not headers & {"authorization", "x-goog-api-key"}, interaction["request"]["uri"]
    uris = [i["request"]["uri"] for i in interactions]
    assert "https://yescale.bogia.app/yescale/apikeylist" in uris  # the token parameter dropped
    assert '"access_token":"***"' in text  # the user info's access key, scrubbed
    assert "rejected credential ''Bearer ***''" in text  # the 401 echo, scrubbed
    assert_clean(text, "a recorded cassette")

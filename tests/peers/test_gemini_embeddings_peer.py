"""``YEScaleEmbeddings`` on Gemini's native route against its peer
``langchain_google_genai.GoogleGenerativeAIEmbeddings``: the same texts through both, against the
local recorder, send the same ``batchEmbedContents`` bodies (each checked with google-genai's
own types by the recorder: ``support.check_embedding_body``) and get the same vectors back.

Where the bodies differ on purpose, a function named after the difference turns the peer's
bodies into ours, with the reason in its docstring; everything else must be equal.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings
from langchain_google_genai import GoogleGenerativeAIEmbeddings

from langchain_yescale import YEScaleEmbeddings

from .support import FAKE_KEY, Recorder

Body = dict[str, Any]
MODEL = "gemini-embedding-001"
PATH = f"/v1beta/models/{MODEL}:batchEmbedContents"
TEXTS = ["The fox sleeps by the river.", "The owl hunts at night.", "Otters hold hands."]


# -- the deliberate differences (each turns the peer's bodies into ours) -------------------------


def duplicates_sent_once(peer: list[Body]) -> list[Body]:
    """The peer sends every text, repeats included; ours sends a repeated text once and gives
    each of its positions the same vector (fewer tokens billed, the same result)."""
    out = []
    seen: set[str] = set()
    for body in peer:
        requests = []
        for request in body["requests"]:
            text = request["content"]["parts"][0]["text"]
            if text not in seen:
                seen.add(text)
                requests.append(request)
        out.append({"requests": requests})
    return out


def blank_text_sent_as_one_space(peer: list[Body]) -> list[Body]:
    """The peer sends an empty or whitespace-only text as it is, and one such text fails the
    whole batch (Gemini refuses empty content); ours sends it as a single space (the class's
    documented ``empty="space"`` policy), once however many there are."""
    for body in peer:
        for request in body["requests"]:
            part = request["content"]["parts"][0]
            if not part["text"].strip():
                part["text"] = " "
    return duplicates_sent_once(peer)


def no_role_on_a_query(peer: list[Body]) -> list[Body]:
    """The peer hands a query to google-genai as a bare string, which makes it a ``Content``
    with ``"role": "user"`` (its documents, passed as part dicts, have none); ours sends every
    text as ``{"parts": [{"text": ...}]}``, queries too. An embedding request has no turns: the
    role means nothing there (Gemini's reference examples send none)."""
    for body in peer:
        for request in body["requests"]:
            request["content"].pop("role", None)
    return peer


# -- the cases -------------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    call: Callable[[Embeddings], object]
    peer: dict[str, Any] = field(default_factory=dict)  # the peer's settings
    ours: dict[str, Any] = field(default_factory=dict)  # ours, for the same meaning
    differences: tuple[Callable[[list[Body]], list[Body]], ...] = ()
    #: the vectors are compared too (not when a difference changes what the service sees)
    same_vectors: bool = True


def run_async(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


CASES = [
    Case("embed_documents", lambda m: m.embed_documents(TEXTS)),
    Case(
        "embed_query",
        lambda m: m.embed_query("Where does the fox sleep?"),
        differences=(no_role_on_a_query,),
    ),
    Case(
        "output dimensionality",
        lambda m: m.embed_documents(TEXTS),
        peer={"output_dimensionality": 256},
        ours={"dimensions": 256},
    ),
    Case(
        "query with dimensionality",
        lambda m: m.embed_query("Which animal hunts?"),
        peer={"output_dimensionality": 64},
        ours={"dimensions": 64},
        differences=(no_role_on_a_query,),
    ),
    Case(
        "task type set for documents (peer: task_type, any case)",
        lambda m: m.embed_documents(TEXTS),
        peer={"task_type": "clustering"},
        ours={"document_task_type": "clustering"},
    ),
    Case(
        "task type set for queries",
        lambda m: m.embed_query("Is this a question?"),
        peer={"task_type": "QUESTION_ANSWERING"},
        ours={"query_task_type": "question_answering"},
        differences=(no_role_on_a_query,),
    ),
    Case(
        "over 100 texts: batches of 100",
        lambda m: m.embed_documents([f"text number {i}" for i in range(150)]),
    ),
    Case(
        "models/ prefix",
        lambda m: m.embed_documents(TEXTS[:1]),
        peer={"model": f"models/{MODEL}"},
        ours={"model": f"models/{MODEL}"},
    ),
    Case(
        "async documents and query",
        lambda m: (
            run_async(m.aembed_documents(TEXTS)),
            run_async(m.aembed_query("Where?")),
        ),
        differences=(no_role_on_a_query,),
    ),
    Case(
        "repeated texts",
        lambda m: m.embed_documents([TEXTS[0], TEXTS[1], TEXTS[0]]),
        differences=(duplicates_sent_once,),
    ),
    Case(
        "a blank text",
        lambda m: m.embed_documents([TEXTS[0], "", "  "]),
        differences=(blank_text_sent_as_one_space,),
        same_vectors=False,
    ),
]


def peer_model(recorder: Recorder, **settings: Any) -> GoogleGenerativeAIEmbeddings:
    settings.setdefault("model", MODEL)
    return GoogleGenerativeAIEmbeddings(
        google_api_key=FAKE_KEY,  # type: ignore[arg-type]
        base_url=recorder.url,
        # google-genai sends a custom base_url's requests to /v1/ unless told: YEScale's Gemini
        # endpoint, like Google's, is /v1beta/ (the path is compared too)
        api_version="v1beta",
        **settings,
    )


def our_model(recorder: Recorder, **settings: Any) -> YEScaleEmbeddings:
    settings.setdefault("model", MODEL)
    return YEScaleEmbeddings(
        api_key=FAKE_KEY,
        base_url=recorder.url,
        max_retries=0,
        max_concurrency=1,  # the recorder answers one request at a time
        **settings,
    )


def sent(recorder: Recorder, call: Callable[[], object]) -> tuple[list[Body], object, list[str]]:
    """The bodies ``call`` sent (each checked with google-genai's types by the recorder), what
    it returned, and the paths it sent them to."""
    recorder.take()
    result = call()
    requests = recorder.take()
    return [r.json() for r in requests], result, [r.path for r in requests]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_batch_embed_contents_bodies_as_the_peer(recorder: Recorder, case: Case) -> None:
    peer, peer_result, peer_paths = sent(
        recorder, lambda: case.call(peer_model(recorder, **case.peer))
    )
    ours, our_result, our_paths = sent(
        recorder, lambda: case.call(our_model(recorder, **case.ours))
    )
    assert peer
    assert set(peer_paths) == {PATH}
    assert set(our_paths) == {PATH}
    expected = copy.deepcopy(peer)
    for difference in case.differences:
        expected = difference(expected)
    assert ours == expected
    if case.same_vectors:
        assert our_result == peer_result


def test_the_key_travels_as_the_peer_sends_it(recorder: Recorder) -> None:
    """Both send the key in ``x-goog-api-key``, never as a bearer token or in the URL."""
    recorder.take()
    peer_model(recorder).embed_query("hi")
    our_model(recorder).embed_query("hi")
    peer, ours = recorder.take()
    assert peer.headers["x-goog-api-key"] == ours.headers["x-goog-api-key"] == FAKE_KEY
    assert "authorization" not in ours.headers
    assert "key=" not in ours.path

"""Prompt caching end to end, replayed: breakpoints reach the wire for a Claude model with
``prompt_caching=True``, and the second call over the same prefix reports cache reads
(LangChain ``usage_metadata``, LlamaIndex ``additional_kwargs``).

Re-record: ``YESCALE_SYNTHESIZE=1 pytest tests/integration/test_prompt_caching.py
--record-mode=rewrite`` (tests/synth/answers_caching.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage
from llama_index.core.base.llms.types import (
    CacheControl,
    CachePoint,
    ChatMessage,
    MessageRole,
    TextBlock,
)
from vcr.cassette import Cassette

from langchain_yescale import ChatYEScale
from llama_index_yescale import YEScale

from .client_support import assert_all_played, sent_json

pytestmark = pytest.mark.vcr

CLAUDE = "claude-sonnet-4-5"
EPHEMERAL = {"type": "ephemeral"}
#: a long, stable system prompt: what is worth caching
MANUAL = "You answer questions about the Hanoi office. " + " ".join(
    f"Rule {i}: visitors sign in at desk {i % 7} and wear badge colour {i % 5}." for i in range(120)
)
LOOKUP = {
    "name": "lookup_room",
    "description": "Find a meeting room by name.",
    "input_schema": {"type": "object", "properties": {"name": {"type": "string"}}},
    "cache_control": EPHEMERAL,
}


def _marked(body: dict[str, Any]) -> list[str]:
    """Where the body carries breakpoints."""
    marks = [f"tools[{i}]" for i, t in enumerate(body.get("tools") or []) if "cache_control" in t]
    for i, message in enumerate(body["messages"]):
        if isinstance(message["content"], list):
            marks += [
                f"messages[{i}].content[{j}]"
                for j, part in enumerate(message["content"])
                if "cache_control" in part
            ]
    return marks


def test_langchain_second_call_reads_the_cache(vcr: Cassette) -> None:
    llm = ChatYEScale(model=CLAUDE, prompt_caching=True).bind_tools([LOOKUP])
    system = SystemMessage([{"type": "text", "text": MANUAL, "cache_control": EPHEMERAL}])
    first = llm.invoke([system, HumanMessage("Where do visitors sign in?")])
    second = llm.invoke([system, HumanMessage("Which badge colour for rule 7?")])
    assert first.usage_metadata is not None
    assert second.usage_metadata is not None
    written = first.usage_metadata["input_token_details"]
    read = second.usage_metadata["input_token_details"]
    assert written["cache_read"] == 0
    assert written["cache_creation"] > 1000
    assert read["cache_read"] == written["cache_creation"]
    assert read["cache_creation"] == 0
    assert second.usage_metadata["input_tokens"] > read["cache_read"]
    # the breakpoints went on the wire: the tool's and the system block's
    for index in range(2):
        assert _marked(sent_json(vcr, index)) == ["tools[0]", "messages[0].content[0]"]
    assert_all_played(vcr)


def test_langchain_stream_reports_cache_reads(vcr: Cassette) -> None:
    llm = ChatYEScale(model=CLAUDE, prompt_caching=True)
    messages = [SystemMessage(MANUAL), HumanMessage("Where do visitors sign in?")]
    totals = []
    for _ in range(2):
        full: AIMessageChunk | None = None
        for chunk in llm.stream(messages, cache_control=EPHEMERAL):
            full = chunk if full is None else full + chunk
        assert full is not None
        assert full.usage_metadata is not None
        totals.append(full.usage_metadata["input_token_details"])
    assert totals[0]["cache_read"] == 0
    assert totals[1]["cache_read"] == totals[0]["cache_creation"] > 1000
    # cache_control= marks the last text of the last message
    assert _marked(sent_json(vcr, 0)) == ["messages[1].content[0]"]
    assert_all_played(vcr)


def _llamaindex_messages(question: str) -> list[ChatMessage]:
    point = CachePoint(cache_control=CacheControl(type="ephemeral"))
    return [
        ChatMessage(role=MessageRole.SYSTEM, blocks=[TextBlock(text=MANUAL), point]),
        ChatMessage(role=MessageRole.USER, content=question),
    ]


def test_llamaindex_second_call_reads_the_cache(vcr: Cassette) -> None:
    llm = YEScale(model=CLAUDE, prompt_caching=True)
    first = llm.chat(_llamaindex_messages("Where do visitors sign in?"))
    second = llm.chat(_llamaindex_messages("Which badge colour for rule 7?"))
    written = first.additional_kwargs["cache_creation_input_tokens"]
    assert written > 1000
    assert "cache_read_input_tokens" not in first.additional_kwargs  # none read: not reported
    assert second.additional_kwargs["cache_read_input_tokens"] == written
    assert "cache_creation_input_tokens" not in second.additional_kwargs
    system = sent_json(vcr, 0)["messages"][0]
    assert system == {
        "role": "system",
        "content": [
            {"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral", "ttl": "5m"}}
        ],
    }
    assert_all_played(vcr)


async def test_llamaindex_async_stream_reads_the_cache(vcr: Cassette) -> None:
    llm = YEScale(model=CLAUDE, prompt_caching=True)
    finals = []
    for question in ("Where do visitors sign in?", "Which badge colour for rule 7?"):
        last = None
        async for response in await llm.astream_chat(_llamaindex_messages(question)):
            last = response
        assert last is not None
        finals.append(last.additional_kwargs)
    assert finals[1]["cache_read_input_tokens"] == finals[0]["cache_creation_input_tokens"]
    assert json.loads(vcr.requests[1].body)["stream"] is True
    assert_all_played(vcr)

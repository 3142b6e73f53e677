"""Costs in LlamaIndex: ``raw`` / ``additional_kwargs["cost"]``, cost events through
instrumentation totalled by ``YEScaleCostHandler``, and ``get_yescale_callback()`` with a budget,
over cassettes (prices: ``tests/synth/answers_costs.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from vcr.cassette import Cassette

from llama_index_yescale import (
    YEScale,
    YEScaleCostEvent,
    YEScaleCostHandler,
    YEScaleEmbedding,
    YEScaleToolSpec,
    get_yescale_callback,
)
from tests.synth.answers_costs import token_cost
from yescale import BudgetExceededError
from yescale.costs import load_prices

from .client_support import API_HOST

pytestmark = [pytest.mark.vcr, pytest.mark.usefixtures("no_prices")]
HELLO = [ChatMessage(role="user", content="Say hello.")]


class Events(BaseEventHandler):
    """Keeps the cost events it sees."""

    seen: list[YEScaleCostEvent] = []

    def handle(self, event: BaseEvent, **kwargs: object) -> None:
        if isinstance(event, YEScaleCostEvent):
            self.seen.append(event)


@pytest.fixture
def handler() -> Iterator[YEScaleCostHandler]:
    root = get_dispatcher()
    costs = YEScaleCostHandler()
    root.add_event_handler(costs)
    yield costs
    root.event_handlers.remove(costs)


@pytest.fixture
def events() -> Iterator[Events]:
    root = get_dispatcher()
    seen = Events(seen=[])
    root.add_event_handler(seen)
    yield seen
    root.event_handlers.remove(seen)


def test_cost_events_are_totalled_by_the_handler(
    vcr: Cassette, handler: YEScaleCostHandler, events: Events
) -> None:
    load_prices()
    response = YEScale(model="gpt-4o-mini").chat(HELLO)
    usage = response.raw["usage"]
    expected = token_cost("gpt-4o-mini", usage["prompt_tokens"], usage["completion_tokens"])
    assert response.additional_kwargs["cost"]["usd"] == pytest.approx(expected)
    assert response.raw["cost"] == response.additional_kwargs["cost"]
    vectors = YEScaleEmbedding(model="text-embedding-3-small", embed_batch_size=2)
    vectors.get_text_embedding_batch([f"text {i}" for i in range(4)])
    sources = [e.source for e in events.seen]
    assert sources == ["llm", "embedding", "embedding"]  # one event per request
    assert handler.successful_requests == 3
    embedded = handler.by_model["text-embedding-3-small"]
    assert embedded.usd == pytest.approx(
        token_cost("text-embedding-3-small", embedded.input_tokens, 0)
    )
    assert handler.total_cost == pytest.approx(expected + embedded.usd)
    assert "Requests: 3" in str(handler)


def test_streamed_chat_reports_once(vcr: Cassette, handler: YEScaleCostHandler) -> None:
    load_prices()
    responses = list(YEScale(model="gpt-4o-mini").stream_chat(HELLO))
    last = responses[-1]
    assert handler.successful_requests == 1
    assert handler.total_cost == pytest.approx(last.additional_kwargs["cost"]["usd"])
    assert handler.total_cost > 0


async def test_scope_counts_async_calls_and_media_tasks(vcr: Cassette, events: Events) -> None:
    spec = YEScaleToolSpec(wait=False)
    async with get_yescale_callback() as costs:
        await YEScale(model="gpt-4o-mini").achat(HELLO)
        outcome = await spec.agenerate_media(model="sora-2", prompt="a cat surfing a wave")
    assert outcome.cost is not None
    assert outcome.cost.usd == pytest.approx(0.5)
    assert costs.successful_requests == 2
    assert costs.by_model["sora-2"].usd == pytest.approx(0.5)
    assert [e.source for e in events.seen] == ["llm", "media"]
    # the scope's handler counts in the client: the events did not count a second time
    assert costs.total_cost == pytest.approx(0.5 + events.seen[0].usd)  # type: ignore[operator]


def test_scope_budget_stops_before_sending(vcr: Cassette) -> None:
    spec = YEScaleToolSpec(image_model="imagen4-fast")
    with get_yescale_callback(budget_usd=0.12) as costs:
        spec.generate_image(prompt="a red square")
        spec.generate_image(prompt="a red square")
        with pytest.raises(BudgetExceededError, match=r"at least \$0\.05"):
            spec.generate_image(prompt="a red square")
    assert sum(1 for r in vcr.requests if r.host == API_HOST) == 2
    assert costs.total_cost == pytest.approx(0.1)

"""The cost of every kind of call, from prices the System API's catalog gives, over cassettes.

The catalog answer holds the reference's documented entry (imagen4-fast, $0.04 per request,
group ratio 1.25) and entries in the same shape for the other models, their price fields in the
units :mod:`yescale.costs.units` assumes (``tests/synth/answers_costs.py``). Expected costs are
computed here from the catalog and each answer's own usage, not copied from the code.
"""

from __future__ import annotations

import time
import warnings

import pytest
from vcr.cassette import Cassette

from tests.synth.answers_costs import CATALOG, token_cost
from yescale import BudgetExceededError, YEScaleClient, embedding_batches
from yescale.costs import (
    CREDITS_PER_USD,
    UnknownCostWarning,
    current_prices,
    load_prices,
    track_costs,
)

from .client_support import API_HOST, SentRequests, assert_all_played

pytestmark = pytest.mark.usefixtures("no_prices")

MESSAGES = [{"role": "user", "content": "Say hello."}]
#: The reference's time window of the System API tests (2025-10-27, UTC).
START, END = 1761523200, 1761609600


def catalog_entry(model: str) -> dict[str, object]:
    return next(m for m in CATALOG if m["model_name"] == model)


def loaded(client: YEScaleClient) -> None:
    table = load_prices(client)
    assert table.source == "service"
    assert current_prices() is table


@pytest.mark.vcr
def test_prices_come_from_the_catalog(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        table = load_prices(client)
        # a second load within max_age is the same table, without a request
        assert load_prices(client) is table
    assert len(vcr.requests) == 1
    imagen = table.price("imagen4-fast")
    assert imagen is not None
    assert imagen.basis == "request"
    assert imagen.per_request == pytest.approx(0.04 * 1.25)  # REF: $0.04 x 1.25 (GroupRatio)
    assert imagen.describe() == "$0.05 / request"
    gemini = table.price("gemini-2.5-flash")
    assert gemini is not None
    assert (gemini.input_per_mtok, gemini.output_per_mtok) == (0.3 * 1.25, 2.5 * 1.25)
    assert table.price("GPT-4o-mini") is table.price("gpt-4o-mini") is not None
    assert table.price("claude-sonnet-4-5") is None  # listed without a price: unknown
    assert table.price("gpt-4o-mini-2024-07-18") is None  # a snapshot is not its alias


@pytest.mark.vcr
def test_chat_answer_carries_its_cost(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        loaded(client)
        with track_costs() as costs:
            reply = client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert reply.usage is not None
    assert reply.cost is not None
    usage = reply.usage
    expected = token_cost("gpt-4o-mini", usage.prompt_tokens, usage.completion_tokens)
    assert reply.cost.usd == pytest.approx(expected)
    assert reply.cost.basis == "tokens"
    assert reply.cost.input_usd == pytest.approx(token_cost("gpt-4o-mini", usage.prompt_tokens, 0))
    assert (costs.requests, costs.total_cost) == (1, pytest.approx(expected))
    assert costs.by_model["gpt-4o-mini"].input_tokens == usage.prompt_tokens
    assert "cost" not in reply.model_dump()  # not part of the wire


@pytest.mark.vcr
def test_streamed_chat_is_counted_once(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        loaded(client)
        with track_costs() as costs:
            chunks = list(client.chat.stream(model="gpt-4o-mini", messages=MESSAGES))
    priced = [c for c in chunks if c.cost is not None]
    assert len(priced) == 1
    assert priced[0] is chunks[-1]
    usage = chunks[-1].usage
    assert usage is not None
    expected = token_cost("gpt-4o-mini", usage.prompt_tokens, usage.completion_tokens)
    assert priced[0].cost is not None
    assert priced[0].cost.usd == pytest.approx(expected)
    assert (costs.requests, costs.total_cost) == (1, pytest.approx(expected))


@pytest.mark.vcr
async def test_async_stream_cut_short_is_still_counted(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        await_load = await __import__("yescale").costs.aload_prices(client)
        assert await_load.source == "service"
        with track_costs() as costs:
            stream = client.aio.chat.stream(model="gpt-4o-mini", messages=MESSAGES)
            async for _chunk in stream:
                break  # the caller stops reading: no usage came
            await stream.aclose()
    assert costs.requests == 1
    assert costs.unknown_cost_requests == 1
    assert costs.total_cost == 0


@pytest.mark.vcr
def test_embedding_batch_cost(vcr: Cassette) -> None:
    texts = [f"document number {i} about prices" for i in range(6)]
    with YEScaleClient() as client:
        loaded(client)
        with track_costs() as costs:
            vectors = embedding_batches.embed(
                client.embeddings, texts, model="text-embedding-3-small", chunk_size=2
            )
    assert len(vectors) == 6
    # three requests on worker threads, each counted in the caller's tracker
    assert costs.requests == 3
    tokens = costs.input_tokens
    assert tokens > 0
    assert costs.output_tokens == 0
    assert costs.total_cost == pytest.approx(token_cost("text-embedding-3-small", tokens, 0))


@pytest.mark.vcr
def test_image_cost_is_per_image(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        loaded(client)
        with track_costs() as costs:
            images = client.images.generate(prompt="a red square", model="imagen4-fast", n=2)
    assert images.cost is not None
    assert images.cost.basis == "request"
    assert images.cost.units == 2
    assert images.cost.usd == pytest.approx(2 * 0.04 * 1.25)
    assert costs.total_cost == pytest.approx(0.1)


@pytest.mark.vcr
def test_media_task_is_charged_once_at_submit(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        loaded(client)
        with track_costs() as costs:
            task = client.media.submit(model="sora-2", prompt="a cat surfing a wave")
            polled = client.media.get(task.task_id)
    assert task.cost is not None
    assert task.cost.usd == pytest.approx(0.5)
    assert polled.cost is None  # a poll costs nothing
    assert (costs.requests, costs.total_cost) == (1, pytest.approx(0.5))


@pytest.mark.vcr
def test_budget_stops_the_call_that_would_cross_it(vcr: Cassette) -> None:
    sent = SentRequests()
    with sent.client() as http, YEScaleClient(http_client=http) as client:
        loaded(client)
        with track_costs(budget_usd=0.12) as costs:
            for _ in range(2):
                client.images.generate(prompt="a red square", model="imagen4-fast")
            with pytest.raises(BudgetExceededError) as caught:
                client.images.generate(prompt="a red square", model="imagen4-fast")
        # a spent budget refuses a stream before its request too (a budget of 0 allows nothing)
        with track_costs(budget_usd=0), pytest.raises(BudgetExceededError):
            client.chat.stream(model="gpt-4o-mini", messages=MESSAGES)
    error = caught.value
    assert (error.budget_usd, error.model) == (0.12, "imagen4-fast")
    assert error.spent_usd == pytest.approx(0.1)
    assert "not sent" in str(error)
    assert "$0.12" in str(error)
    assert len(sent.to(API_HOST)) == 2  # the third image was never requested
    assert costs.total_cost == pytest.approx(0.1)
    assert_all_played(vcr)


@pytest.mark.vcr
def test_unknown_price_is_unknown_never_zero(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        loaded(client)
        with track_costs(budget_usd=1.0) as costs, warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            reply = client.chat.create(model="claude-sonnet-4-5", messages=MESSAGES)
    assert reply.cost is not None
    assert reply.cost.usd is None
    assert not reply.cost.known
    assert "no price for 'claude-sonnet-4-5'" in (reply.cost.reason or "")
    assert costs.unknown_cost_requests == 1
    assert costs.total_cost == 0
    unknown = [w for w in seen if issubclass(w.category, UnknownCostWarning)]
    assert len(unknown) == 1
    assert "does not count them" in str(unknown[0].message)


@pytest.mark.vcr
def test_without_prices_costs_are_unknown(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        reply = client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert reply.cost is not None
    assert reply.cost.usd is None
    assert "load_prices()" in (reply.cost.reason or "")


@pytest.mark.vcr
def test_estimate_agrees_with_the_logs(vcr: Cassette, live_recording: bool) -> None:
    """The live re-record's check of the assumed units: what the logs say three calls were
    charged, against the estimate (within the logs' rounding to whole credits)."""
    start = int(time.time()) - 5 if live_recording else START
    with YEScaleClient() as client:
        loaded(client)
        with track_costs() as costs:
            for _ in range(3):
                client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
        if live_recording:
            time.sleep(5)  # the gateway writes its log rows after answering
        end = int(time.time()) + 5 if live_recording else END
        report = client.system.reconcile(costs, start_timestamp=start, end_timestamp=end)
    model = report.models["gpt-4o-mini"]
    assert (model.estimated_requests, model.logged_requests) == (3, 3)
    assert model.estimated_usd == pytest.approx(costs.total_cost)
    rounding = 3 * 0.5 / CREDITS_PER_USD  # each row is a whole number of credits
    assert abs(model.difference_usd) <= rounding + 0.05 * model.charged_usd
    assert "gpt-4o-mini" in report.summary()
    sent = [r for r in vcr.requests if r.path.endswith("/logs")]
    assert len(sent) == 1
    query = dict(sent[0].query)
    assert (query["type"], query["start_timestamp"]) == ("2", str(start))

"""yescale.costs without cassettes: units, prices, the price cache, trackers, budgets, reconcile.

HTTP here goes to an ``httpx.MockTransport`` (never a socket): it counts the catalog fetches.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import math
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from yescale import BudgetExceededError, InvalidRequestError, YEScaleClient
from yescale.costs import (
    Cost,
    CostTracker,
    Price,
    PriceTable,
    StalePricesWarning,
    Usage,
    current_prices,
    load_prices,
    reconcile,
    track_costs,
    use_prices,
)
from yescale.costs import reconciliation as reconcile_module
from yescale.costs.meter import Meter, chat_usage
from yescale.costs.reconciliation import LOG_PAGE_SIZE, log_rows
from yescale.costs.tracking import check_budget, record_cost
from yescale.costs.units import bills_per_request, per_request_usd
from yescale.models.profiles import model_profile
from yescale.types.system import LogEntry, ModelInfo

pytestmark = pytest.mark.usefixtures("no_prices")

REFERENCE_ENTRY = {  # system-api.txt, 3.5 (the price fields of the documented example)
    "model_name": "imagen4-fast",
    "billing_type": "pay-per-request",
    "group_ratio": 1.25,
    "input_price": None,
    "output_price": None,
    "price_per_request": "0.04 ~ 400 VND",
}
TOKENS_ENTRY = {
    "model_name": "gpt-4o-mini",
    "billing_type": "pay-per-token",
    "group_ratio": 2.0,
    "input_price": 0.15,
    "output_price": 0.6,
    "max_input": 111_000,
}


def info(**fields: Any) -> ModelInfo:
    return ModelInfo.model_validate(fields)


# -- units ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "usd"),
    [
        ("0.04 ~ 400 VND", 0.04),
        ("$0.04", 0.04),
        ("0,5 ~ 4000 VND", 0.5),
        (0.2, 0.2),
        ("1e-3", 0.001),
        ("free", None),
        ("", None),
        (None, None),
        ("-1", None),
        ("nan", None),
    ],
)
def test_price_per_request_reads_the_first_number(text: Any, usd: float | None) -> None:
    assert per_request_usd(text) == usd


def test_billing_type_per_request() -> None:
    assert bills_per_request("pay-per-request")
    assert bills_per_request("Per Request")
    assert not bills_per_request("pay-per-token")
    assert not bills_per_request(None)


# -- prices ---------------------------------------------------------------------------------------


def test_reference_entry_is_a_per_request_price_with_the_group_ratio() -> None:
    price = Price.of(info(**REFERENCE_ENTRY))
    assert price is not None
    assert (price.basis, price.per_request, price.group_ratio) == ("request", 0.05, 1.25)
    # its saving_details: "$0.04x1.25(GroupRatio)x8.000(TopUp Price)= 400VND"
    assert price.per_request * 8000 == pytest.approx(400)
    assert price.minimum == 0.05
    cost = price.cost(Usage(units=3))
    assert (cost.usd, cost.basis, cost.units) == (pytest.approx(0.15), "request", 3)


def test_token_price_per_million_with_the_group_ratio() -> None:
    price = Price.of(info(**TOKENS_ENTRY))
    assert price is not None
    assert (price.input_per_mtok, price.output_per_mtok, price.minimum) == (0.3, 1.2, 0.0)
    cost = price.cost(Usage(1_000, 500))
    assert cost.input_usd == pytest.approx(0.0003)
    assert cost.output_usd == pytest.approx(0.0006)
    assert cost.usd == pytest.approx(0.0009)
    assert cost.as_dict() == {
        "model": "gpt-4o-mini",
        "usd": pytest.approx(0.0009),
        "basis": "tokens",
        "input_usd": pytest.approx(0.0003),
        "output_usd": pytest.approx(0.0006),
        "input_tokens": 1000,
        "output_tokens": 500,
        "units": 1,
    }
    assert price.describe() == "$0.3 / $1.2 per 1M tokens"


@pytest.mark.parametrize(
    "fields",
    [
        {"billing_type": "pay-per-token"},  # no price at all
        {"billing_type": "pay-per-request", "price_per_request": "ask us"},
        {"input_price": float("nan"), "output_price": -1.0},
    ],
)
def test_entries_without_a_usable_price_have_none(fields: dict[str, Any]) -> None:
    assert Price.of(info(model_name="m", **fields)) is None


def test_missing_group_ratio_is_one_and_per_request_without_billing_type() -> None:
    price = Price.of(info(model_name="m", price_per_request="0.2 ~ 1600 VND"))
    assert price is not None
    assert (price.basis, price.per_request) == ("request", 0.2)


def test_token_costs_that_cannot_be_known_are_unknown() -> None:
    price = Price.of(info(model_name="e", input_price=0.02))
    assert price is not None
    assert price.cost(Usage(100, 0)).usd == pytest.approx(0.000002)
    missing_side = price.cost(Usage(100, 7))
    assert missing_side.usd is None
    assert missing_side.reason == "the catalog gives no output price"
    uncounted = price.cost(Usage(counted=False))
    assert uncounted.usd is None
    assert "did not say" in (uncounted.reason or "")


def test_table_lookup_is_exact_case_or_prefix_never_looser() -> None:
    table = PriceTable.from_models([info(**TOKENS_ENTRY)])
    assert table.price("gpt-4o-mini") is table.price("GPT-4O-MINI") is not None
    assert table.price("openai/gpt-4o-mini") is not None
    assert table.price("models/gpt-4o-mini") is not None
    assert table.price("gpt-4o-mini-2024-07-18") is None
    assert table.price("gpt-4o") is None
    assert "gpt-4o-mini" in table
    assert "gpt-4o" not in table
    assert len(table) == 1
    unknown = table.cost("gpt-4o", Usage(1, 1))
    assert unknown.usd is None
    assert "has no price for 'gpt-4o'" in (unknown.reason or "")
    assert (unknown.input_tokens, unknown.output_tokens) == (1, 1)
    empty = PriceTable().cost("gpt-4o-mini", Usage(1, 1))
    assert "no prices loaded" in (empty.reason or "")


def test_saved_copy_round_trip(tmp_path: Path) -> None:
    table = PriceTable.from_models(
        [info(**REFERENCE_ENTRY, provider_logo="data:..."), info(**TOKENS_ENTRY)]
    )
    path = table.save(tmp_path / "prices.json")
    assert "provider_logo" not in path.read_text()
    again = PriceTable.load(path)
    assert again.fetched_at == table.fetched_at
    assert again.source == "saved copy prices.json"
    assert again.price("imagen4-fast") == table.price("imagen4-fast")
    assert again.price("gpt-4o-mini") == table.price("gpt-4o-mini")
    # the System API's own body (what `yescale models --json` or curl saves) loads too
    raw = PriceTable.from_json(json.dumps({"data": [TOKENS_ENTRY], "success": True}))
    assert raw.price("gpt-4o-mini") == table.price("gpt-4o-mini")
    assert raw.fetched_at is None


@pytest.mark.parametrize("text", ["not json", '{"data": 3}', '[{"no_name": 1}]'])
def test_unreadable_saved_copy_is_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidRequestError, match="Not a saved YEScale model catalog"):
        PriceTable.from_json(text)


def test_missing_saved_copy_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match=r"Cannot read saved prices .*nothing\.json"):
        use_prices(tmp_path / "nothing.json")


# -- the price cache ------------------------------------------------------------------------------


class Catalog:
    """A mock System API: counts catalog requests; ``fail`` makes it answer 503."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries
        self.requests = 0
        self.fail = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/yescale/models"
        self.requests += 1
        if self.fail:
            return httpx.Response(503, json={"success": False, "message": "maintenance"})
        return httpx.Response(200, json={"data": self.entries, "message": "", "success": True})

    def client(self) -> YEScaleClient:
        http = httpx.Client(transport=httpx.MockTransport(self.handler))
        return YEScaleClient(api_key="k", access_key="access", http_client=http, max_retries=0)


def test_load_prices_keeps_them_for_max_age_and_refresh_fetches() -> None:
    catalog = Catalog([TOKENS_ENTRY])
    client = catalog.client()
    first = load_prices(client)
    assert current_prices() is first
    assert catalog.requests == 1
    assert load_prices(client) is first
    assert catalog.requests == 1
    assert load_prices(client, refresh=True) is not first
    assert catalog.requests == 2
    assert load_prices(client, max_age=0) is not first
    assert catalog.requests == 3
    # the same fetch gives the profiles the catalog's limits
    assert model_profile("gpt-4o-mini").get("max_input_tokens") == 111_000


def test_cache_file_is_used_while_fresh_and_rewritten(tmp_path: Path) -> None:
    catalog = Catalog([TOKENS_ENTRY])
    cache = tmp_path / "catalog.json"
    load_prices(catalog.client(), cache_file=cache)
    assert catalog.requests == 1
    assert cache.is_file()
    use_prices(None)  # a new process: nothing in memory
    table = load_prices(catalog.client(), cache_file=cache)
    assert catalog.requests == 1
    assert table.source == "saved copy catalog.json"
    # once older than max_age, fetched again and rewritten
    use_prices(None)
    load_prices(catalog.client(), cache_file=cache, max_age=0)
    assert catalog.requests == 2


def test_unreachable_catalog_falls_back_to_the_stale_copy_with_a_warning(tmp_path: Path) -> None:
    catalog = Catalog([TOKENS_ENTRY])
    cache = tmp_path / "catalog.json"
    old = PriceTable.from_models([info(**TOKENS_ENTRY)])
    old.fetched_at = time.time() - 7200
    old.save(cache)
    catalog.fail = True
    with pytest.warns(StalePricesWarning, match=r"from 2\.0 hours ago.*could not be fetched"):
        table = load_prices(catalog.client(), cache_file=cache)
    assert table.price("gpt-4o-mini") is not None
    assert catalog.requests == 1


def test_unreachable_catalog_without_any_copy_raises() -> None:
    catalog = Catalog([TOKENS_ENTRY])
    catalog.fail = True
    with pytest.raises(Exception, match="maintenance"):
        load_prices(catalog.client())
    assert current_prices().models == []


# -- trackers and budgets -------------------------------------------------------------------------


def priced(model: str = "gpt-4o-mini", usd: float | None = 0.01, tokens: int = 10) -> Cost:
    return Cost(model, usd, "tokens" if usd is not None else "unknown", None, None, tokens, tokens)


@pytest.mark.parametrize("budget", [-1, math.inf, float("nan"), "1", True])
def test_budget_must_be_dollars(budget: Any) -> None:
    with pytest.raises(InvalidRequestError, match="budget_usd"):
        CostTracker(budget)


def test_trackers_nest_and_stop_counting_on_exit() -> None:
    with track_costs() as outer:
        record_cost(priced())
        with track_costs() as inner:
            record_cost(priced(usd=0.02))
        record_cost(priced())
    record_cost(priced())  # no tracker active
    assert (outer.requests, outer.total_cost) == (3, pytest.approx(0.04))
    assert (inner.requests, inner.total_cost) == (1, pytest.approx(0.02))
    assert outer.total_tokens == 60
    assert outer.by_model["gpt-4o-mini"].requests == 3
    assert "Requests: 3" in str(outer)
    assert "total_cost=0.040000" in repr(outer)


def test_threads_sharing_a_tracker_add_up_exactly() -> None:
    def work() -> None:
        for _ in range(500):
            record_cost(priced(usd=0.001, tokens=1))

    with track_costs() as costs:
        threads = [
            threading.Thread(target=contextvars.copy_context().run, args=(work,)) for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert costs.requests == 4000
    assert costs.total_tokens == 8000
    assert costs.total_cost == pytest.approx(4.0)


async def test_asyncio_tasks_count_in_their_own_tracker() -> None:
    async def job(usd: float) -> CostTracker:
        async with track_costs() as mine:
            await asyncio.sleep(0)
            record_cost(priced(usd=usd))
            await asyncio.sleep(0)
        return mine

    async with track_costs() as outer:
        first, second = await asyncio.gather(job(0.1), job(0.2))
    assert first.total_cost == pytest.approx(0.1)
    assert second.total_cost == pytest.approx(0.2)
    assert outer.requests == 2
    assert outer.total_cost == pytest.approx(0.3)


def test_budget_refuses_once_spent_or_when_the_known_minimum_would_cross() -> None:
    use_prices(PriceTable.from_models([info(**REFERENCE_ENTRY), info(**TOKENS_ENTRY)]))
    with track_costs(budget_usd=0.12) as costs:
        for _ in range(2):
            check_budget("imagen4-fast")
            record_cost(current_prices().cost("imagen4-fast", Usage()))
        check_budget("gpt-4o-mini")  # $0.10 spent: a token call may still go
        with pytest.raises(BudgetExceededError, match=r"at least \$0\.05.*'imagen4-fast'"):
            check_budget("imagen4-fast")  # $0.10 + $0.05 > $0.12
        record_cost(priced(usd=0.03))
        with pytest.raises(BudgetExceededError, match=r"\$0\.13 so far"):
            check_budget("gpt-4o-mini")
    assert costs.remaining_usd == 0.0
    check_budget("imagen4-fast")  # no budget active: nothing to refuse


def test_unknown_costs_warn_once_per_model_under_a_budget() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with track_costs(budget_usd=1):
            for _ in range(3):
                record_cost(Cost.unknown("mystery", "no price"))
        with track_costs():  # no budget: nothing to warn about
            record_cost(Cost.unknown("mystery", "no price"))
    assert len(seen) == 1
    assert "'mystery' is unknown (no price)" in str(seen[0].message)


def test_metered_stream_counts_once_and_closes_what_it_reads() -> None:
    from yescale.types.chat import ChatCompletionChunk

    closed: list[bool] = []

    def source() -> Iterator[ChatCompletionChunk]:
        try:
            yield ChatCompletionChunk.model_validate({"id": "1", "choices": []})
            yield ChatCompletionChunk.model_validate({"id": "1", "choices": []})
        finally:
            closed.append(True)

    meter: Meter[Any] = Meter("gpt-4o-mini", chat_usage)
    with track_costs() as costs:
        stream = meter.stream(source(), lambda c: None)
        next(stream)
        stream.close()  # the caller stops early
    assert closed == [True]
    assert (costs.requests, costs.unknown_cost_requests) == (1, 1)


# -- reconcile ------------------------------------------------------------------------------------


def row(model: str, quota: int, created: int = 100, kind: int | None = 2) -> dict[str, Any]:
    return {"model_name": model, "quota": quota, "created_at": created, "type": kind}


def test_reconcile_compares_the_estimate_with_charged_credits() -> None:
    with track_costs() as costs:
        record_cost(priced(usd=0.010))
        record_cost(priced(usd=0.010))
        record_cost(Cost.unknown("claude", "no price"))
    logs = log_rows(
        {
            "items": [
                row("gpt-4o-mini", 5_000),
                row("gpt-4o-mini", 6_000),
                row("gpt-4o-mini", 9_999, kind=1),  # a top-up, not a charge
                row("gpt-4o-mini", 9_999, created=999),  # outside the window
                row("sora-2", 250_000),
            ]
        }
    )
    report = reconcile(costs, logs, 0, 500)
    mini = report.models["gpt-4o-mini"]
    assert (mini.estimated_requests, mini.logged_requests) == (2, 2)
    assert mini.charged_usd == pytest.approx(0.022)
    assert mini.estimated_usd == pytest.approx(0.02)
    assert mini.difference_usd == pytest.approx(0.002)
    assert mini.relative_error == pytest.approx(0.002 / 0.022)
    assert report.models["claude"].unknown_requests == 1
    assert report.models["claude"].relative_error is None
    assert report.other_models["sora-2"].charged_usd == pytest.approx(0.5)
    assert report.charged_usd == pytest.approx(0.022)  # the tracked models only
    assert "estimate error on the tracked models: +9.1%" in report.summary()


@pytest.mark.parametrize("answer", [None, [], {"data": None}, {"items": []}])
def test_empty_log_answers_have_no_rows(answer: Any) -> None:
    assert log_rows(answer) == []


def test_log_rows_of_the_wrong_shape_are_a_clear_error() -> None:
    from yescale import InvalidResponseError

    with pytest.raises(InvalidResponseError, match="logs with rows of an unexpected shape"):
        log_rows([{"quota": "lots"}])


def test_system_reconcile_reads_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    pages: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        pages.append(query)
        count = LOG_PAGE_SIZE if query["p"] == "1" else 3
        rows = [row("gpt-4o-mini", 1) for _ in range(count)]
        return httpx.Response(200, json={"data": rows, "success": True})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = YEScaleClient(api_key="k", access_key="a", http_client=http)
    with track_costs() as costs:
        record_cost(priced())
    report = client.system.reconcile(costs, start_timestamp=0, end_timestamp=500)
    assert report.models["gpt-4o-mini"].logged_requests == LOG_PAGE_SIZE + 3
    assert [p["p"] for p in pages] == ["1", "2"]
    assert pages[0] == {
        "type": "2",
        "start_timestamp": "0",
        "end_timestamp": "500",
        "p": "1",
        "page_size": str(LOG_PAGE_SIZE),
    }
    # a window with more rows than the bound is refused, not read forever
    monkeypatch.setattr(reconcile_module, "LOG_PAGE_SIZE", 3)
    monkeypatch.setattr("yescale.resources.system.LOG_PAGE_SIZE", 3)
    monkeypatch.setattr("yescale.resources.system.MAX_LOG_PAGES", 1)
    with pytest.raises(Exception, match="reconcile a shorter time window"):
        client.system.reconcile(costs, start_timestamp=0, end_timestamp=500)
    with pytest.raises(InvalidRequestError, match="after end_timestamp"):
        client.system.reconcile(costs, start_timestamp=9, end_timestamp=1)


def test_log_entries_keep_the_documented_fields() -> None:
    entry = LogEntry.model_validate(row("m", 7) | {"token_name": "dsdfs", "prompt_tokens": 3})
    assert (entry.type, entry.token_name, entry.prompt_tokens, entry.quota) == (2, "dsdfs", 3, 7)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (0, "$0"),
        (0.12, "$0.12"),
        (1234.5, "$1,234.5"),
        (0.000016875, "$0.000016875"),
        (-0.5, "-$0.5"),
        (1e-12, "$0"),
    ],
)
def test_money_is_shown_readably(amount: float, shown: str) -> None:
    from yescale.costs.units import format_usd

    assert format_usd(amount) == shown


def test_an_answers_cost_is_not_wire_and_survives_copies() -> None:
    import pickle

    from yescale.types.chat import ChatCompletionChunk

    chunk = ChatCompletionChunk.model_validate({"id": "1", "choices": []})
    assert chunk.cost is None
    chunk.attach_cost(priced())
    assert chunk.cost == priced()
    assert "cost" not in chunk.model_dump()
    assert "cost" not in chunk.model_dump_json()
    assert pickle.loads(pickle.dumps(chunk)).cost == priced()
    assert chunk.model_copy().cost == priced()
    # a chunk without a cost carries no private state at all (nothing to allocate per chunk)
    assert (
        ChatCompletionChunk.model_validate({"id": "2", "choices": []}).__pydantic_private__ is None
    )


def test_a_cost_scope_reads_the_catalog_with_the_client_it_is_given() -> None:
    from yescale.integration import CostScope

    catalog = Catalog([TOKENS_ENTRY])
    with CostScope(lambda tracker: tracker, budget_usd=1, client=catalog.client()) as tracker:
        assert tracker.budget_usd == 1
    assert catalog.requests == 1
    assert current_prices().price("gpt-4o-mini") is not None

"""The cost functions against a misbehaving System API (a real local server): hostile catalog
bodies and values, a catalog that breaks while older prices exist, and logs that never end.

The transport faults (429, 5xx, resets, stalls, cut bodies) of ``load_prices`` and
``system.reconcile`` are in the fault matrix (endpoints "catalog" and "logs").
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator

import pytest

from yescale import InvalidResponseError, YEScaleClient
from yescale.costs import (
    CostTracker,
    PriceTable,
    StalePricesWarning,
    Usage,
    aload_prices,
    current_prices,
    load_prices,
    use_prices,
)

from .conftest import FaultServer, reply, reply_json
from .support import API_KEY, HOSTILE_BODIES, in_mode

ACCESS_KEY = "sk-access-cost-faults-0123456789abcdef"
MODES = ["sync", "async"]


@pytest.fixture(autouse=True)
def _no_prices() -> Iterator[None]:
    use_prices(None)
    yield
    use_prices(None)


def client_for(server: FaultServer) -> YEScaleClient:
    return YEScaleClient(
        api_key=API_KEY,
        access_key=ACCESS_KEY,
        base_url=server.url,
        system_base_url=server.url,
        max_retries=0,
    )


def prices(mode: str, server: FaultServer) -> PriceTable:
    return in_mode(
        mode,
        client_for(server),
        lambda c: load_prices(c, refresh=True),
        lambda c: aload_prices(c, refresh=True),
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", list(HOSTILE_BODIES))
def test_a_hostile_catalog_body_is_a_bad_answer_and_loads_nothing(
    fault_server: FaultServer, kind: str, mode: str
) -> None:
    fault_server.script(reply(200, HOSTILE_BODIES[kind], {"Content-Type": "application/json"}))
    with pytest.raises(InvalidResponseError) as caught:
        prices(mode, fault_server)
    assert len(str(caught.value)) < 2000
    assert ACCESS_KEY not in str(caught.value)
    assert current_prices().models == []


@pytest.mark.parametrize("mode", MODES)
def test_hostile_price_values_are_no_price_never_a_wrong_one(
    fault_server: FaultServer, mode: str
) -> None:
    entries = [
        {"model_name": "inf", "input_price": 1e400, "output_price": 1.0},  # parses as infinity
        {"model_name": "negative", "input_price": -5, "output_price": -5},
        {"model_name": "words", "billing_type": "pay-per-request", "price_per_request": "call us"},
        {"model_name": "ratio", "input_price": 1.0, "output_price": 2.0, "group_ratio": -3},
        # prices of the wrong JSON type: no price for that model, not a refused catalog
        {"model_name": "object", "input_price": {"usd": 1}, "output_price": [2], "saving": {}},
        {"model_name": "texts", "input_price": "0.5", "output_price": "1.5", "group_ratio": "2"},
        {"model_name": "request-list", "billing_type": "pay-per-request", "price_per_request": [1]},
        {"model_name": "fine", "input_price": 1.0, "output_price": 2.0},
    ]
    body = json.dumps({"data": entries}).replace('"input_price": Infinity', '"input_price": 1e400')
    fault_server.script(reply(200, body.encode(), {"Content-Type": "application/json"}))
    table = prices(mode, fault_server)
    assert table.price("negative") is None
    assert table.price("words") is None
    inf = table.price("inf")
    assert inf is not None
    assert inf.input_per_mtok is None  # the infinite side is unknown, the other kept
    assert table.cost("inf", Usage(5, 0)).usd is None
    ratio = table.price("ratio")
    assert ratio is not None
    assert ratio.group_ratio == 1.0  # a negative ratio is ignored, not applied
    assert table.price("fine").input_per_mtok == 1.0
    assert table.price("object") is None
    assert table.price("request-list") is None
    texts = table.price("texts")
    assert texts is not None
    assert (texts.input_per_mtok, texts.output_per_mtok) == (1.0, 3.0)  # numbers as text, x 2


@pytest.mark.parametrize("mode", MODES)
def test_a_catalog_that_breaks_keeps_the_prices_already_loaded(
    fault_server: FaultServer, mode: str
) -> None:
    good = {"data": [{"model_name": "m", "input_price": 1.0, "output_price": 2.0}]}
    fault_server.script(reply_json(200, good), reply(200, b"<html>oops</html>"))
    first = prices(mode, fault_server)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        second = prices(mode, fault_server)
    assert second is first
    assert current_prices() is first
    stale = [w for w in seen if issubclass(w.category, StalePricesWarning)]
    assert len(stale) == 1
    assert "InvalidResponseError" in str(stale[0].message)
    assert ACCESS_KEY not in str(stale[0].message)


@pytest.mark.parametrize("mode", MODES)
def test_logs_that_never_end_are_refused_after_the_page_bound(
    fault_server: FaultServer, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("yescale.resources.system.LOG_PAGE_SIZE", 2)
    monkeypatch.setattr("yescale.resources.system.MAX_LOG_PAGES", 3)
    row = {"model_name": "m", "quota": 1, "type": 2, "created_at": 1}
    full_page = reply_json(200, {"data": [row, row], "success": True})
    fault_server.script(full_page, full_page, full_page, full_page)
    with pytest.raises(InvalidResponseError, match="shorter time window"):
        in_mode(
            mode,
            client_for(fault_server),
            lambda c: c.system.reconcile(CostTracker(), start_timestamp=0, end_timestamp=9),
            lambda c: c.aio.system.reconcile(CostTracker(), start_timestamp=0, end_timestamp=9),
        )
    assert fault_server.count == 3

"""Where prices come from: the service's catalog, kept for a while, or a saved copy.

One table serves the whole process (:func:`current_prices`), read without I/O by every call that
reports a cost. Nothing fetches it on its own: :func:`load_prices` does (or ``aload_prices``,
``get_yescale_callback()``, the ``yescale`` command), and keeps it ``max_age`` seconds; with
``cache_file`` it also keeps a copy on disk, used when it is fresh enough and, with a warning,
when the service cannot be reached. :func:`use_prices` sets a table (or a saved file) outright.
The same fetch gives the model profiles their catalog limits
(:func:`yescale.models.profiles.apply_catalog`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from .._warnings import warn_at_caller
from ..errors import YEScaleError
from ..models.profiles import apply_catalog
from .prices import PriceTable

if TYPE_CHECKING:
    from .._client import YEScaleClient
    from ..types.system import ModelInfo

__all__ = [
    "DEFAULT_MAX_AGE",
    "StalePricesWarning",
    "aload_prices",
    "current_prices",
    "load_prices",
    "use_prices",
]

#: How long fetched prices are used before :func:`load_prices` fetches them again (seconds).
DEFAULT_MAX_AGE = 3600.0

_lock = threading.Lock()
_table = PriceTable()


class StalePricesWarning(UserWarning):
    """Prices older than asked for are used, because fresh ones could not be fetched."""


def current_prices() -> PriceTable:
    """The prices in use (empty until loaded); never does I/O."""
    return _table


def use_prices(prices: PriceTable | str | Path | None) -> PriceTable:
    """Use ``prices`` from now on: a table, the path of a saved copy (:meth:`PriceTable.save`,
    ``yescale models --json``), or ``None`` to forget them (costs are unknown again)."""
    global _table
    table = (
        PriceTable()
        if prices is None
        else prices
        if isinstance(prices, PriceTable)
        else PriceTable.load(prices)
    )
    with _lock:
        _table = table
    if table.models:
        apply_catalog(table.models)
    return table


def _cached(max_age: float, cache_file: str | Path | None, refresh: bool) -> PriceTable | None:
    """Prices fresh enough not to fetch: in memory, else in ``cache_file``."""
    if refresh:
        return None
    if _table.models and _table.age() < max_age:
        return _table
    if cache_file is not None and Path(cache_file).is_file():
        try:
            saved = PriceTable.load(cache_file)
        except YEScaleError:
            return None  # an unreadable copy is fetched again and rewritten
        if saved.age() < max_age:
            return use_prices(saved)
    return None


def _fetched(models: list[ModelInfo], cache_file: str | Path | None) -> PriceTable:
    table = PriceTable.from_models(models, source="service")
    if cache_file is not None:
        table.save(cache_file)
    return use_prices(table)


def _fallback(error: YEScaleError, cache_file: str | Path | None) -> PriceTable:
    """Older prices when the catalog cannot be fetched; the error when there are none."""
    table = _table
    if not table.models and cache_file is not None and Path(cache_file).is_file():
        try:
            table = use_prices(cache_file)
        except YEScaleError:
            raise error from None
    if not table.models:
        raise error
    hours = table.age() / 3600
    warn_at_caller(
        f"Using {table.source} prices from {hours:.1f} hours ago: the model catalog could not "
        f"be fetched ({type(error).__name__}: {error.message})",
        StalePricesWarning,
    )
    return table


def load_prices(
    client: YEScaleClient | None = None,
    *,
    max_age: float = DEFAULT_MAX_AGE,
    cache_file: str | Path | None = None,
    refresh: bool = False,
) -> PriceTable:
    """The prices of every model, fetched from the System API's catalog (``GET
    /yescale/models``) unless fetched less than ``max_age`` seconds ago (``refresh=True``
    always fetches). Needs the access key (``access_key=`` or ``YESCALE_ACCESS_KEY``).

    ``cache_file``: a saved copy, used instead of fetching while fresh, rewritten after each
    fetch, and used (with a :class:`StalePricesWarning`) when the service cannot be reached.
    Without ``client``, one is made from the environment and closed again.
    """
    cached = _cached(max_age, cache_file, refresh)
    if cached is not None:
        return cached
    try:
        if client is not None:
            models = client.system.models()
        else:
            from .._client import YEScaleClient

            with YEScaleClient() as own:
                models = own.system.models()
    except YEScaleError as error:
        return _fallback(error, cache_file)
    return _fetched(models, cache_file)


async def aload_prices(
    client: YEScaleClient | None = None,
    *,
    max_age: float = DEFAULT_MAX_AGE,
    cache_file: str | Path | None = None,
    refresh: bool = False,
) -> PriceTable:
    """:func:`load_prices`, awaitable."""
    cached = _cached(max_age, cache_file, refresh)
    if cached is not None:
        return cached
    try:
        if client is not None:
            models = await client.aio.system.models()
        else:
            from .._client import YEScaleClient

            async with YEScaleClient() as own:
                models = await own.aio.system.models()
    except YEScaleError as error:
        return _fallback(error, cache_file)
    return _fetched(models, cache_file)

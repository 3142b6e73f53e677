"""``yescale models``: the service's model catalog, searched and filtered, with prices in USD.

``--json`` prints the catalog exactly as :meth:`yescale.costs.PriceTable.to_json` saves it, so
``yescale models --json > prices.json`` is a saved copy that ``yescale.costs.use_prices`` loads.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from ..costs import ASSUMPTIONS, Price, PriceTable
from ..types.system import ModelInfo
from .output import table
from .runtime import ACCESS_KEY_ENV, runtime

__all__ = ["EPILOG", "models", "select"]

#: Shown under ``yescale models --help``: what the prices shown assume.
EPILOG = "\n\n".join(
    [
        "Prices are US dollars with the model's group ratio applied. The catalog does not "
        "document every unit; these are assumed:",
        *(f"- {line}" for line in ASSUMPTIONS),
    ]
)

_STATUS_STYLE = {"active": "", "deprecated": "yellow", "retired": "red"}


def select(
    catalog: list[ModelInfo],
    search: str | None = None,
    category: str | None = None,
    provider: str | None = None,
    available: bool = False,
) -> list[ModelInfo]:
    """The catalog's models that match: ``search`` in the name, ``category`` in the categories,
    ``provider`` in the provider's name (each ignoring case); ``available``: up and not
    retired."""

    def has(value: str | None, wanted: str | None) -> bool:
        return wanted is None or wanted.casefold() in (value or "").casefold()

    return [
        m
        for m in catalog
        if has(m.model_name, search)
        and has(m.category, category)
        and has(m.provider_name, provider)
        and (m.available or not available)
    ]


def models(
    ctx: typer.Context,
    search: Annotated[
        str | None, typer.Argument(help="Part of a model name (case does not matter).")
    ] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", "-c", help="Only this category (e.g. image, text)."),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option("--provider", "-p", help="Only this provider (e.g. openai, google)."),
    ] = None,
    available: Annotated[
        bool, typer.Option("--available", help="Only models that are up and not retired.")
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the catalog as JSON (a saved copy yescale.costs.use_prices() loads).",
        ),
    ] = False,
) -> None:
    """Every model YEScale serves: price, uptime and deprecation; search and filter."""
    rt = runtime(ctx)
    with rt.client(ACCESS_KEY_ENV, command=ctx.command_path) as client:
        catalog = client.system.models()
    chosen = select(catalog, search, category, provider, available)
    if as_json:
        typer.echo(PriceTable.from_models(chosen).to_json())
        return
    if not chosen:
        rt.note(f"No model of the {len(catalog)} in the catalog matches.")
        return
    grid = table("Model", "Provider", "Category", "Price", "Up", "Status", whole=("Model",))
    for m in chosen:
        price = Price.of(m)
        status = m.deprecation
        grid.add_row(
            m.model_name,
            m.provider_name or "",
            m.category or "",
            price.describe() if price else Text("unknown", style="dim"),
            _uptime(m.uptime),
            Text(status, style=_STATUS_STYLE.get(status, "")),
        )
    grid.caption = (
        f"{len(chosen)} of {len(catalog)} models. Prices in USD, group ratio applied "
        "(assumed units: yescale models --help)."
    )
    rt.out().print(grid)


def _uptime(value: int | None) -> str | Text:
    """The catalog's ``uptime``: 1 up, 0 under maintenance."""
    if value == 1:
        return "up"
    if value == 0:
        return Text("down", style="red")
    return "?"

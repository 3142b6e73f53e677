"""Prices and costs: a :class:`PriceTable` built from the service's model catalog turns what a
call used (:class:`Usage`) into a :class:`Cost` in US dollars.

A model the table has no price for costs "unknown" (``Cost.usd is None``, with the reason), never
$0. The units are those of :mod:`yescale.costs.units`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from ..errors import InvalidRequestError
from ..models.limits import base_name
from ..types.system import ModelInfo
from .units import TOKENS_PER_PRICE, bills_per_request, per_request_usd

__all__ = ["Cost", "Price", "PriceTable", "Usage"]

Basis = Literal["tokens", "request", "unknown"]
_CATALOG: TypeAdapter[list[ModelInfo]] = TypeAdapter(list[ModelInfo])
#: Catalog fields too large to be worth keeping in a saved copy (an inline SVG per model).
_DROPPED = ("provider_logo",)


@dataclass(frozen=True)
class Usage:
    """What one call used: tokens in and out, and billable units for per-request models
    (images asked for; 1 for any other call)."""

    input_tokens: int = 0
    output_tokens: int = 0
    units: int = 1
    #: False when the answer said nothing of its tokens (a stream cut short, usage turned off).
    counted: bool = True


@dataclass(frozen=True)
class Cost:
    """The estimated cost of one call, in US dollars; ``usd is None`` means unknown (``reason``
    says why). ``as_dict()`` is what answers carry in their metadata."""

    model: str
    usd: float | None
    basis: Basis = "unknown"
    input_usd: float | None = None
    output_usd: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    units: int = 1
    reason: str | None = None

    @property
    def known(self) -> bool:
        return self.usd is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``usd`` (``None`` when unknown), ``basis``, the model, the parts and,
        when unknown, why."""
        # (not dataclasses.asdict: it deep-copies, and this runs on every answer)
        data = {name: getattr(self, name) for name in _COST_FIELDS}
        return {k: v for k, v in data.items() if v is not None or k == "usd"}

    @classmethod
    def unknown(cls, model: str, reason: str, usage: Usage | None = None) -> Cost:
        usage = usage or Usage()
        return cls(
            model,
            None,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            units=usage.units,
            reason=reason,
        )


_COST_FIELDS = tuple(f.name for f in fields(Cost))
_NOT_LOADED = "no prices loaded (yescale.costs.load_prices() or get_yescale_callback() loads them)"


@dataclass(frozen=True)
class Price:
    """A model's price in US dollars, group ratio applied."""

    model: str
    basis: Literal["tokens", "request"]
    #: USD per 1,000,000 input / output tokens (token billing)
    input_per_mtok: float | None = None
    output_per_mtok: float | None = None
    #: USD per request (request billing)
    per_request: float | None = None
    group_ratio: float = 1.0

    @classmethod
    def of(cls, info: ModelInfo) -> Price | None:
        """The price the catalog entry gives, or ``None`` when it gives none that is usable."""
        ratio = info.group_ratio if _usable(info.group_ratio) else 1.0
        assert ratio is not None
        per_request = per_request_usd(info.price_per_request)
        tokens = [p if _usable(p) else None for p in (info.input_price, info.output_price)]
        if bills_per_request(info.billing_type) or (tokens == [None, None] and per_request):
            if per_request is None:
                return None
            return cls(
                info.model_name, "request", per_request=per_request * ratio, group_ratio=ratio
            )
        if tokens == [None, None]:
            return None
        inp, out = (None if p is None else p * ratio for p in tokens)
        return cls(info.model_name, "tokens", inp, out, group_ratio=ratio)

    @property
    def minimum(self) -> float:
        """The least one request costs, known before it is sent (a per-request price; 0 for a
        token-billed model, whose tokens are not known yet)."""
        return self.per_request or 0.0 if self.basis == "request" else 0.0

    def cost(self, usage: Usage) -> Cost:
        tokens_in, tokens_out, units = usage.input_tokens, usage.output_tokens, usage.units
        if self.basis == "request":
            assert self.per_request is not None
            usd = self.per_request * units
            return Cost(self.model, usd, "request", None, None, tokens_in, tokens_out, units)
        if not usage.counted:
            return Cost.unknown(self.model, "the answer did not say how many tokens it used", usage)
        parts = []
        for tokens, price, side in (
            (usage.input_tokens, self.input_per_mtok, "input"),
            (usage.output_tokens, self.output_per_mtok, "output"),
        ):
            if price is None and tokens:
                return Cost.unknown(self.model, f"the catalog gives no {side} price", usage)
            parts.append(tokens * (price or 0.0) / TOKENS_PER_PRICE)
        usd = parts[0] + parts[1]
        return Cost(self.model, usd, "tokens", parts[0], parts[1], tokens_in, tokens_out, units)

    def describe(self) -> str:
        """``"$0.05 / request"`` or ``"$0.15 / $0.60 per 1M tokens"``."""
        if self.basis == "request":
            return f"${_money(self.per_request)} / request"
        return f"${_money(self.input_per_mtok)} / ${_money(self.output_per_mtok)} per 1M tokens"


def _usable(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value >= 0


def _money(value: float | None) -> str:
    return "?" if value is None else f"{value:.6g}"


@dataclass
class PriceTable:
    """Prices by model name, from the catalog (``GET /yescale/models``).

    ``source`` says where the prices came from (the service, a saved file, nothing) and
    ``fetched_at`` when (Unix seconds). Look a model up with :meth:`price` or cost a call with
    :meth:`cost`; both try the exact name, then in any case, then without a ``models/`` or
    provider prefix (``openai/gpt-4o``). Nothing looser: a dated snapshot
    (``gpt-4o-2024-05-13``) can cost more than its alias, and a wrong price is worse than an
    unknown one.
    """

    models: list[ModelInfo] = field(default_factory=list)
    source: str = "none"
    fetched_at: float | None = None

    def __post_init__(self) -> None:
        self._prices: dict[str, Price] = {}
        self._folded: dict[str, Price] = {}
        for info in self.models:
            price = Price.of(info)
            if price is not None:
                self._prices.setdefault(info.model_name, price)
                self._folded.setdefault(info.model_name.casefold(), price)

    @classmethod
    def from_models(cls, models: Iterable[ModelInfo], *, source: str = "service") -> PriceTable:
        return cls(list(models), source=source, fetched_at=time.time())

    def __len__(self) -> int:
        return len(self._prices)

    def __contains__(self, model: object) -> bool:
        return isinstance(model, str) and self.price(model) is not None

    def price(self, model: str) -> Price | None:
        found = self._prices.get(model) or self._folded.get(model.casefold())
        if found is None:
            base = base_name(model)
            if base != model:
                found = self._prices.get(base) or self._folded.get(base.casefold())
        return found

    def cost(self, model: str, usage: Usage) -> Cost:
        if not self.models:
            return Cost.unknown(model, _NOT_LOADED, usage)
        price = self.price(model)
        if price is None:
            reason = f"the catalog ({self.source}) has no price for {model!r}"
            return Cost.unknown(model, reason, usage)
        return price.cost(usage)

    def minimum(self, model: str) -> float:
        price = self.price(model)
        return 0.0 if price is None else price.minimum

    def age(self, now: float | None = None) -> float:
        """Seconds since the prices were fetched (infinite when never)."""
        if self.fetched_at is None:
            return math.inf
        return max(0.0, (time.time() if now is None else now) - self.fetched_at)

    # -- saved copies ---------------------------------------------------------------------------

    def to_json(self) -> str:
        """The catalog as JSON (``fetched_at`` kept), for :meth:`from_json` or :meth:`load`."""
        rows = [
            {k: v for k, v in m.model_dump(mode="json").items() if k not in _DROPPED}
            for m in self.models
        ]
        return json.dumps({"fetched_at": self.fetched_at, "data": rows}, indent=1)

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str = "saved copy") -> PriceTable:
        """A table from :meth:`to_json`'s output, or from the body ``GET /yescale/models``
        answers (``{"data": [...]}``) or its list."""
        try:
            data = json.loads(text)
            rows = data.get("data") if isinstance(data, Mapping) else data
            models = _CATALOG.validate_python(rows)
        except (ValueError, ValidationError, AttributeError) as exc:
            raise InvalidRequestError(
                f"Not a saved YEScale model catalog ({type(exc).__name__}): save one with "
                "PriceTable.save(path) or `yescale models --json > file`."
            ) from None
        fetched = data.get("fetched_at") if isinstance(data, Mapping) else None
        fetched_at = float(fetched) if isinstance(fetched, (int, float)) else None
        return cls(models, source=source, fetched_at=fetched_at)

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(target)  # a reader never sees half a file
        return target

    @classmethod
    def load(cls, path: str | Path) -> PriceTable:
        target = Path(path)
        try:
            text = target.read_bytes()
        except OSError as exc:
            raise InvalidRequestError(
                f"Cannot read saved prices {target}: {exc.strerror}."
            ) from None
        return cls.from_json(text, source=f"saved copy {target.name}")

"""YEScale System API wire models (``/yescale/*`` on the system host).

Quota figures are credits; the reference converts them to USD by dividing by 500,000.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, SecretStr

from ._base import WireModel

CREDITS_PER_USD = 500_000


def _number_or_none(value: Any) -> float | None:
    """A catalog figure: a finite number (or its text), else ``None``. A price of the wrong type
    in one entry is no price for that model, never a refusal of the whole catalog."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _text_or_number(value: Any) -> str | float | None:
    """``price_per_request``: its text (``"0.04 ~ 400 VND"``) or a number; anything else: none."""
    if isinstance(value, str):
        return value
    return _number_or_none(value)


#: A catalog figure read leniently (see :func:`_number_or_none`).
Figure = Annotated[float | None, BeforeValidator(_number_or_none)]


def credits_to_usd(credits: float | None) -> float | None:
    return None if credits is None else credits / CREDITS_PER_USD


class SystemEnvelope(WireModel):
    """``{"data": ..., "message": "", "success": true}`` around every system answer."""

    data: Any = None
    message: str | None = None
    success: bool | None = None


class UserInfo(WireModel):
    username: str | None = None
    display_name: str | None = None
    email: str | None = None
    role: int | None = None
    quota: int | None = None
    used_quota: int | None = None
    request_count: int | None = None
    telegram_id: str | None = None
    access_token: SecretStr | None = None

    @property
    def quota_usd(self) -> float | None:
        """Remaining credit in USD."""
        return credits_to_usd(self.quota)

    @property
    def used_quota_usd(self) -> float | None:
        """Consumed credit in USD."""
        return credits_to_usd(self.used_quota)


class APIKeyInfo(WireModel):
    id: int
    name: str | None = None
    key: SecretStr | None = None
    status: int | None = None
    group: str | None = None
    remain_quota: int | None = None
    used_quota: int | None = None
    unlimited_quota: bool | None = None
    expired_time: int | None = None
    created_time: int | None = None
    accessed_time: int | None = None
    allow_ips: str | None = None
    model_limits: str | None = None
    model_limits_enabled: bool | None = None
    user_id: int | None = None

    @property
    def remain_quota_usd(self) -> float | None:
        return credits_to_usd(self.remain_quota)

    @property
    def used_quota_usd(self) -> float | None:
        return credits_to_usd(self.used_quota)


class ModelInfo(WireModel):
    """One model of the catalog (``GET /yescale/models``).

    The price fields are read by :mod:`yescale.costs`, which states what their units are taken
    to be (the reference documents only ``price_per_request``'s example)."""

    model_name: str
    id: int | None = None
    provider_name: str | None = None
    category: str | None = None
    endpoint: str | None = None
    billing_type: str | None = None
    price_per_request: Annotated[str | float | None, BeforeValidator(_text_or_number)] = None
    input_price: Figure = None
    output_price: Figure = None
    group_name: str | None = None
    group_ratio: Figure = None
    saving: Figure = None
    saving_details: str | None = None
    max_input: int | None = None
    max_output: int | None = None
    uptime: int | None = None
    is_deprecation: int | None = None
    is_hot: int | None = None
    is_web_access: int | None = None
    avg_time_low: float | None = None
    avg_time_normal: float | None = None
    avg_time_high: float | None = None
    quality_api: float | None = None
    knowledge_cutoff: str | None = None
    release_date: str | None = None
    notes: str | None = None
    docs: str | None = None

    @property
    def deprecation(self) -> str:
        """``"active"``, ``"deprecated"`` (to be removed) or ``"retired"`` (no longer served)."""
        return {1: "deprecated", 2: "retired"}.get(self.is_deprecation or 0, "active")

    @property
    def available(self) -> bool:
        """Up (``uptime`` 1) and not retired (``is_deprecation`` below 2)."""
        return self.uptime != 0 and (self.is_deprecation or 0) < 2


class SystemTask(WireModel):
    """A task of the account (shape not documented: every field is kept)."""

    id: Any = None
    task_id: str | None = None


class LogEntry(WireModel):
    """A usage log line (shape not documented: every field is kept)."""

    id: Any = None
    model_name: str | None = None
    #: credits charged (500,000 per USD)
    quota: int | None = None
    created_at: int | None = None
    #: 2: consumption (the one-api convention the gateway follows)
    type: int | None = None
    token_name: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class OkResponse(WireModel):
    success: bool = True
    message: str | None = None
    data: Any = Field(default=None)

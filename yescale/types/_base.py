"""Base classes of the wire models: tolerant of fields the service adds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, PrivateAttr
from pydantic.alias_generators import to_camel

if TYPE_CHECKING:
    from ..costs.prices import Cost


class WireModel(BaseModel):
    """A JSON object of the service. Unknown fields are kept (``extra="allow"``) and sent back."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())

    def to_wire(self) -> dict[str, Any]:
        """The JSON object to send: aliases, no ``None`` values, extra fields included."""
        return self.model_dump(by_alias=True, exclude_none=True)


class CamelWireModel(WireModel):
    """A wire model whose JSON names are camelCase (Gemini); Python names are snake_case."""

    model_config = ConfigDict(
        extra="allow", populate_by_name=True, alias_generator=to_camel, protected_namespaces=()
    )


def none_as_empty(value: Any) -> Any:
    """A ``before`` validator for list fields: ``null`` reads as an empty list, so that the
    endpoint's check can say "no choices" instead of the parser saying "wrong shape"."""
    return [] if value is None else value


class Priced(BaseModel):
    """An answer the client prices: ``.cost`` is its estimated :class:`~yescale.costs.Cost`
    (``None`` where no cost applies, e.g. a stream chunk before the one with usage). Not part of
    the wire: never sent, dumped or compared."""

    _cost: Any = PrivateAttr(default=None)

    @property
    def cost(self) -> Cost | None:
        return self._cost  # type: ignore[no-any-return]

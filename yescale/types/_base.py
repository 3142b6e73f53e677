"""Base classes of the wire models: tolerant of fields the service adds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
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
    the wire: never sent or dumped.

    Kept in pydantic's private-state slot, set only on the answers that get a cost (not as a
    declared ``PrivateAttr``, which would cost every stream chunk a third more to parse)."""

    @property
    def cost(self) -> Cost | None:
        private = self.__pydantic_private__
        return None if private is None else private.get("cost")

    def attach_cost(self, cost: Cost | None) -> None:
        """Set :attr:`cost` (the client does, after reading the answer)."""
        if self.__pydantic_private__ is None:
            object.__setattr__(self, "__pydantic_private__", {})
        assert self.__pydantic_private__ is not None
        self.__pydantic_private__["cost"] = cost

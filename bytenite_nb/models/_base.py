"""The base of every wire model, and the import-time check against the spec."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
)
from pydantic.alias_generators import to_camel

from ._spec import spec_schema

# --------------------------------------------------------------------------
# Base model and the spec check
# --------------------------------------------------------------------------


class _WireModel(BaseModel):
    """snake_case in Python, camelCase on the wire, extra fields kept."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="allow",
    )

    #: The spec schema this model mirrors (checked at import).
    spec_name: ClassVar[str] = ""

    def to_wire(self) -> dict[str, Any]:
        """The wire (camelCase, JSON-ready) dict, with unset and None fields left out."""
        data: dict[str, Any] = self.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude_unset=True
        )
        return data

    def __repr_args__(self) -> Any:
        # Short reprs: only the fields that hold something.
        for name, value in super().__repr_args__():
            if value is not None:
                yield name, value


def _check_against_spec(model: type[_WireModel]) -> None:
    """Fail at import when a model's wire fields drift from its spec schema."""
    aliases = {field.alias or name for name, field in model.model_fields.items()}
    wire = set(spec_schema(model.spec_name).get("properties", {}))
    if aliases != wire:
        raise RuntimeError(
            f"{model.__name__} does not match spec schema {model.spec_name}: "
            f"missing {sorted(wire - aliases)}, extra {sorted(aliases - wire)}"
        )
    required = {
        field.alias or name for name, field in model.model_fields.items() if field.is_required()
    }
    spec_required = set(spec_schema(model.spec_name).get("required", ()))
    if required != spec_required:
        raise RuntimeError(
            f"{model.__name__} requires {sorted(required)}, the spec {sorted(spec_required)}"
        )

"""The base of every wire model, and its check against the spec (run by the tests)."""

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, ClassVar, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
    model_validator,
)
from pydantic.alias_generators import to_camel

from ._spec import integer_wire_types, spec_schema, wire_integer


class Card(NamedTuple):
    """A model's display card: its text, its HTML and its mimebundle (``(model, include)``)."""

    text: Callable[[Any], str]
    html: Callable[[Any], str]
    mimebundle: Callable[[Any, Any], dict[str, Any]]


class _ShownAsCard:
    """Shows itself as the display card ``_repr_card()`` names; ``_repr_card`` imports it on
    first use, so models load without ``display``."""

    @staticmethod
    def _repr_card() -> Card:
        raise NotImplementedError

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self._repr_card().mimebundle(self, include)

    def _repr_html_(self) -> str:
        return self._repr_card().html(self)

    def __str__(self) -> str:
        return self._repr_card().text(self)


class _WireModel(BaseModel):
    """snake_case in Python, camelCase on the wire, extra fields kept."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="allow",
    )

    #: The spec schema this model mirrors (see ``_check_against_spec``).
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


class _SpecIntegers(_WireModel):
    """A model with an integer the wire carries as a string (an int64: ``"12"``).

    In JSON mode (``to_wire()``, ``model_dump_json()``) each integer field takes
    the form ``_spec.wire_integer`` gives it. A mixin, not on every model: it
    costs a Python call per dump, which a request (integers all numbers) need not pay.
    """

    @model_serializer(mode="wrap")
    def _integers_as_the_spec_has_them(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        data = handler(self)
        if info.mode_is_json() and isinstance(data, dict):
            for key, wire_name in _integer_keys(type(self)).items():
                value = data.get(key)
                if isinstance(value, int) and not isinstance(value, bool):
                    data[key] = wire_integer(self.spec_name, wire_name, value)
        return data


@cache
def _integer_keys(model: type[_WireModel]) -> dict[str, str]:
    """The dumped keys (wire and Python names) of ``model``'s integer fields -> wire name."""
    integers = integer_wire_types().get(model.spec_name, {})
    wire = {name: field.alias or name for name, field in model.model_fields.items()}
    return {key: wire[name] for key, name in _input_keys(model).items() if wire[name] in integers}


def _check_against_spec(model: type[_WireModel]) -> None:
    """``RuntimeError`` when a model's wire fields or required fields drift from
    its spec schema, or its int64 fields would not be written as strings. The
    models and the spec ship together, so the test suite runs this over
    ``SPEC_MODELS`` (an import would pay for it on every start)."""
    fields = {field.alias or name: field for name, field in model.model_fields.items()}
    schema = spec_schema(model.spec_name)
    wire = set(schema.get("properties", {}))
    if set(fields) != wire:
        raise RuntimeError(
            f"{model.__name__} does not match spec schema {model.spec_name}: "
            f"missing {sorted(wire - set(fields))}, extra {sorted(set(fields) - wire)}"
        )
    required = {alias for alias, field in fields.items() if field.is_required()}
    spec_required = set(schema.get("required", ()))
    if required != spec_required:
        raise RuntimeError(
            f"{model.__name__} requires {sorted(required)}, the spec {sorted(spec_required)}"
        )
    as_strings = sorted(
        field
        for field, form in integer_wire_types().get(model.spec_name, {}).items()
        if form == "string"
    )
    if as_strings and not issubclass(model, _SpecIntegers):
        raise RuntimeError(
            f"{model.__name__} has integers the wire carries as strings ({as_strings}) "
            "but does not derive from _SpecIntegers"
        )


class _Lenient(_WireModel):
    """A response model: a field whose value it cannot read never fails the parse.

    Such a value is set aside, exactly as received, among the extra fields
    (``model_extra``: on a card's "Other fields", written back by ``to_wire()``),
    and the field stays ``None``. Of a field's wire name and snake_case spelling
    (``templateId``, ``template_id``) the wire name wins; when it cannot be read,
    both are set aside. Built on first use (``defer_build``): a dry run reads no answer.
    """

    model_config = ConfigDict(defer_build=True)

    @model_validator(mode="wrap")
    @classmethod
    def _set_aside_unreadable(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            if not isinstance(data, Mapping):
                raise
            keys = _input_keys(cls)
            bad = {keys[e["loc"][0]] for e in exc.errors() if e["loc"] and e["loc"][0] in keys}
            if not bad:
                raise
            kept = {k: v for k, v in data.items() if keys.get(k) not in bad}
            aside = {k: v for k, v in data.items() if keys.get(k) in bad}
            model = handler(kept)
            model.__pydantic_extra__ = {**(model.__pydantic_extra__ or {}), **aside}
            model.__pydantic_fields_set__.update(aside)
            return model

    def __repr_name__(self) -> str:
        # The public model a private response subclass stands for.
        return next(c.__name__ for c in type(self).__mro__ if not c.__name__.startswith("_"))


@cache
def _input_keys(model: type[BaseModel]) -> dict[str, str]:
    """Every key that fills a field (wire name and Python name) -> the field's name."""
    names = {name: name for name in model.model_fields}
    return names | {field.alias: name for name, field in model.model_fields.items() if field.alias}

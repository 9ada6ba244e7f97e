"""A Schemathesis check: a spec-valid request the sandbox refuses must be a declared refusal."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import schemathesis


@dataclass(frozen=True)
class Refusal:
    """A spec-valid request the service answers with a 400 naming ``fields``."""

    applies: Callable[[Mapping[str, Any]], bool]
    fields: str  # a regex of the ``fieldViolations[].field`` it answers with

    def explains(self, request: Mapping[str, Any], field: str) -> bool:
        return bool(re.fullmatch(self.fields, field)) and self.applies(request)


def declared_refusals(refusals: Iterable[Refusal]) -> schemathesis.CheckFunction:
    """A check: every 400 to a positive (spec-valid) case is an rpcStatus whose every
    field violation is one of ``refusals`` (``positive_data_acceptance`` lets 400 pass
    for these; this check keeps that from hiding anything else)."""
    table = tuple(refusals)

    def declared_refusal(
        ctx: Any, response: schemathesis.Response, case: schemathesis.Case
    ) -> None:
        meta = case.meta
        if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
            return
        body = response.json()
        assert isinstance(body, dict) and body.get("code") == 3, f"400 without rpcStatus: {body!r}"
        details = body.get("details") or [{}]
        violations = details[0].get("fieldViolations") or []
        assert violations, f"a valid request refused with no field violation: {body!r}"
        request = case.body if isinstance(case.body, dict) else {}
        for violation in violations:
            field = violation.get("field", "")
            assert any(r.explains(request, field) for r in table), (
                f"a valid request refused for an undeclared reason: {field}: "
                f"{violation.get('description')}"
            )

    return declared_refusal

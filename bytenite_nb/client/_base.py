"""The sans-I/O core shared by both clients: settings, the steps a call yields
(send a request, sleep), the token exchange, retries, decoding and errors.

Each API call is a generator that *yields* what it needs done and receives
the result; the drivers (``_sync``, ``_async``) only carry the steps out.
"""

from __future__ import annotations

import email.utils
import json
import logging
import platform
import random
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from .._version import __version__
from ..config import Settings, mask_secret, resolve_settings
from ..errors import (
    ApiError,
    AuthenticationError,
    ByteNiteConnectionError,
    PayloadError,
    api_error_from_body,
    redact,
)
from ..models import CreateJobRequest, JobResponse, payload_problems

log = logging.getLogger("bytenite_nb")

T = TypeVar("T")

USER_AGENT = (
    f"bytenite-nb/{__version__} httpx/{httpx.__version__} Python/{platform.python_version()}"
)
#: Statuses retried for every request; 504 only for requests safe to repeat
#: (a gateway timeout on ``POST /jobs`` may hide a job that was created).
RETRY_STATUSES = frozenset({502, 503})
RETRY_STATUSES_IDEMPOTENT = RETRY_STATUSES | {504}
#: 429 Too Many Requests: the request was NOT applied, so it is retried for
#: every request (creates too), after ``Retry-After``, on its own budget.
RATE_LIMITED = 429
RATE_LIMIT_RETRIES = 10
BACKOFF_BASE = 0.5
BACKOFF_MAX = 8.0
RETRY_AFTER_MAX = 60.0
#: Exchange the key again this long before the token expires.
TOKEN_MARGIN = 60.0
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def parse_request(request: CreateJobRequest | Mapping[str, Any]) -> CreateJobRequest:
    """Validate a create-job payload (wire dict or model); ``PayloadError`` if bad.

    The one validation entry point shared by the client, the magic and the form.
    """
    if isinstance(request, CreateJobRequest):
        return request
    try:
        return CreateJobRequest.model_validate(request)
    except ValidationError as exc:
        raise PayloadError(payload_problems(exc)) from None


# --------------------------------------------------------------------------
# The steps a call asks its driver to carry out
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Send:
    request: httpx.Request
    idempotent: bool


@dataclass(frozen=True)
class _Sleep:
    seconds: float


_Step = _Send | _Sleep
_Flow = Generator[_Step, Any, T]


@dataclass
class _Token:
    value: str
    expires_at: float  # time.monotonic()


class _BaseClient:
    """Settings, auth state and every API call as a sans-I/O flow."""

    def __init__(
        self,
        api_key: str | None,
        *,
        access_token: str | None,
        base_url: str | None,
        timeout: float,
        max_retries: int,
        customer_path: str | None,
    ) -> None:
        self._settings = resolve_settings(
            api_key=api_key,
            access_token=access_token,
            base_url=base_url,
            customer_path=customer_path,
            timeout=timeout,
            max_retries=max_retries,
        )
        fixed = self._settings.access_token
        self._token: _Token | None = _Token(fixed, float("inf")) if fixed else None
        self._clock: Callable[[], float] = time.monotonic

    # -- public, shared -----------------------------------------------------
    @property
    def settings(self) -> Settings:
        """The resolved settings (``repr`` masks the secrets)."""
        return self._settings

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    def __repr__(self) -> str:
        s = self._settings
        return (
            f"{type(self).__name__}(base_url={s.base_url!r}, "
            f"api_key={mask_secret(s.api_key)!r}, access_token={mask_secret(s.access_token)!r})"
        )

    # -- URLs and requests ----------------------------------------------------
    def _customer_url(self, path: str) -> str:
        return f"{self._settings.base_url}/{self._settings.customer_path}{path}"

    def _secrets(self) -> tuple[str | None, ...]:
        token = self._token.value if self._token else None
        return (self._settings.api_key, self._settings.access_token, token)

    @staticmethod
    def _job_path(job_id: str, suffix: str = "") -> str:
        if not isinstance(job_id, str) or not job_id.strip():
            raise ValueError(f"job_id must be a non-empty string, got {job_id!r}")
        return f"/jobs/{quote(job_id.strip(), safe='')}{suffix}"

    def _request(
        self, method: str, url: str, *, body: Any = None, token: str | None = None
    ) -> httpx.Request:
        """A request with our headers and timeout (``send()`` applies neither)."""
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = token  # raw, as ByteNite's examples send it
        return httpx.Request(
            method,
            url,
            headers=headers,
            json=body,
            extensions={"timeout": httpx.Timeout(self._settings.timeout).as_dict()},
        )

    # -- auth ---------------------------------------------------------------
    def _token_flow(self) -> _Flow[str]:
        token = self._token
        if token is not None and self._clock() < token.expires_at:
            return token.value
        key = self._settings.api_key
        if not key:
            raise AuthenticationError(
                "no ByteNite credentials: set BYTENITE_API_KEY (or pass api_key=, "
                "or access_token=); in a notebook, `%bytenite login` asks for it"
            )
        url = f"{self._settings.base_url}/auth/access_token"
        request = self._request("POST", url, body={"apiKey": key})
        response = yield from self._retrying(request, idempotent=True)
        if not response.is_success:
            error = self._api_error(response)
            if isinstance(error, AuthenticationError):
                error.message = f"the API key was rejected: {error.message}"
            raise error
        data = self._json(response)
        value = data.get("token") if isinstance(data, dict) else None
        if not isinstance(value, str) or not value:
            raise ApiError(
                "the token exchange answered without a token",
                status_code=response.status_code,
                method="POST",
                url=url,
            )
        lifetime = _seconds_or(data.get("expiresIn"), 3600.0)
        margin = min(TOKEN_MARGIN, lifetime / 10)
        self._token = _Token(value, self._clock() + lifetime - margin)
        log.debug("exchanged the API key for a token valid %.0f s", lifetime)
        return value

    # -- one call, with auth, retries and errors --------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        idempotent: bool,
    ) -> _Flow[Any]:
        """Send one customer API call and return its decoded JSON body."""
        url = self._customer_url(path)
        retried_auth = False
        while True:
            token = yield from self._token_flow()
            request = self._request(method, url, body=body, token=token)
            response = yield from self._retrying(request, idempotent=idempotent)
            if response.status_code == 401 and self._settings.api_key and not retried_auth:
                # Expired or revoked: exchange the key again, once.
                log.debug("401 from %s %s: exchanging the API key again", method, url)
                self._token = None
                retried_auth = True
                continue
            if not response.is_success:
                raise self._api_error(response)
            return self._json(response, maybe_applied=not idempotent)

    def _retrying(
        self, request: httpx.Request, *, idempotent: bool, send: _Send | None = None
    ) -> _Flow[httpx.Response]:
        """Send ``request`` (or the step ``send``, e.g. a streamed transfer) with retries."""
        statuses = RETRY_STATUSES_IDEMPOTENT if idempotent else RETRY_STATUSES
        attempt = limited = 0
        while True:
            started = time.perf_counter()
            try:
                response: httpx.Response = yield send or _Send(request, idempotent)
            except httpx.TransportError as exc:
                sent = not isinstance(exc, _NOT_SENT)
                if attempt < self._settings.max_retries and (idempotent or not sent):
                    attempt += 1
                    delay = _backoff(attempt)
                    log.debug(
                        "%s %s failed (%s); retry %d in %.2f s",
                        request.method,
                        request.url,
                        type(exc).__name__,
                        attempt,
                        delay,
                    )
                    yield _Sleep(delay)
                    continue
                # from None: httpx's own message may quote a header (the token).
                raise self._connection_error(
                    exc, request, sent=sent, idempotent=idempotent
                ) from None
            log.debug(
                "%s %s -> %d (%.1f ms)",
                request.method,
                request.url,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            if response.status_code == RATE_LIMITED and limited < RATE_LIMIT_RETRIES:
                limited += 1
                wait = _retry_after(response.headers.get("Retry-After"))
                wait = _backoff(limited) if wait is None else wait
                log.debug("429 on %s %s: retry in %.2f s", request.method, request.url, wait)
                yield _Sleep(wait)
                continue
            if response.status_code in statuses and attempt < self._settings.max_retries:
                attempt += 1
                wait = _retry_after(response.headers.get("Retry-After"))
                wait = _backoff(attempt) if wait is None else wait
                log.debug("retry %d of %s %s in %.2f s", attempt, request.method, request.url, wait)
                yield _Sleep(wait)
                continue
            return response

    # -- decoding and errors ----------------------------------------------------
    def _api_error(self, response: httpx.Response) -> ApiError:
        return api_error_from_body(
            response.status_code,
            response.content,
            method=response.request.method,
            url=str(response.request.url),
            secrets=self._secrets(),
        )

    def _json(self, response: httpx.Response, *, maybe_applied: bool = False) -> Any:
        try:
            return json.loads(response.content) if response.content else {}
        except ValueError:
            hint = " The request may have been applied." if maybe_applied else ""
            error = api_error_from_body(
                response.status_code,
                response.content,
                method=response.request.method,
                url=str(response.request.url),
                secrets=self._secrets(),
            )
            error.message = (
                f"the service answered with a body that is not JSON ({error.message}).{hint}"
            )
            raise error from None

    def _connection_error(
        self, exc: httpx.TransportError, request: httpx.Request, *, sent: bool, idempotent: bool
    ) -> ByteNiteConnectionError:
        what = f"{request.method} {request.url}"
        detail = redact(str(exc) or type(exc).__name__, self._secrets())
        if isinstance(exc, httpx.TimeoutException):
            kind = f"timed out after {self._settings.timeout:g} s"
        else:
            kind = f"failed: {detail}"
        message = f"{what} {kind}"
        maybe_applied = sent and not idempotent
        if maybe_applied:
            message += (
                ". The request reached the service before the connection failed, so it may "
                "have been applied (a job may have been created): check your jobs before "
                "sending it again. It was not retried automatically."
            )
        elif not sent:
            message += " (no connection could be made; is the API URL right?)"
        return ByteNiteConnectionError(message, maybe_applied=maybe_applied)

    def _job_response(self, data: Any, *, created: bool = False) -> JobResponse:
        try:
            return JobResponse.model_validate(data)
        except ValidationError as exc:
            first = payload_problems(exc)[0]
            hint = " The job was created." if created else ""
            raise ApiError(
                f"unexpected response: {first['field']}: {first['message']}.{hint}",
                status_code=200,
            ) from None


def _envelope(data: Any, what: str) -> dict[str, Any]:
    """Check an action's ``{"ok", "requestId", "message", "error"}`` answer."""
    if not isinstance(data, dict):
        return {}
    if data.get("ok") is False or data.get("error"):
        error = data.get("error") or {}
        message = (error.get("message") if isinstance(error, dict) else None) or data.get("message")
        raise ApiError(f"{what} failed: {message or 'no reason given'}", status_code=200)
    return data


def _seconds_or(value: Any, default: float) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    return seconds if seconds > 0 else default


def _backoff(attempt: int) -> float:
    """Exponential backoff with jitter: about 0.5, 1, 2, 4 s ... capped at 8 s."""
    delay: float = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (attempt - 1))
    return delay * (0.5 + random.random() / 2)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), capped."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, min(seconds, RETRY_AFTER_MAX))

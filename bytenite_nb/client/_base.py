"""The sans-I/O core shared by both clients: settings, auth state, the token
exchange, one call with its retries, and decoding answers into results or errors.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from ..config import Settings, header_problem, mask_secret, resolve_settings
from ..errors import (
    MIN_SECRET,
    ApiError,
    AuthenticationError,
    ByteNiteConnectionError,
    PayloadError,
    api_error_from_body,
    redact,
)
from ..models import JobResponse, payload_problems
from ._checks import check_job_id
from ._payloads import _json_int, json_body
from ._steps import (
    _NOT_SENT,
    POOL_LIMITS,
    RATE_LIMIT_RETRIES,
    RATE_LIMITED,
    RETRY_STATUSES,
    SEND_ERRORS,
    TOKEN_MARGIN,
    UNSURE_STATUSES,
    USER_AGENT,
    AttemptTimeout,
    _backoff,
    _Flow,
    _Locked,
    _NoCookies,
    _retry_after,
    _seconds_or,
    _Send,
    _Sleep,
    log,
)

#: Reads an answer's JSON (``json.loads`` with keywords builds a decoder each call).
_ANSWERS = json.JSONDecoder(parse_int=_json_int)


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
        deadline: float | None,
        clock: Callable[[], float] | None,
    ) -> None:
        self._settings = resolve_settings(
            api_key=api_key,
            access_token=access_token,
            base_url=base_url,
            customer_path=customer_path,
            timeout=timeout,
            max_retries=max_retries,
            deadline=deadline,
        )
        fixed = self._settings.access_token
        self._token: _Token | None = _Token(fixed, float("inf")) if fixed else None
        #: Tokens this client held before: a server may still echo them.
        self._old_tokens: deque[str] = deque(maxlen=4)
        #: Seconds, monotonic: token expiry, deadlines, waits (a test injects a fake one).
        self._clock: Callable[[], float] = clock or time.monotonic
        self._urls: dict[str, httpx.URL] = {}  # see _url

    def _http_options(self) -> dict[str, Any]:
        """What both drivers' httpx clients take: one attempt's timeout, one pool, no cookies."""
        return {"timeout": self._settings.timeout, "limits": POOL_LIMITS, "cookies": _NoCookies()}

    # -- public, shared -----------------------------------------------------
    @property
    def settings(self) -> Settings:
        """The resolved settings (``repr`` masks the secrets)."""
        return self._settings

    @property
    def clock(self) -> Callable[[], float]:
        """The monotonic clock (seconds) of all the client's timing (``clock=``)."""
        return self._clock

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
        return (self._settings.api_key, self._settings.access_token, token, *self._old_tokens)

    @staticmethod
    def _job_path(job_id: str, suffix: str = "") -> str:
        return f"/jobs/{quote(check_job_id(job_id), safe='')}{suffix}"

    def _request(
        self, method: str, url: str, *, content: bytes | None = None, token: str | None = None
    ) -> httpx.Request:
        """A request with our headers (the driver sets each attempt's timeout)."""
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = token  # raw, as ByteNite's examples send it
        try:
            return httpx.Request(method, self._url(url), headers=headers, content=content)
        except httpx.InvalidURL as exc:
            raise PayloadError(
                [{"field": "url", "message": f"{url!r} is not a valid URL ({exc})"}],
                subject="client settings",
            ) from None

    def _url(self, url: str) -> httpx.URL:
        """``url`` parsed, kept for the next call (parsing is half the cost of
        building a request); a URL with a query (a signed link) is never kept."""
        parsed = self._urls.get(url)
        if parsed is None:
            parsed = httpx.URL(url)
            if "?" not in url:
                if len(self._urls) >= 64:
                    self._urls.clear()
                self._urls[url] = parsed
        return parsed

    def _deadline(self) -> float:
        """The end of a call that starts now (on the client's clock)."""
        return self._clock() + self._settings.deadline

    # -- auth ---------------------------------------------------------------
    def _held(self, stale: str | None) -> str | None:
        """The token held, unless it expired or is ``stale`` (one the service refused)."""
        token = self._token
        if token is not None and token.value != stale and self._clock() < token.expires_at:
            return token.value
        return None

    def _token_flow(self, deadline: float | None = None, stale: str | None = None) -> _Flow[str]:
        """A valid token: the one held, or a new one from the key. Single flight:
        callers queue on the token lock and the first exchange serves them all."""
        held = self._held(stale)
        if held is not None:
            return held
        if deadline is None:
            deadline = self._deadline()
        value: str = yield _Locked(self._exchange(deadline, stale))
        return value

    def _exchange(self, deadline: float, stale: str | None) -> _Flow[str]:
        held = self._held(stale)  # again, under the lock: another caller may have exchanged
        if held is not None:
            return held
        key = self._settings.api_key
        if not key:
            raise AuthenticationError(
                "no ByteNite credentials: set BYTENITE_API_KEY (or pass api_key=, "
                "or access_token=); in a notebook, `%bytenite login` asks for it"
            )
        url = f"{self._settings.base_url}/auth/access_token"
        request = self._request("POST", url, content=json_body({"apiKey": key}))
        response = yield from self._retrying(request, idempotent=True, deadline=deadline)
        if not response.is_success:
            error = self._api_error(response)
            if isinstance(error, AuthenticationError):
                error.message = f"the API key was rejected: {error.message}"
            raise error
        data = self._json(response)
        value = data.get("token") if isinstance(data, dict) else None
        problem: str | None = "answered without a token"
        if isinstance(value, str) and value:
            bad = header_problem(value)
            problem = f"answered with a token that {bad}" if bad else None
        if problem:
            raise ApiError(
                f"the token exchange {problem}",
                status_code=response.status_code,
                method="POST",
                url=url,
            )
        assert isinstance(value, str)
        lifetime = _seconds_or(data.get("expiresIn"), 3600.0)
        margin = min(TOKEN_MARGIN, lifetime / 10)
        if self._token is not None:
            self._old_tokens.append(self._token.value)
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
        content: bytes | None = None,
        idempotent: bool,
        deadline: float | None = None,
    ) -> _Flow[Any]:
        """Send one customer API call (``body`` encoded first, or ``content``
        already encoded: ``PayloadError`` before any I/O) and return its decoded
        JSON; the token exchange and retries included, it ends by ``deadline``."""
        if body is not None:
            content = json_body(body)
        url = self._customer_url(path)
        if deadline is None:
            deadline = self._deadline()
        stale: str | None = None
        while True:
            token = yield from self._token_flow(deadline, stale)
            request = self._request(method, url, content=content, token=token)
            response = yield from self._retrying(request, idempotent=idempotent, deadline=deadline)
            if response.status_code == 401 and self._settings.api_key and stale is None:
                # Expired or revoked: exchange the key again, once.
                log.debug("401 from %s %s: exchanging the API key again", method, url)
                stale = token
                continue
            if not response.is_success:
                error = self._api_error(response)
                error.maybe_applied = not idempotent and response.status_code in UNSURE_STATUSES
                raise error
            return self._json(response, maybe_applied=not idempotent)

    def _retrying(
        self,
        request: httpx.Request,
        *,
        idempotent: bool,
        deadline: float,
        send: _Send | None = None,
    ) -> _Flow[httpx.Response]:
        """Send ``request`` (or the step ``send``, e.g. a streamed transfer) with
        retries, all within ``deadline``. A call that is not idempotent is not
        repeated after an answer that may hide its effect: its own flow decides."""
        statuses = RETRY_STATUSES if idempotent else frozenset()
        attempt = limited = 0
        # For logs, without its query (a signed link's is secret); built only when logged.
        where = request.url.copy_with(query=None) if log.isEnabledFor(logging.DEBUG) else None
        while True:
            started = time.perf_counter()
            budget = min(self._settings.timeout, deadline - self._clock())
            if budget <= 0:
                exc = AttemptTimeout("the call's deadline passed", request=request)
                raise self._connection_error(
                    exc, request, sent=False, idempotent=idempotent, budget=budget
                )
            try:
                step = _Send(request, budget) if send is None else replace(send, timeout=budget)
                response: httpx.Response = yield step
            except SEND_ERRORS as exc:
                sent = not isinstance(exc, _NOT_SENT)
                wait = _backoff(attempt + 1)
                retryable = (
                    attempt < self._settings.max_retries
                    and (idempotent or not sent)
                    and isinstance(exc, (httpx.TransportError, httpx.DecodingError))
                )
                if not retryable or self._clock() + wait >= deadline:
                    # No time left to retry: the deadline is the reason.
                    left = 0.0 if retryable else budget
                    # from None: httpx's own message may quote a header (the token).
                    raise self._connection_error(
                        exc, request, sent=sent, idempotent=idempotent, budget=left
                    ) from None
                attempt += 1
                why = type(exc).__name__
            else:
                status = response.status_code
                took = (time.perf_counter() - started) * 1000
                log.debug("%s %s -> %d (%.1f ms)", request.method, where, status, took)
                if status == RATE_LIMITED and limited < RATE_LIMIT_RETRIES:
                    limited += 1
                    tries = limited
                elif status in statuses and attempt < self._settings.max_retries:
                    attempt += 1
                    tries = attempt
                else:
                    return response
                asked = _retry_after(response.headers.get("Retry-After"))
                if asked is None:
                    wait = _backoff(tries)
                elif status == RATE_LIMITED:
                    # Spread many callers' retries: not all back at the same instant.
                    wait = asked * (1 + random.random() / 2)
                else:
                    wait = asked
                if self._clock() + wait >= deadline:
                    return response  # no time left to wait: its error, now
                why = str(status)
            log.debug("%s %s: %s; retry in %.2f s", request.method, where, why, wait)
            yield _Sleep(wait)

    # -- decoding and errors ----------------------------------------------------
    def _api_error(self, response: httpx.Response) -> ApiError:
        """The typed error an answer's status and body make, secrets redacted."""
        error = api_error_from_body(
            response.status_code,
            response.content,
            method=response.request.method,
            url=str(response.request.url),
            secrets=self._secrets(),
        )
        error.retry_after = _retry_after(response.headers.get("Retry-After"))
        return error

    def _json(self, response: httpx.Response, *, maybe_applied: bool = False) -> Any:
        content = self._redacted(response.content)
        try:
            if not content:
                return {}
            if not isinstance(content, str):  # as json.loads reads bytes
                content = content.decode(json.detect_encoding(content), "surrogatepass")
            return _ANSWERS.decode(content)
        except RecursionError:
            error = ApiError(
                "the service answered with JSON nested too deeply to read.",
                status_code=response.status_code,
                method=response.request.method,
                url=str(response.request.url),
            )
        except ValueError:
            error = self._api_error(response)
            error.message = f"the service answered with a body that is not JSON ({error.message})."
        if maybe_applied:
            error.message += " The request may have been applied."
        error.maybe_applied = maybe_applied
        raise error from None

    def _redacted(self, content: bytes) -> bytes | str:
        """The body with every secret it echoes replaced (a bytes search: cheap)."""
        secrets = self._secrets()
        for secret in secrets:  # a loop: most answers echo none, and this runs on each
            if (
                secret
                and len(secret) >= MIN_SECRET
                and secret.encode("utf-8", "replace") in content
            ):
                kept = [s for s in secrets if s and len(s) >= MIN_SECRET]
                return redact(content.decode("utf-8", "replace"), kept)
        return content

    def _connection_error(
        self,
        exc: Exception,
        request: httpx.Request,
        *,
        sent: bool,
        idempotent: bool,
        budget: float,
    ) -> ByteNiteConnectionError:
        what = f"{request.method} {request.url}"
        detail = redact(str(exc) or type(exc).__name__, self._secrets())
        out_of_time = budget <= 0 or (
            isinstance(exc, httpx.TimeoutException) and budget < self._settings.timeout
        )
        if out_of_time:
            kind = f"gave up: the call's deadline ({self._settings.deadline:g} s) passed"
        elif isinstance(exc, httpx.TimeoutException):
            kind = f"timed out after {self._settings.timeout:g} s"
        elif isinstance(exc, httpx.DecodingError):
            kind = f"failed: the answer's body could not be decoded ({detail})"
        else:
            kind = f"failed: {detail}"
        message = f"{what} {kind}"
        maybe_applied = sent and not idempotent
        if maybe_applied:
            message += (
                ". The request reached the service before the connection failed, so it may "
                "have been applied; it was not repeated blindly."
            )
        elif not sent and not out_of_time:
            message += " (no connection could be made; is the API URL right?)"
        return ByteNiteConnectionError(message, maybe_applied=maybe_applied)

    def _job_response(self, data: Any, *, created: bool = False) -> JobResponse:
        hint = " The job was created." if created else ""
        try:
            response = JobResponse.model_validate(data)
            if created and not response.job.id:
                message = (
                    "unexpected response: the answer to the create names no job id (a job may "
                    "have been created: check client.list_jobs())"
                )
            else:
                return response
        except ValidationError as exc:
            first = payload_problems(exc)[0]
            message = f"unexpected response: {first['field']}: {first['message']}.{hint}"
        except RecursionError:
            message = f"unexpected response: nested too deeply to read.{hint}"
        error = ApiError(redact(message, self._secrets()), status_code=200)
        error.maybe_applied = created
        raise error

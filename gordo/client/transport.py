"""HTTP calls to a gordo server: retries with backoff, errors naming the route.

Connection errors, timeouts and 5xx answers are retried (``n_retries`` times,
waiting ``backoff * 2**attempt`` seconds, at most 30 s between tries); a 4xx
answer is not, and becomes a :class:`~gordo.exceptions.ServingError` whose
message names the route and quotes the server's ``error``.

>>> print(route_error("GET", "/gordo/v0/p/m/metadata", 404, '{"error": "No model m"}'))
GET /gordo/v0/p/m/metadata answered 404: No model m
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import requests

from gordo.exceptions import BadRequestError, NotFoundError, RevisionGoneError, ServingError

logger = logging.getLogger(__name__)

#: status code -> the exception raised for it (others: ServingError)
_ERRORS: dict[int, type[ServingError]] = {
    400: BadRequestError,
    404: NotFoundError,
    410: RevisionGoneError,
}
_MAX_WAIT = 30.0


def route_error(method: str, route: str, status: int, body: str) -> ServingError:
    """The error for a failed answer, quoting the server's ``error`` message if any."""
    try:
        message = json.loads(body).get("error") or body
    except (ValueError, AttributeError):
        message = body
    text = " ".join(str(message).split())[:500] or "(empty body)"
    return _ERRORS.get(status, ServingError)(f"{method} {route} answered {status}: {text}", status)


def request(
    session: requests.Session,
    method: str,
    base_url: str,
    route: str,
    *,
    n_retries: int,
    backoff: float,
    timeout: float,
    **kwargs: Any,
) -> requests.Response:
    """``method`` on ``base_url + route``, retried on connection errors and 5xx answers."""
    url = base_url + route
    attempt = 0
    while True:
        last = attempt >= n_retries
        try:
            response = session.request(method, url, timeout=timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            if last:
                raise ServingError(
                    f"{method} {route}: no answer from {base_url} after "
                    f"{n_retries + 1} tries: {exc}",
                    503,
                ) from None
            reason = type(exc).__name__
        else:
            if response.ok:
                return response
            if response.status_code < 500 or last:
                raise route_error(method, route, response.status_code, response.text)
            reason = f"status {response.status_code}"
        wait = min(backoff * 2**attempt, _MAX_WAIT)
        logger.warning(
            "%s %s failed (%s); retry %d in %.1fs", method, route, reason, attempt + 1, wait
        )
        time.sleep(wait)
        attempt += 1

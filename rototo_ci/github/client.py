"""A small GitHub REST client (stdlib only) with pagination, retries and token hygiene."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..engine.errors import RototoError

DEFAULT_API = "https://api.github.com"
MAX_ATTEMPTS = 5


class GitHubError(RototoError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Response:
    status: int
    data: Any
    headers: dict[str, str]


def _next_link(header: str | None) -> str | None:
    for part in (header or "").split(","):
        match = re.match(r'\s*<([^>]+)>\s*;\s*rel="next"', part)
        if match:
            return match.group(1)
    return None


class GitHubClient:
    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API,
        sleep: Callable[[float], None] | None = None,
        timeout: float = 30,
    ) -> None:
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))
        self.timeout = timeout

    def _scrub(self, text: str) -> str:
        return text.replace(self.token, "***") if self.token else text

    def request(self, method: str, url: str, body: Any = None) -> Response:
        if not url.startswith(("http://", "https://")):
            url = f"{self.api_url}{url}"
        data = json.dumps(body).encode() if body is not None else None
        delay = 1.0
        for attempt in range(1, MAX_ATTEMPTS + 1):
            request = urllib.request.Request(
                url,
                data=data,
                method=method,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": "2022-11-28",
                    "User-Agent": "rototo-ci",
                    **({"Content-Type": "application/json"} if data is not None else {}),
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    raw = response.read()
                    return Response(
                        response.status,
                        json.loads(raw) if raw else None,
                        dict(response.headers.items()),
                    )
            except urllib.error.HTTPError as error:
                raw = error.read()
                headers = dict(error.headers.items()) if error.headers else {}
                text = self._scrub(raw.decode("utf-8", errors="replace"))
                retry_after = headers.get("Retry-After")
                limited = error.code in (403, 429) and (
                    retry_after is not None
                    or headers.get("X-RateLimit-Remaining") == "0"
                    or "secondary rate limit" in text.lower()
                )
                if (error.code >= 500 or limited) and attempt < MAX_ATTEMPTS:
                    wait = float(retry_after) if retry_after and retry_after.isdigit() else delay
                    self.sleep(min(wait, 60.0))
                    delay *= 2
                    continue
                message = text
                try:
                    message = json.loads(text).get("message", text)
                except (ValueError, AttributeError):
                    pass
                raise GitHubError(
                    f"GitHub API {method} {self._scrub(url)} failed with {error.code}: {message}",
                    error.code,
                ) from None
            except (urllib.error.URLError, OSError) as error:
                if attempt < MAX_ATTEMPTS:
                    self.sleep(delay)
                    delay *= 2
                    continue
                raise GitHubError(
                    f"cannot reach the GitHub API at {self.api_url}: "
                    f"{self._scrub(str(getattr(error, 'reason', error)))}"
                ) from None
        raise GitHubError("GitHub API retries exhausted")

    def paginate(self, url: str) -> list[Any]:
        items: list[Any] = []
        next_url: str | None = url
        while next_url:
            response = self.request("GET", next_url)
            items.extend(response.data or [])
            next_url = _next_link(response.headers.get("Link") or response.headers.get("link"))
        return items

"""A small GitHub REST client (stdlib only) with pagination, retries and token hygiene.

The token goes to one origin only: the configured API root (`GITHUB_API_URL`).
A redirect or a pagination link to any other origin is refused *before* anything
is sent there, and plain `http://` is accepted only for loopback hosts (a local
stand-in), never for a network host.
"""

from __future__ import annotations

import ipaddress
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..engine.errors import RototoError

DEFAULT_API = "https://api.github.com"
MAX_ATTEMPTS = 5
MAX_PAGES = 500  # 50,000 comments at 100 per page


class GitHubError(RototoError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Response:
    status: int
    data: Any
    headers: dict[str, str]


Origin = tuple[str, str, int]


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin_of(url: str) -> Origin:
    """(scheme, host, port) of an absolute http(s) URL; GitHubError otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise GitHubError(f"not a valid URL: {url!r}") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        raise GitHubError(f"not an http(s) URL: {url!r}")
    return scheme, host, port or (443 if scheme == "https" else 80)


def check_api_url(url: str) -> str:
    """The API root, refused unless https (or http on a loopback host), without credentials."""
    scheme, host, _ = origin_of(url)
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise GitHubError("GITHUB_API_URL must not carry credentials")
    if parts.query or parts.fragment:
        raise GitHubError("GITHUB_API_URL must be a plain API root (no query or fragment)")
    if scheme == "http" and not _is_loopback(host):
        raise GitHubError(
            f"GITHUB_API_URL uses plain http:// for {host}: the token would travel in "
            "cleartext; use https:// (http:// is accepted only for loopback hosts)"
        )
    return url.rstrip("/")


def _next_link(header: str | None) -> str | None:
    for part in (header or "").split(","):
        match = re.match(r'\s*<([^>]+)>\s*;\s*rel="next"', part)
        if match:
            return match.group(1)
    return None


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only within the API origin; anything else is refused unfollowed."""

    def __init__(self, origin: Origin, scrub: Callable[[str], str]) -> None:
        self.origin = origin
        self.scrub = scrub

    def redirect_request(  # type: ignore[override]
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        target = urljoin(req.full_url, newurl)
        try:
            same = origin_of(target) == self.origin
        except GitHubError:
            same = False
        if not same:
            fp.close()
            raise GitHubError(
                f"GitHub API {req.get_method()} {self.scrub(req.full_url)} answered {code} with "
                f"a redirect to another origin ({self.scrub(_origin_text(target))}); refused: "
                "the token is only sent to GITHUB_API_URL",
                code,
            )
        return super().redirect_request(req, fp, code, msg, headers, target)


def _origin_text(url: str) -> str:
    try:
        scheme, host, port = origin_of(url)
    except GitHubError:
        return "an invalid URL"
    return f"{scheme}://{host}:{port}"


class GitHubClient:
    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API,
        sleep: Callable[[float], None] | None = None,
        timeout: float = 30,
    ) -> None:
        self.token = token
        self.api_url = check_api_url(api_url)
        self.origin = origin_of(self.api_url)
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_SameOriginRedirects(self.origin, self._scrub))

    def _scrub(self, text: str) -> str:
        return text.replace(self.token, "***") if self.token else text

    def _url(self, url: str) -> str:
        """An absolute URL within the API origin (relative paths join the API root)."""
        if url.startswith("/"):
            url = f"{self.api_url}{url}"
        if origin_of(url) != self.origin:
            raise GitHubError(
                f"refused to send the token to another origin ({self._scrub(_origin_text(url))});"
                " it is only sent to GITHUB_API_URL"
            )
        return url

    def request(self, method: str, url: str, body: Any = None) -> Response:
        url = self._url(url)
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
                with self._opener.open(request, timeout=self.timeout) as response:
                    raw = response.read()
                    if origin_of(response.geturl()) != self.origin:  # belt and braces
                        raise GitHubError("the GitHub API answered from another origin")
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
                    f"GitHub API {method} {self._scrub(url)} failed with {error.code}: "
                    f"{str(message)[:300]}",
                    error.code,
                ) from None
            except (urllib.error.URLError, OSError, ValueError) as error:
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
        """Every item of a list endpoint, following `Link: rel="next"` within the origin."""
        items: list[Any] = []
        next_url: str | None = self._url(url)
        seen: set[str] = set()
        while next_url:
            if next_url in seen or len(seen) >= MAX_PAGES:
                raise GitHubError("GitHub API pagination does not end; stopped")
            seen.add(next_url)
            response = self.request("GET", next_url)
            if not isinstance(response.data, list):
                raise GitHubError(f"GitHub API {self._scrub(next_url)} did not return a list")
            items.extend(response.data)
            link = _next_link(response.headers.get("Link") or response.headers.get("link"))
            next_url = self._url(urljoin(next_url, link)) if link else None
        return items

    def authenticated_login(self) -> str | None:
        """The login the token acts as, or None when the token may not read it (an
        Actions GITHUB_TOKEN answers 403 on GET /user)."""
        try:
            response = self.request("GET", "/user")
        except GitHubError as error:
            if error.status in (403, 404):
                return None
            raise
        login = (response.data or {}).get("login") if isinstance(response.data, dict) else None
        return login if isinstance(login, str) and login else None

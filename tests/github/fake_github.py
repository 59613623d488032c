"""Loopback stand-ins: the GitHub issue-comment endpoints, and a recorder that plays
another origin (it only records what reaches it, credentials included)."""

from __future__ import annotations

import json
import re
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PAGE = 2  # small pages so pagination is exercised


class FakeGitHub:
    def __init__(
        self,
        token: str = "secret-token-123",
        login: str | None = None,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.token = token
        self.login = login  # GET /user answers 403 when None (an Actions GITHUB_TOKEN)
        self.redirect_next: list[tuple[int, str]] = []  # (status, Location) before handling
        self.redirect_method: dict[str, tuple[int, str]] = {}  # e.g. every POST redirects
        self.next_link_base: str | None = None  # another origin for Link: rel="next"
        self.seen_auth: list[str | None] = []
        self.comments: list[dict[str, Any]] = []
        self.next_id = 100
        self.fail_next: list[tuple[int, dict[str, str], str]] = []
        self.requests: list[tuple[str, str]] = []
        self.read_only = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self, method: str) -> None:
                fake.requests.append((method, self.path))
                fake.seen_auth.append(self.headers.get("Authorization"))
                if fake.redirect_next or method in fake.redirect_method:
                    status, location = (
                        fake.redirect_next.pop(0)
                        if fake.redirect_next
                        else fake.redirect_method[method]
                    )
                    self.send_response(status)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    return self._send(401, {"message": "Bad credentials"})
                if fake.fail_next:
                    status, headers, message = fake.fail_next.pop(0)
                    return self._send(status, {"message": message}, headers)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                list_match = re.fullmatch(
                    r"/repos/([^/]+)/([^/]+)/issues/(\d+)/comments(\?.*)?", self.path
                )
                edit_match = re.fullmatch(
                    r"/repos/([^/]+)/([^/]+)/issues/comments/(\d+)", self.path
                )
                if method in ("POST", "PATCH") and fake.read_only:
                    return self._send(403, {"message": "Resource not accessible by integration"})
                if method in ("POST", "PATCH") and len(body.get("body", "")) > 65536:
                    return self._send(422, {"message": "Body is too long"})
                if self.path == "/user" and method == "GET":
                    if fake.login is None:
                        return self._send(
                            403, {"message": "Resource not accessible by integration"}
                        )
                    return self._send(200, {"login": fake.login})
                if list_match and method == "GET":
                    found = re.search(r"[?&]page=(\d+)", self.path)
                    page = int(found.group(1)) if found else 1
                    start = (page - 1) * PAGE
                    items = fake.comments[start : start + PAGE]
                    headers = {}
                    if start + PAGE < len(fake.comments):
                        base = self.path.split("?")[0]
                        host = fake.next_link_base or fake.url
                        headers["Link"] = f'<{host}{base}?per_page=100&page={page + 1}>; rel="next"'
                    return self._send(200, items, headers)
                if list_match and method == "POST":
                    fake.next_id += 1
                    comment = {
                        "id": fake.next_id,
                        "body": body["body"],
                        "html_url": f"http://example.invalid/c/{fake.next_id}",
                        "user": {"login": fake.login or "github-actions[bot]"},
                    }
                    fake.comments.append(comment)
                    return self._send(201, comment)
                if edit_match and method == "PATCH":
                    for comment in fake.comments:
                        if comment["id"] == int(edit_match.group(3)):
                            comment["body"] = body["body"]
                            return self._send(200, comment)
                    return self._send(404, {"message": "Not Found"})
                return self._send(404, {"message": "Not Found"})

            def do_GET(self) -> None:  # noqa: N802
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

            def do_PATCH(self) -> None:  # noqa: N802
                self._handle("PATCH")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


class Recorder:
    """Another origin on loopback: answers 200 `[]` and records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _handle(self) -> None:
                recorder.requests.append((self.command, self.path, dict(self.headers.items())))
                raw = b"[]"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PATCH = _handle  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def credentials_seen(self) -> list[str]:
        return [
            value
            for _, _, headers in self.requests
            for key, value in headers.items()
            if key.lower() in ("authorization", "cookie", "proxy-authorization")
        ]

    def __enter__(self) -> Recorder:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

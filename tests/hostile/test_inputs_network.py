"""Archive sources against loopback HTTPS stand-ins: the workspace token reaches only the
origin the user named, redirects are judged before they are followed, plain http is
refused, and archives are unpacked within limits read from their headers."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rototo_ci.engine import sources
from rototo_ci.engine.errors import SourceError

from ..cli.conftest import EXAMPLE, run_cli
from .inputs_support import CACHE_MODES, lint, run_measured

TOKEN = "sekrit-workspace-token"
MIB = 1024 * 1024


class StandIn:
    """A loopback HTTP(S) server with fixed routes that records every request it gets."""

    def __init__(self, tls: Path | None) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[tuple[str, str | None]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server protocol
                stand_in.requests.append((self.path, self.headers.get("Authorization")))
                status, headers, body = stand_in.routes.get(self.path, (404, {}, b"missing"))
                self.send_response(status)
                for name, value in headers.items():
                    if name != "X-No-Length":
                        self.send_header(name, value)
                if "X-No-Length" in headers:
                    self.close_connection = True  # the body ends when the connection does
                elif "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls / "cert.pem", tls / "key.pem")
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.scheme = "https" if tls else "http"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def serve(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.routes[path] = (200, headers or {}, body)

    def redirect(self, path: str, target: str, status: int = 302) -> None:
        self.routes[path] = (status, {"Location": target}, b"")

    def tokens(self) -> list[str | None]:
        return [auth for _, auth in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for 127.0.0.1 and localhost, trusted only by these tests."""
    directory = tmp_path_factory.mktemp("tls")
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem"),
            "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return directory


@pytest.fixture
def servers(tls: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, StandIn]]:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls / "cert.pem"))
    monkeypatch.setenv("ROTOTO_WORKSPACE_TOKEN", TOKEN)
    found = {"configured": StandIn(tls), "other": StandIn(tls), "plain": StandIn(None)}
    yield found
    for server in found.values():
        server.close()


@pytest.fixture(params=CACHE_MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _tar_gz(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tarred:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tarred.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _workspace_files(root: Path = EXAMPLE, prefix: str = "ws/") -> dict[str, bytes]:
    return {
        prefix + p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith("tests/")
    }


def _with_manifest(extends: list[str]) -> dict[str, bytes]:
    files = _workspace_files()
    files["ws/rototo-workspace.toml"] = (
        "schema_version = 1\nextends = " + json.dumps(extends) + "\n"
    ).encode()
    return files


# -- credentials ----------------------------------------------------------------


def test_token_goes_to_the_configured_origin(servers, mode: str, monkeypatch, tmp_path) -> None:
    configured = servers["configured"]
    configured.serve("/ws.tar.gz", _tar_gz(_workspace_files()))
    result = lint(mode, monkeypatch, tmp_path / "cache", configured.url("/ws.tar.gz"))
    assert result.code == 0, result.err
    assert set(configured.tokens()) == {f"Bearer {TOKEN}"}


def test_redirect_to_another_origin_drops_the_token(servers, tmp_path) -> None:
    configured, other = servers["configured"], servers["other"]
    configured.redirect("/ws.tar.gz", other.url("/moved.tar.gz", host="localhost"))
    other.serve("/moved.tar.gz", _tar_gz(_workspace_files()))
    result = run_cli("lint", configured.url("/ws.tar.gz"), "--no-cache", "--json")
    assert result.code == 0, result.err
    assert configured.tokens() == [f"Bearer {TOKEN}"]
    assert other.tokens() == [None]  # followed, but without the credential


def test_redirect_within_the_origin_keeps_the_token(servers) -> None:
    configured = servers["configured"]
    configured.redirect("/ws.tar.gz", "/v2/ws.tar.gz", status=301)
    configured.serve("/v2/ws.tar.gz", _tar_gz(_workspace_files()))
    result = run_cli("lint", configured.url("/ws.tar.gz"), "--no-cache", "--json")
    assert result.code == 0, result.err
    assert configured.tokens() == [f"Bearer {TOKEN}", f"Bearer {TOKEN}"]


@pytest.mark.parametrize("where", ["plain", "file", "other-port-http"])
def test_redirect_away_from_https_is_refused_before_it_is_followed(servers, where) -> None:
    configured, plain = servers["configured"], servers["plain"]
    plain.serve("/ws.tar.gz", _tar_gz(_workspace_files()))
    target = {
        "plain": plain.url("/ws.tar.gz"),
        "file": "file:///etc/passwd",
        "other-port-http": f"http://localhost:{plain.port}/ws.tar.gz",
    }[where]
    configured.redirect("/ws.tar.gz", target)
    result = run_cli("lint", configured.url("/ws.tar.gz"), "--no-cache")
    assert result.code == 2 and result.err.startswith("rototo: error:")
    # urllib itself refuses non-http(s) schemes; every other hop is judged by rototo-ci
    refusal = "is not allowed" if where == "file" else "non-https"
    assert refusal in result.err and result.err.count("\n") == 1
    assert plain.requests == []  # judged before following: nothing reached it


def test_redirect_loop_is_one_clear_line(servers) -> None:
    configured = servers["configured"]
    configured.redirect("/a", "/b")
    configured.redirect("/b", "/a")
    result = run_cli("lint", configured.url("/a"), "--no-cache")
    assert result.code == 2 and result.err.startswith("rototo: error: cannot download")
    assert len(configured.requests) <= 12


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_plain_http_sources_are_refused(servers, host: str) -> None:
    plain = servers["plain"]
    plain.serve("/ws.tar.gz", _tar_gz(_workspace_files()))
    for source in (plain.url("/ws.tar.gz", host=host), f"git+{plain.url('/ws.git', host=host)}"):
        result = run_cli("lint", source, "--no-cache")
        assert result.code == 2 and "insecure source refused" in result.err
    assert plain.requests == []


@pytest.mark.parametrize("target", ["configured", "other"])
def test_extends_urls_from_workspace_content_never_get_the_token(
    servers, mode: str, monkeypatch, tmp_path, target: str
) -> None:
    configured = servers["configured"]
    parent_server = servers[target]
    parent_url = parent_server.url("/parent.tar.gz")
    parent_server.serve("/parent.tar.gz", _tar_gz(_workspace_files(prefix="p/")))
    configured.serve("/ws.tar.gz", _tar_gz(_with_manifest([parent_url])))
    source = configured.url("/ws.tar.gz")
    refused = lint(mode, monkeypatch, tmp_path / "cache", source)
    assert refused.code == 1
    assert [d["rule"] for d in refused.diagnostics] == ["rototo-ci/extends-refused"]
    assert parent_server.tokens().count(None) == 0 and "/parent.tar.gz" not in {
        path for path, _ in parent_server.requests
    }
    allowed = run_cli("lint", source, "--no-cache", "--json", "--allow-external-extends")
    assert allowed.code == 0, allowed.err
    parent_requests = [auth for path, auth in parent_server.requests if path == "/parent.tar.gz"]
    assert parent_requests == [None]
    assert [auth for path, auth in configured.requests if path == "/ws.tar.gz"][-1] == (
        f"Bearer {TOKEN}"
    )


def test_local_workspace_extending_a_url_sends_no_token(servers, tmp_path: Path) -> None:
    configured = servers["configured"]
    configured.serve("/parent.tar.gz", _tar_gz(_workspace_files(prefix="p/")))
    child = tmp_path / "child"
    child.mkdir()
    (child / "rototo-workspace.toml").write_text(
        "schema_version = 1\nextends = " + json.dumps([configured.url("/parent.tar.gz")]) + "\n"
    )
    result = run_cli("lint", str(child), "--no-cache", "--json", "--allow-external-extends")
    assert result.code == 0, result.err
    assert configured.tokens() == [None]


# -- archive limits -------------------------------------------------------------


class Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def _tar_bomb(sizes: list[int]) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1) as zipped:
        with tarfile.open(fileobj=zipped, mode="w|") as tarred:
            for i, size in enumerate(sizes):
                info = tarfile.TarInfo(f"ws/variables/bomb{i}.toml")
                info.size = size
                tarred.addfile(info, io.BufferedReader(Zeros(size)))
    return out.getvalue()


def _zip_bomb(sizes: list[int]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zipped:
        for i, size in enumerate(sizes):
            with zipped.open(f"ws/variables/bomb{i}.toml", "w", force_zip64=True) as handle:
                left = size
                while left:
                    handle.write(bytes(min(left, MIB)))
                    left -= min(left, MIB)
    return out.getvalue()


def _many_entries(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        for i in range(count):
            zipped.writestr(f"ws/x/{i}", b"")
    return out.getvalue()


BOMBS = {
    "tar one big file": (lambda: _tar_bomb([17 * MIB]), "larger than"),
    "tar total": (lambda: _tar_bomb([15 * MIB] * 5), "unpacks to more than"),
    "zip one big file": (lambda: _zip_bomb([17 * MIB]), "larger than"),
    "zip total": (lambda: _zip_bomb([15 * MIB] * 5), "unpacks to more than"),
    "zip entries": (lambda: _many_entries(10_001), "more than 10000 entries"),
    "tar escape": (lambda: _tar_gz({"ws/../../evil.toml": b"x"}), "escapes the archive"),
    "zip escape": (
        lambda: _zip_bytes({"../evil.toml": b"x", "ws/rototo-workspace.toml": b""}),
        "escapes the archive",
    ),
    "tar absolute": (lambda: _tar_gz({"/etc/evil.toml": b"x"}), "escapes the archive"),
}


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        for name, data in files.items():
            zipped.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_archive_limits_from_headers(name: str, monkeypatch) -> None:
    make, expected = BOMBS[name]
    data = make()
    reads: list[int] = []
    original = sources._read_bounded

    def counting(handle, limit, entry, label):  # type: ignore[no-untyped-def]
        reads.append(limit)
        return original(handle, limit, entry, label)

    monkeypatch.setattr(sources, "_read_bounded", counting)
    with pytest.raises(SourceError, match=expected):
        sources.unpack_archive(data, "", "bomb")
    if name.startswith("zip"):
        assert reads == []  # refused from the central directory, before any content is read


def test_archive_member_that_lies_about_its_size(monkeypatch) -> None:
    """A header that understates the content: reading stops at the declared size."""
    data = _zip_bytes({"ws/rototo-workspace.toml": b"schema_version = 1\n"})
    original = zipfile.ZipFile.open

    class Liar(io.BytesIO):
        def __init__(self) -> None:
            super().__init__(b"x" * (2 * MIB))

    def lying_open(self, info, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, info, *args, **kwargs).close()
        return Liar()

    monkeypatch.setattr(zipfile.ZipFile, "open", lying_open)
    with pytest.raises(SourceError, match="past its size limit"):
        sources.unpack_archive(data, "", "liar")


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("tar total", marks=pytest.mark.slow),
        "zip one big file",
        pytest.param("zip entries", marks=pytest.mark.slow),
    ],
)
def test_archive_bombs_end_to_end(servers, name: str) -> None:
    configured = servers["configured"]
    configured.serve("/bomb", BOMBS[name][0]())
    result, peak_kib = run_measured("lint", configured.url("/bomb"), "--no-cache")
    assert result.code == 2 and BOMBS[name][1] in result.err, result.err
    assert result.seconds < 10 and peak_kib < 300 * 1024, (result.seconds, peak_kib)


def test_oversized_download_is_cut_off(servers, monkeypatch) -> None:
    configured = servers["configured"]
    monkeypatch.setattr(sources, "ARCHIVE_MAX_BYTES", 1 * MIB)
    configured.serve("/declared", b"x" * (2 * MIB))
    result = run_cli("lint", configured.url("/declared"), "--no-cache")
    assert result.code == 2 and "larger than" in result.err
    # a server that does not say how much it sends is cut off while reading
    configured.serve("/streamed", b"x" * (2 * MIB), headers={"X-No-Length": "1"})
    result = run_cli("lint", configured.url("/streamed"), "--no-cache")
    assert result.code == 2 and "larger than" in result.err

"""Remote sources loaded for real from loopback servers.

* `git+https://`: `git http-backend` (CGI) behind a small HTTPS server with a
  self-signed certificate trusted by these tests only;
* `git+ssh://`: a loopback `sshd` with its own config and host key, and a
  throwaway client key offered through an ssh agent;
* `https://` archives (tar.gz, zip) from a loopback HTTPS server.

Each loads a workspace at a ref and a subdirectory, and checks the one-line errors
for a missing ref, a refused credential and an untrusted certificate. Skipped with a
reason when a system tool is missing (`.ci/run` installs them when it can).
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rototo_ci.engine import sources
from rototo_ci.engine.errors import SourceError
from rototo_ci.engine.workspace import Workspace

from ..cli.conftest import EXAMPLE
from ..hostile.test_inputs_network import StandIn, _tar_gz, _workspace_files, _zip_bytes

pytestmark = pytest.mark.integration

TOKEN = "remote-test-token"


def _need(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"the {tool} command is not installed")


def _git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd or Path.cwd())}
    done = subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A bare repository: commit 1 holds the example under ws/, tag v2 changes a value."""
    _need("git")
    base = tmp_path_factory.mktemp("git")
    work = base / "work"
    shutil.copytree(EXAMPLE, work / "ws", ignore=shutil.ignore_patterns("tests"))
    _git("init", "-q", "-b", "main", str(work), cwd=base)
    for key, value in (("user.name", "t"), ("user.email", "t@example.invalid")):
        _git("config", key, value, cwd=work)
    _git("add", "-A", cwd=work)
    _git("commit", "-q", "-m", "one", cwd=work)
    first = _git("rev-parse", "HEAD", cwd=work)
    projects = work / "ws" / "variables" / "max-projects.toml"
    projects.write_text(projects.read_text().replace("starter = 3", "starter = 4"))
    _git("commit", "-q", "-am", "two", cwd=work)
    _git("tag", "v2", cwd=work)
    bare = base / "srv" / "shop.git"
    _git("clone", "-q", "--bare", str(work), str(bare), cwd=base)
    return bare, first, "v2"


def _starter(source: str) -> object:
    workspace = Workspace.load(source)
    context = {"account": {"id": "a", "plan": "starter", "seats": 1}, "request": {"country": "US"}}
    return workspace.resolve_variable("max-projects", context).value


# -- TLS -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need("openssl")
    directory = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem"),
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    # a second, never trusted certificate: the "bad certificate" servers use it
    # (trust given to libgit2 accumulates for the process, so it cannot be taken back)
    stranger = directory / "stranger"
    stranger.mkdir()
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-keyout", str(stranger / "key.pem"), "-out", str(stranger / "cert.pem"),
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return directory


@pytest.fixture
def trust(tls: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Trust the test certificate (libgit2 and urllib) for one test, then restore."""
    import pygit2

    defaults = ssl.get_default_verify_paths()
    monkeypatch.setenv("SSL_CERT_FILE", str(tls / "cert.pem"))
    pygit2.settings.set_ssl_cert_locations(str(tls / "cert.pem"), None)
    yield
    pygit2.settings.set_ssl_cert_locations(defaults.cafile, defaults.capath)


class GitHttps:
    """`git http-backend` as CGI behind an HTTPS server; optionally demands a token."""

    def __init__(self, root: Path, tls: Path, token: str | None = None) -> None:
        self.auth: list[str | None] = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def _cgi(self) -> None:
                header = self.headers.get("Authorization")
                backend.auth.append(header)
                expected = "Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()
                if token is not None and header != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="git"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path, _, query = self.path.partition("?")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                env = {
                    "PATH": os.environ.get("PATH", ""),
                    "GIT_PROJECT_ROOT": str(root),
                    "GIT_HTTP_EXPORT_ALL": "1",
                    "REQUEST_METHOD": self.command,
                    "PATH_INFO": path,
                    "QUERY_STRING": query,
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                    "CONTENT_LENGTH": str(len(body)),
                    "GIT_CONFIG_NOSYSTEM": "1",
                    "HOME": str(root),
                }
                out = subprocess.run(
                    ["git", "http-backend"], input=body, env=env, capture_output=True
                ).stdout
                head, _, payload = out.partition(b"\r\n\r\n")
                status, headers = 200, []
                for line in head.decode("latin-1").split("\r\n"):
                    name, _, value = line.partition(":")
                    if name.lower() == "status":
                        status = int(value.split()[0])
                    elif name:
                        headers.append((name, value.strip()))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _cgi  # noqa: N815 - the http.server protocol
            do_POST = _cgi  # noqa: N815

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls / "cert.pem", tls / "key.pem")
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def url(self, name: str) -> str:
        return f"git+https://127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def git_https(repo, tls: Path) -> Iterator[GitHttps]:  # type: ignore[no-untyped-def]
    server = GitHttps(repo[0].parent, tls)
    yield server
    server.close()


def test_git_https_at_a_ref_and_a_subdirectory(git_https: GitHttps, repo, trust) -> None:  # type: ignore[no-untyped-def]
    _, first, tag = repo
    assert _starter(f"{git_https.url('shop.git')}#{first}:ws") == 3
    assert _starter(f"{git_https.url('shop.git')}#{tag}:ws") == 4
    assert _starter(f"{git_https.url('shop.git')}#:ws") == 4  # HEAD


def test_git_https_missing_ref_is_one_line(git_https: GitHttps, trust) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SourceError) as caught:
        sources.open_single(f"{git_https.url('shop.git')}#no-such-ref:ws", Path.cwd())
    assert "cannot resolve git revision 'no-such-ref'" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_git_https_untrusted_certificate_is_refused(repo, tls: Path, trust) -> None:  # type: ignore[no-untyped-def]
    server = GitHttps(repo[0].parent, tls / "stranger")
    try:
        with pytest.raises(SourceError) as caught:
            sources.open_single(f"{server.url('shop.git')}#:ws", Path.cwd())
    finally:
        server.close()
    message = str(caught.value)
    assert message.startswith("cannot fetch https://127.0.0.1:") and "\n" not in message
    assert message.endswith("the TLS certificate of 127.0.0.1 is not trusted")


def test_git_https_token_goes_to_the_configured_host_only(
    repo, tls: Path, trust, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    server = GitHttps(repo[0].parent, tls, token=TOKEN)
    try:
        source = f"{server.url('shop.git')}#:ws"
        monkeypatch.delenv("ROTOTO_WORKSPACE_TOKEN", raising=False)
        with pytest.raises(SourceError) as caught:
            sources.open_single(source, Path.cwd(), trusted=True)
        assert "authentication failed (credentials are required)" in str(caught.value)
        monkeypatch.setenv("ROTOTO_WORKSPACE_TOKEN", TOKEN)
        # from workspace content (not trusted): the token is never offered
        with pytest.raises(SourceError):
            sources.open_single(source, Path.cwd(), trusted=False)
        assert not any(
            a and TOKEN in base64.b64decode(a.split()[1]).decode() for a in server.auth if a
        )
        opened = sources.open_single(source, Path.cwd(), trusted=True)
        assert opened.tree is not None
        monkeypatch.setenv("ROTOTO_WORKSPACE_TOKEN", "wrong")
        with pytest.raises(SourceError) as caught:
            sources.open_single(source, Path.cwd(), trusted=True)
        assert "authentication failed (the token was refused)" in str(caught.value)
    finally:
        server.close()


# -- ssh -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def sshd(repo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    import pygit2

    if not pygit2.features & pygit2.enums.Feature.SSH:
        pytest.skip("this pygit2 build has no ssh support")
    daemon = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
    if daemon is None:
        pytest.skip("sshd (openssh-server) is not installed")
    _need("ssh-keygen", "ssh-agent", "ssh-add")
    if os.geteuid() == 0 and not Path("/run/sshd").is_dir():
        try:  # sshd run as root insists on its privilege separation directory
            Path("/run/sshd").mkdir(mode=0o755, parents=True)
        except OSError:
            pytest.skip("sshd needs /run/sshd and it cannot be created")
    base = tmp_path_factory.mktemp("ssh")
    os.chmod(base, 0o700)
    for name in ("host", "client", "stranger"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(base / name)], check=True
        )
    (base / "authorized_keys").write_text((base / "client.pub").read_text())
    os.chmod(base / "authorized_keys", 0o600)
    port = _free_port()
    config = base / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {base / 'host'}\n"
        f"PidFile {base / 'sshd.pid'}\nAuthorizedKeysFile {base / 'authorized_keys'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nPermitRootLogin yes\n"
    )
    process = subprocess.Popen(
        [daemon, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.skip(f"sshd did not start: {process.stderr.read().decode()[:200]}")
            time.sleep(0.05)
    home = base / "home"
    (home / ".ssh").mkdir(parents=True)
    host_key = (base / "host.pub").read_text().split()
    (home / ".ssh" / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
    user = (
        os.environ.get("USER")
        or subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()
    )
    yield {"port": port, "base": base, "home": home, "user": user, "repo": repo[0]}
    process.terminate()
    process.wait(timeout=5)


@pytest.fixture
def agent(sshd, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    base = sshd["base"]
    socket_path = base / f"agent-{time.monotonic_ns()}"
    process = subprocess.Popen(
        ["ssh-agent", "-D", "-a", str(socket_path)], stdout=subprocess.DEVNULL
    )
    for _ in range(100):
        if socket_path.exists():
            break
        time.sleep(0.02)
    monkeypatch.setenv("SSH_AUTH_SOCK", str(socket_path))
    monkeypatch.setenv("HOME", str(sshd["home"]))
    yield socket_path
    process.terminate()
    process.wait(timeout=5)


def _add_key(sshd, name: str) -> None:  # type: ignore[no-untyped-def]
    subprocess.run(["ssh-add", "-q", str(sshd["base"] / name)], check=True, capture_output=True)


def _ssh_url(sshd) -> str:  # type: ignore[no-untyped-def]
    return f"git+ssh://{sshd['user']}@127.0.0.1:{sshd['port']}{sshd['repo']}"


def test_git_ssh_at_a_ref_and_a_subdirectory(sshd, agent, repo) -> None:  # type: ignore[no-untyped-def]
    _add_key(sshd, "client")
    assert _starter(f"{_ssh_url(sshd)}#{repo[1]}:ws") == 3
    assert _starter(f"{_ssh_url(sshd)}#v2:ws") == 4
    with pytest.raises(SourceError) as caught:
        sources.open_single(f"{_ssh_url(sshd)}#nope:ws", Path.cwd())
    assert "cannot resolve git revision 'nope'" in str(caught.value)


def test_git_ssh_refused_key_is_one_line(sshd, agent) -> None:  # type: ignore[no-untyped-def]
    _add_key(sshd, "stranger")
    with pytest.raises(SourceError) as caught:
        sources.open_single(f"{_ssh_url(sshd)}#:ws", Path.cwd())
    message = str(caught.value)
    assert message.startswith("cannot fetch ssh://") and "\n" not in message
    assert "authentic" in message.lower()


# -- https archives --------------------------------------------------------------


@pytest.fixture
def archive_server(tls: Path, trust) -> Iterator[StandIn]:  # type: ignore[no-untyped-def]
    server = StandIn(tls)
    files = _workspace_files()
    server.serve("/shop.tar.gz", _tar_gz(files))
    server.serve("/shop.zip", _zip_bytes(files))
    yield server
    server.close()


@pytest.mark.parametrize("name", ["shop.tar.gz", "shop.zip"])
def test_https_archive_with_a_subdirectory(archive_server: StandIn, name: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ROTOTO_WORKSPACE_TOKEN", TOKEN)
    assert _starter(archive_server.url(f"/{name}#:ws")) == 3
    assert archive_server.tokens() == [f"Bearer {TOKEN}"]
    # the same URL taken from workspace content (not named by the user): no token
    sources.open_single(archive_server.url(f"/{name}#:ws"), Path.cwd(), trusted=False)
    assert archive_server.tokens() == [f"Bearer {TOKEN}", None]


def test_https_archive_untrusted_certificate(tls: Path, trust) -> None:  # type: ignore[no-untyped-def]
    server = StandIn(tls / "stranger")
    try:
        server.serve("/shop.tar.gz", _tar_gz(_workspace_files()))
        with pytest.raises(SourceError) as caught:
            sources.open_single(server.url("/shop.tar.gz#:ws"), Path.cwd())
        message = str(caught.value)
        assert message.startswith("cannot download https://127.0.0.1:") and "\n" not in message
        assert "certificate" in message.lower()
    finally:
        server.close()

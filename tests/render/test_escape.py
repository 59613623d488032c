"""Every sink function of `rototo_ci.render.escape`, against a model of the reader it feeds."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote_to_bytes

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from rototo_ci.render import escape

# --- a model of the GitHub runner -----------------------------------------------------------

# .NET Char.IsWhiteSpace: what `TrimStart()` removes before the runner looks for a command
DOTNET_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
DOTNET_SPACE += "\u2028\u2029\u202f\u205f\u3000"
SKIPPED = DOTNET_SPACE + "".join(map(chr, range(0x20))) + "\x7f\u200b\ufeff"


def runner_lines(text: str) -> list[str]:
    """Lines as the runner reads a stream (StreamReader.ReadLine: CR, LF, CRLF)."""
    return re.split(r"\r\n|\r|\n", text)


def is_command(line: str) -> bool:
    """Stricter than the runner: leading controls and colour codes are skipped too."""
    lead = re.compile(r"(?:\x1b\[[0-?]*[ -/]*[@-~]|[" + re.escape(SKIPPED) + "])*")
    return line[lead.match(line).end() :].startswith(("::", "##["))


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return unescape_data(text.replace("%3A", ":").replace("%2C", ","))


HOSTILE = [
    "::error file=README.md::x",
    "  ::stop-commands::abc",
    "\t::add-mask::secret",
    "##[error]legacy",
    "\u3000::warning::ideographic space",
    "\u00a0\u2003::notice::nbsp",
    "\x1b[31m::error::coloured",
    "\x1b]0;title\x07::error::osc",
    "a\r::error::after CR",
    "a\n  ##[set-output name=x]y",
    "x\u2028::error::after LS",
    "\ufeff::error::bom",
    "\u200b::error::zwsp",
    ":",
    "#",
    "##",
    "%0A::error::x",
    "\udcff::error::surrogate",
]

TEXT = st.text(
    alphabet=st.sampled_from(list(":#[% \t\r\n\x0b\x1b\u3000\u2028\u200b\udcffae,=")), max_size=40
)


@pytest.mark.parametrize("text", HOSTILE)
def test_command_data_and_property_round_trip(text: str) -> None:
    data = escape.command_data(text)
    prop = escape.command_property(text)
    assert "\r" not in data + prop and "\n" not in data + prop
    assert ":" not in prop and "," not in prop
    expected = text.replace("\udcff", "\ufffd").replace("\u2028", " ")
    assert unescape_data(data) == expected
    assert unescape_property(prop) == expected


@given(TEXT)
def test_command_escaping_round_trips(text: str) -> None:
    data = escape.command_data(text)
    assert len(runner_lines(data)) == 1
    assert unescape_data(data) == re.sub("[\x0b\u2028]", " ", text.replace("\udcff", "\ufffd"))
    line = f"::error title={escape.command_property(text)}::{data}"
    assert escape.check_commands(line) == [line]


@pytest.mark.parametrize("text", HOSTILE)
def test_guard_line_breaks_every_command_start(text: str) -> None:
    guarded = escape.guard_text(text)
    assert not any(is_command(line) for line in runner_lines(guarded))
    assert guarded.replace(escape.BREAKER, "") == text


@given(TEXT)
def test_guard_text_only_inserts_breakers(text: str) -> None:
    guarded = escape.guard_text(text)
    assert guarded.replace(escape.BREAKER, "") == text
    assert not any(is_command(line) for line in runner_lines(guarded))
    assert escape.guard_text(guarded) == guarded
    assert escape.guard_line("  plain: text") == "  plain: text"


@settings(max_examples=300)
@given(st.lists(TEXT, max_size=8))
def test_guarded_stream_holds_across_chunks(chunks: list[str]) -> None:
    """However the text is cut into writes, no line of the stream starts a command."""
    raw = io.StringIO()
    stream = escape.GuardedStream(raw)
    for chunk in chunks:
        stream.write(chunk)
    stream.finish()
    out = raw.getvalue()
    assert out.replace(escape.BREAKER, "") == "".join(chunks).replace("\udcff", "\ufffd")
    assert not any(is_command(line) for line in runner_lines(out))


def test_guarded_stream_split_command_and_binary_side() -> None:
    raw = io.StringIO()
    stream = escape.GuardedStream(raw)
    stream.write("ok\n ")
    stream.write(":")
    stream.flush()
    stream.write(":error::x\n")
    stream.buffer.write(b"#")
    stream.buffer.write(b"#[warning]y\n\xff::z\n")
    stream.finish()
    assert not any(is_command(line) for line in runner_lines(raw.getvalue()))
    assert (
        raw.getvalue().replace(escape.BREAKER, "") == "ok\n ::error::x\n##[warning]y\n\ufffd::z\n"
    )
    with pytest.raises(TypeError):
        stream.write(b"bytes")  # type: ignore[arg-type]


def test_write_commands_passes_only_commands() -> None:
    raw = io.StringIO()
    stream = escape.GuardedStream(raw)
    stream.write("partial")
    good = "::error file=a%3Ab.toml,line=3,title=rototo/x::message %0A next"
    escape.write_commands(stream, good + "\n::notice::done\n")
    stream.write("::error::not meant\n")
    stream.finish()
    lines = raw.getvalue().split("\n")
    assert lines[:3] == ["partial", good, "::notice::done"]
    assert is_command(lines[1]) and not is_command(lines[3])
    for bad in (
        "::error::x\nplain",
        "plain",
        "::add-mask::x",
        "::error file=a:b::x",
        "::error::a\rb",
    ):
        with pytest.raises(ValueError):
            escape.write_commands(stream, bad)


def test_guarded_streams_installs_and_restores(capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    before = sys.stdout
    with escape.guarded_streams():
        assert isinstance(sys.stdout, escape.GuardedStream)
        print("::error::x")
        print(":", end="")
        print("\udcff", file=sys.stderr)
    assert sys.stdout is before
    out, err = capsys.readouterr()
    assert out == escape.BREAKER + "::error::x\n" + escape.BREAKER + ":"
    assert err == "\ufffd\n"


# --- one-line messages ----------------------------------------------------------------------


@given(st.text())
def test_one_line_is_one_line(text: str) -> None:
    shown = escape.one_line(text)
    assert shown.splitlines() in ([], [shown])
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]", shown)
    shown.encode("utf-8")  # encodable: no lone surrogate left


def test_one_line_shows_what_is_hidden() -> None:
    assert escape.one_line("a\nb\r\nc\rd\te") == "a\\nb\\nc\\rd e"
    assert escape.one_line("x\x1b[2Jy") == "x\\x1b[2Jy"
    assert escape.one_line("name\udcff.toml") == "name\\xff.toml"
    assert escape.one_line("evil\u202egnp.toml") == "evil\\u202egnp.toml"


# --- markdown -------------------------------------------------------------------------------

MD = MarkdownIt("commonmark", {"html": True}).enable("table")
MD_HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</details><h1>forged</h1>",
    "@octocat and @org/team",
    "![pixel](https://evil.example/p.png)",
    "# Heading",
    "a\r# heading after CR",
    "x\n===",
    "<!-- rototo-ci -->",
    "<!--rototo-ci:prod-->",
    "``code` with ``` backticks`",
    "`",
    " lead and trail ",
    "a | b | c",
    "\\| escaped pipe \\",
    "&lt;script&gt; &#64;octocat",
    "[link](javascript:alert(1))",
    "see #123 and GH-7",
    "- list\n1. item\n> quote",
    "https://evil.example/x",
    "\udcffname",
    "===",
    "---",
    "- item",
    "12. item",
    "    indented",
]


def html_tags(rendered: str) -> set[str]:
    return set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", rendered))


def live_mention(rendered: str) -> bool:
    text = re.sub(r"<[^>]+>", "", rendered)
    return re.search(r"(?:^|[^\w])@[A-Za-z0-9]", text) is not None


@pytest.mark.parametrize("text", MD_HOSTILE)
def test_md_text_is_inert(text: str) -> None:
    rendered = MD.render("Found: " + escape.md_text(text) + "\n")
    assert html_tags(rendered) == {"p"}, rendered
    own_line = MD.render("A paragraph\n" + escape.md_text(text) + "\n\n" + escape.md_text(text))
    assert html_tags(own_line) == {"p"}, own_line
    assert not live_mention(rendered)
    assert "<!--" not in escape.md_text(text)
    assert "\r" not in escape.md_text(text) and "\n" not in escape.md_text(text)
    shown = re.sub("<[^>]+>", "", rendered).strip().replace("\u2060", "")
    assert __import__("html").unescape(shown) == "Found: " + escape.one_line(text).strip()


@pytest.mark.parametrize("text", MD_HOSTILE)
def test_md_code_and_cell_in_a_table(text: str) -> None:
    row = f"| {escape.md_code(text, cell=True)} | {escape.md_cell(text)} | end |"
    rendered = MD.render(f"| a | b | c |\n| --- | --- | --- |\n{row}\n")
    assert html_tags(rendered) <= {"table", "thead", "tbody", "tr", "th", "td", "code"}
    assert rendered.count("<td>") == 3, rendered  # the row keeps its three cells
    assert not live_mention(rendered.replace("<code>", "").replace("</code>", ""))
    code = re.search(r"<code>(.*?)</code>", rendered, re.S)
    assert code is not None
    expected = escape.one_line(text)
    got = __import__("html").unescape(code.group(1)).replace("\u2060", "")
    assert got.strip() == expected.strip()


@pytest.mark.parametrize("text", MD_HOSTILE)
def test_md_code_in_running_text(text: str) -> None:
    rendered = MD.render("Path " + escape.md_code(text) + " done\n")
    assert html_tags(rendered) == {"p", "code"}
    assert "<!--" not in escape.md_code(text)


def test_md_code_limit() -> None:
    assert escape.md_code("abcdef", limit=4) == "<code>abc…</code>"
    assert escape.md_code('a|b`c"') == "<code>a&#124;b&#96;c&quot;</code>"


@pytest.mark.parametrize("text", ["\n".join(MD_HOSTILE), "a\n\n\n</pre>\n# x", ""])
def test_md_block_stays_one_pre_block(text: str) -> None:
    block = escape.md_block(text)
    for where in (block + "\n", "Intro " + block + "\n"):  # even misplaced mid-paragraph
        rendered = MD.render(where)
        assert html_tags(rendered) <= {"p", "pre"}, rendered
        assert not live_mention(re.sub(r"<pre>.*?</pre>", "", rendered, flags=re.S))
    assert "\r" not in block and "<!--" not in block and "\n\n" not in block


def test_markers_are_neutralized_and_stripped() -> None:
    body = "<!-- rototo-ci -->\nhello `<!-- rototo-ci:prod -->`\n  <!--ROTOTO-CI x -->  \nbye"
    cleaned = escape.strip_markers(body)
    assert "rototo-ci -->" not in cleaned.replace("\u2060", "X") or "<!--" not in cleaned
    assert not re.search(r"<!--\s*rototo-ci", cleaned, re.I)
    assert cleaned.split("\n") == ["hello `<!-\u2060- rototo-ci:prod -->`", "bye"]


# --- XML, SARIF -----------------------------------------------------------------------------


@given(st.text())
def test_xml_text_and_attr_parse_back(text: str) -> None:
    document = f'<a b="{escape.xml_attr(text)}">{escape.xml_text(text)}</a>'
    element = ET.fromstring(document.encode("utf-8"))
    clean = escape.xml_chars(text)
    assert element.get("b") == clean
    # XML normalises CR in character data
    assert (element.text or "") == clean.replace("\r\n", "\n").replace("\r", "\n")


def test_sarif_uri_round_trips() -> None:
    for path in ["variables/a b#c?.toml", "x/%41.toml", "v/\udcff.toml", "ü/ß.toml"]:
        uri = escape.sarif_uri(path)
        assert re.fullmatch(r"[A-Za-z0-9/%._~-]*", uri)
        assert unquote_to_bytes(uri) == path.encode("utf-8", "surrogateescape")


# --- $GITHUB_OUTPUT, NUL lists --------------------------------------------------------------


def parse_github_output(text: str) -> dict[str, str]:
    """The runner's reader: `name=value` lines and `name<<DELIM` heredocs."""
    out: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        eq, heredoc = line.find("="), line.find("<<")
        if heredoc != -1 and (eq == -1 or heredoc < eq):
            name, delimiter = line[:heredoc], line[heredoc + 2 :]
            end = lines.index(delimiter, i + 1)
            out[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
        else:
            out[line[:eq]] = line[eq + 1 :]
            i += 1
    return out


@given(st.text(alphabet=st.sampled_from(list("ab=<\n\r ghadelimiter_0")), max_size=60))
def test_github_output_entry_round_trips(value: str) -> None:
    text = escape.github_output_entry("x", value) + escape.github_output_entry("after", "1")
    parsed = parse_github_output(text)
    assert parsed == {"x": value, "after": "1"}


def test_github_output_entry_refuses_bad_names() -> None:
    for name in ("a\nb", "a=b", "", "a<<b"):
        with pytest.raises(ValueError):
            escape.github_output_entry(name, "v")


def test_nul_list() -> None:
    assert escape.nul_list(["a b", "--rev=HEAD", "x\ny"]) == "a b\0--rev=HEAD\0x\ny\0"
    with pytest.raises(ValueError):
        escape.nul_list(["a\0b"])

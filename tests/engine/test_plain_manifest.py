"""The manifest's strict TOML 1.0 re-read is skipped only when it certainly passes."""

from __future__ import annotations

import tomllib

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rototo_ci.engine.documents import plainly_toml10

# (pieces of a plain line, pieces just outside the plain shape or far from it), per slot
KEYS = (["schema_version", "a", "A-b_9", "1", "true", "name"], ["a.b", '"q"', "", "é", "a b"])
VALUES = (
    ["1", "0", "-0", "+7", "1_000", "true", "false", '""', '"x y"', '"é ✓"', '"#"', '"a=b"'],
    ["01", "1_", "1__0", "_1", "True", '"\t"', '"a\\"b"', '"\\u00e9"', '"\x7f"', '"\x01"',
     '"\udc80"', "'lit'", "[1]", "{}", "1.5", "1979-05-27", "nan", "", "x", '"a', "0x1", "+01"],
)  # fmt: skip
SPACES = (["", " ", "\t", "  "], ["\u00a0", "\x0b", "\u3000", "\x0c"])
COMMENTS = (
    ["", "#", "# note", "#\t", "# é ✓", "##"],
    ["#\x01", "#\x7f", "#\udc80", "#\x00", "#\x1f", "#\x08", "#\x0b"],
)
ENDS = (["\n"], ["\r\n", "\r", "", "\n\n"])


def _mostly(pieces: tuple[list[str], list[str]]) -> st.SearchStrategy[str]:
    """Usually a piece of a plain line; one time in ten a piece just outside (or far)."""
    valid, tricky = pieces
    return st.integers(0, 9).flatmap(lambda roll: st.sampled_from(tricky if roll == 0 else valid))


@st.composite
def lines(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(_mostly(SPACES)) + draw(_mostly(COMMENTS))
    if kind == 1:
        return draw(st.text(max_size=12))
    key, value = draw(_mostly(KEYS)), draw(_mostly(VALUES))
    spaces = [draw(_mostly(SPACES)) for _ in range(4)]
    return f"{spaces[0]}{key}{spaces[1]}={spaces[2]}{value}{spaces[3]}{draw(_mostly(COMMENTS))}"


@st.composite
def manifests(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(lines(), _mostly(ENDS)), max_size=3))
    return "".join(line + end for line, end in parts)


@settings(max_examples=300, deadline=None)
@given(manifests())
@example("schema_version = 1\n")
@example("schema_version = 1\nschema_version = 2\n")
@example('schema_version = 1  # pinned\nname = "shop"\n')
def test_a_plain_manifest_is_toml_1_0(text: str) -> None:
    if plainly_toml10(text):
        tomllib.loads(text)  # raises if the shortcut ever skipped a failing re-read


def test_every_tricky_piece_in_an_otherwise_plain_manifest() -> None:
    """Each piece, plain or not, in each slot of a line whose other slots are plain."""
    slots = [" ", "name", " ", " ", '"shop"', " ", "# note"]
    kinds = [SPACES, KEYS, SPACES, SPACES, VALUES, SPACES, COMMENTS]
    checked = 0
    for index, (valid, tricky) in enumerate(kinds):
        for piece in valid + tricky:
            parts = [*slots[:index], piece, *slots[index + 1 :]]
            line = "{}{}{}={}{}{}{}".format(*parts)
            for end in ENDS[0] + ENDS[1]:
                text = f"schema_version = 1\n{line}{end}# end\n"
                if plainly_toml10(text):
                    tomllib.loads(text)
                    checked += 1
    assert checked >= 30


def test_the_shortcut_takes_the_usual_manifests_and_leaves_the_rest() -> None:
    assert plainly_toml10("schema_version = 1\n")
    assert plainly_toml10("# workspace\n\nschema_version = 1\n")
    assert plainly_toml10('schema_version = 1\ndescription = "shop config"\n')
    for text in [
        "schema_version = 1\nschema_version = 1\n",  # a key twice
        'extends = ["../base"]\n',  # an array: the reader decides
        "schema_version = 1\r\n",
        "a = {b = 1,\n}\n",
        "[tables]\n",
        'a = "\x7f"\n',
        "a = 1 # \x01\n",
        "a = 01\n",
    ]:
        assert not plainly_toml10(text), repr(text)

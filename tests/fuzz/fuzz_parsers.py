"""atheris harness for the parsers: any exception other than the parser's own error is a bug.

python tests/fuzz/fuzz_parsers.py -max_total_time=60 [corpus_dir]
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from rototo_ci.engine.context import parse_context_input
    from rototo_ci.engine.documents import Document, parse_document
    from rototo_ci.engine.errors import RototoError
    from rototo_ci.engine.sources import clean_subdir, split_fragment
    from rototo_ci.engine.tomlspan import TomlError, parse_toml


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    choice = fdp.ConsumeIntInRange(0, 3)
    text = fdp.ConsumeUnicodeNoSurrogates(4096)
    if choice == 0:
        try:
            parse_toml(text)
        except TomlError:
            pass
    elif choice == 1:
        for kind in ("variable", "schema"):
            doc = Document(id=0, path=f"x.{kind}", kind=kind, name="x")
            parse_document(doc, text.encode("utf-8", errors="surrogatepass"))
            if doc.failure is not None:
                doc.lines.range(doc.failure.start, doc.failure.end)
    elif choice == 2:
        try:
            parse_context_input(text)
        except RototoError:
            pass
    else:
        try:
            split_fragment(text)
            clean_subdir(text)
        except RototoError:
            pass


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

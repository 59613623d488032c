"""Source strings, trees and layering."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rototo_ci.engine import SourceError, Workspace
from rototo_ci.engine.sources import clean_subdir, open_source, split_fragment
from rototo_ci.engine.tree import DirTree

from ..helpers import commit_all, flag_workspace, init_repo, write_files

ON = {"user": {"beta": True}}


def test_local_path_and_upward_search(tmp_path: Path) -> None:
    ws = flag_workspace(tmp_path / "cfg")
    nested = ws / "variables"
    assert Workspace.load(str(ws)).resolve_variable("flag", ON).value is True
    found = Workspace.load(None, cwd=nested)
    assert found.root == str(ws.resolve())


def test_upward_search_without_workspace(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no rototo-workspace.toml"):
        open_source(None, cwd=tmp_path)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("http://example.com/ws.tar.gz", "insecure"),
        ("git+http://example.com/ws.git", "insecure"),
        ("file:///tmp#main", "fragment"),
        ("ftp://example.com/ws", "unsupported"),
        ("https://example.com/ws.tar.gz#main", "SUBDIR"),
        (" padded", "padding"),
    ],
)
def test_refused_sources(source: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        open_source(source)


def test_missing_and_non_workspace_paths(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        open_source(str(tmp_path / "nope"))
    with pytest.raises(SourceError, match="not a rototo workspace"):
        open_source(str(tmp_path))


def test_fragment_grammar() -> None:
    assert split_fragment("main:cfg/prod") == ("main", "cfg/prod")
    assert split_fragment(":cfg") == (None, "cfg")
    assert split_fragment("v1") == ("v1", "")
    assert split_fragment("") == (None, "")
    with pytest.raises(SourceError, match="must not start with '-'"):
        split_fragment("--upload-pack=evil:cfg")
    with pytest.raises(SourceError, match="escapes"):
        clean_subdir("../outside")
    with pytest.raises(SourceError):
        clean_subdir("/abs")
    assert clean_subdir("a/./b/../c") == "a/c"


def test_git_file_source_at_older_commit(tmp_path: Path) -> None:
    repo_dir = tmp_path / "repo"
    init_repo(repo_dir)
    flag_workspace(repo_dir / "cfg", default="off")
    old = commit_all(repo_dir, "first")
    flag_workspace(repo_dir / "cfg", default="on")
    commit_all(repo_dir, "second")
    off = {"user": {"beta": False}}
    head = Workspace.load(f"git+file://{repo_dir}#main:cfg")
    assert head.resolve_variable("flag", off).value is True
    older = Workspace.load(f"git+file://{repo_dir}#{old}:cfg")
    assert older.resolve_variable("flag", off).value is False
    default_ref = Workspace.load(f"git+file://{repo_dir}#:cfg")
    assert default_ref.resolve_variable("flag", off).value is True


def test_git_file_errors(tmp_path: Path) -> None:
    repo_dir = tmp_path / "repo"
    init_repo(repo_dir)
    flag_workspace(repo_dir / "cfg")
    commit_all(repo_dir, "first")
    with pytest.raises(SourceError, match="cannot resolve git revision"):
        open_source(f"git+file://{repo_dir}#nope:cfg")
    with pytest.raises(SourceError, match="no directory"):
        open_source(f"git+file://{repo_dir}#main:missing")
    with pytest.raises(SourceError, match="escapes"):
        open_source(f"git+file://{repo_dir}#main:../..")
    with pytest.raises(SourceError, match="not a git repository"):
        open_source(f"git+file://{tmp_path / 'nothing'}#main")


def test_rev_reads_git_objects_not_worktree(tmp_path: Path) -> None:
    repo_dir = tmp_path / "repo"
    init_repo(repo_dir)
    ws = flag_workspace(repo_dir / "cfg", default="off")
    commit_all(repo_dir, "first")
    flag_workspace(repo_dir / "cfg", default="on")  # uncommitted edit
    off = {"user": {"beta": False}}
    assert Workspace.load(str(ws)).resolve_variable("flag", off).value is True
    assert Workspace.load(str(ws), rev="HEAD").resolve_variable("flag", off).value is False
    with pytest.raises(SourceError, match="must not start with '-'"):
        Workspace.load(str(ws), rev="--output=x")


def test_layering_child_replaces_parent_files(tmp_path: Path) -> None:
    flag_workspace(tmp_path / "base", default="off")
    write_files(
        tmp_path / "child",
        {
            "rototo-workspace.toml": 'schema_version = 1\nextends = ["../base"]\n',
            "variables/flag.toml": (
                'schema_version = 1\ntype = "bool"\n\n[values]\noff = false\non = true\n\n'
                '[resolve]\ndefault = "on"\n\n[[resolve.rule]]\nqualifier = "beta"\nvalue = "off"\n'
            ),
        },
    )
    child = Workspace.load(str(tmp_path / "child"))
    assert child.resolve_variable("flag", {"user": {"beta": False}}).value is True
    assert "qualifiers/beta.toml" in child.source.tree.files()
    # the child's manifest is the projected manifest
    assert b"extends" in child.source.tree.read("rototo-workspace.toml")


def test_layering_cycle_and_depth(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "a/rototo-workspace.toml": 'schema_version = 1\nextends = ["../b"]\n',
            "b/rototo-workspace.toml": 'schema_version = 1\nextends = ["../a"]\n',
        },
    )
    with pytest.raises(SourceError, match="cycle"):
        open_source(str(tmp_path / "a"))
    for i in range(40):
        parent = f'extends = ["../l{i + 1}"]\n' if i < 39 else ""
        write_files(tmp_path, {f"l{i}/rototo-workspace.toml": f"schema_version = 1\n{parent}"})
    with pytest.raises(SourceError, match="more than 32 layers"):
        open_source(str(tmp_path / "l0"))


def test_git_relative_extends_stays_in_repository(tmp_path: Path) -> None:
    repo_dir = tmp_path / "repo"
    init_repo(repo_dir)
    flag_workspace(repo_dir / "base")
    write_files(
        repo_dir, {"child/rototo-workspace.toml": 'schema_version = 1\nextends = ["../base"]\n'}
    )
    write_files(
        repo_dir,
        {"escape/rototo-workspace.toml": 'schema_version = 1\nextends = ["../../outside"]\n'},
    )
    commit_all(repo_dir, "layers")
    child = Workspace.load(f"git+file://{repo_dir}#main:child")
    assert child.resolve_variable("flag", ON).value is True
    # leaving the repository is a lint error on the extends entry, not a read
    escaped = Workspace.inspect(f"git+file://{repo_dir}#main:escape")
    refused = [d for d in escaped.diagnostics if d.rule == "rototo-ci/extends-refused"]
    assert len(refused) == 1 and "leaves the repository" in refused[0].message


def test_dir_tree_never_reads_outside(tmp_path: Path) -> None:
    ws = flag_workspace(tmp_path / "ws")
    secret = tmp_path / "secret.toml"
    secret.write_text("password = 1\n")
    os.symlink(secret, ws / "variables" / "leak.toml")
    os.symlink(ws / "variables" / "flag.toml", ws / "variables" / "alias.toml")
    tree = DirTree(ws)
    assert "variables/leak.toml" in tree.files()  # listed, so lint can report it
    assert "variables/alias.toml" in tree.files()
    with pytest.raises(SourceError, match="escapes"):
        tree.read("variables/leak.toml")
    with pytest.raises(SourceError, match="outside"):
        tree.read("../secret.toml")


def _tar(entries: dict[str, bytes]) -> bytes:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_archive_unpacking_stays_inside_and_finds_the_workspace() -> None:
    from rototo_ci.engine.sources import unpack_archive

    manifest = b"schema_version = 1\n"
    tree = unpack_archive(
        _tar({"pkg/cfg/rototo-workspace.toml": manifest, "pkg/cfg/variables/a.toml": b"x = 1\n"}),
        "",
        "a.tgz",
    )
    assert tree.files() == ["rototo-workspace.toml", "variables/a.toml"]
    with pytest.raises(SourceError, match="escapes"):
        unpack_archive(_tar({"../evil.toml": b"x"}), "", "b.tgz")
    with pytest.raises(SourceError, match="not a readable"):
        unpack_archive(b"garbage", "", "c.tgz")
    both = _tar({"a/rototo-workspace.toml": manifest, "b/rototo-workspace.toml": manifest})
    with pytest.raises(SourceError, match="several workspaces"):
        unpack_archive(both, "", "d.tgz")
    assert unpack_archive(both, "b", "d.tgz").files() == ["rototo-workspace.toml"]


def test_remote_clone_path(tmp_path: Path) -> None:
    """The git+https/git+ssh path clones with pygit2 into a temporary bare repository."""
    from rototo_ci.engine.sources import _clone_remote, _git_tree_at

    repo_dir = tmp_path / "repo"
    init_repo(repo_dir)
    flag_workspace(repo_dir / "cfg")
    commit_all(repo_dir, "one")
    clone = _clone_remote(f"file://{repo_dir}")
    opened = _git_tree_at(clone, "main", "cfg", "git+https://example.invalid/repo.git")
    assert "variables/flag.toml" in opened.tree.files()
    with pytest.raises(SourceError, match="cannot fetch"):
        _clone_remote(f"file://{tmp_path / 'missing'}")

"""`rototo comment --pr N --body-file FILE`: create or update the sticky PR comment."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Annotated

import typer


def command(
    pr: Annotated[int, typer.Option("--pr", metavar="N", help="Pull request number.")],
    body_file: Annotated[
        Path, typer.Option("--body-file", metavar="FILE", help="Markdown body to post.")
    ],
    repo: Annotated[
        str | None,
        typer.Option(
            "--repo", metavar="OWNER/NAME", help="OWNER/NAME (default: $GITHUB_REPOSITORY)."
        ),
    ] = None,
    marker: Annotated[
        str | None,
        typer.Option(
            "--marker", metavar="ID", help="Keep a separate sticky comment per marker id."
        ),
    ] = None,
    author: Annotated[
        str | None,
        typer.Option(
            "--author",
            metavar="LOGIN",
            help="The login that posts the comment (default: the token's user, else "
            "github-actions[bot]); only its comments are updated.",
        ),
    ] = None,
) -> int:
    """Create or update one sticky PR comment (token from $GITHUB_TOKEN)."""
    from ..github.client import DEFAULT_API, GitHubClient, GitHubError
    from .common import fail, write_step_summary

    token = os.environ.get("GITHUB_TOKEN", "")
    if not token:
        fail("GITHUB_TOKEN is not set")
    repository = repo or os.environ.get("GITHUB_REPOSITORY", "")
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        fail("give the repository as --repo OWNER/NAME or set GITHUB_REPOSITORY")
    if marker is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+", marker):
        fail("--marker takes letters, digits, '.', '_' and '-'")
    if author is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*(\[bot\])?", author):
        fail("--author takes a GitHub login (letters, digits, '-', optionally '[bot]')")
    if pr < 1:
        fail("--pr takes a pull request number")
    try:
        body = body_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read --body-file {body_file}: {getattr(exc, 'strerror', None) or exc}")
    from ..github.comment import upsert_comment

    client = GitHubClient(token, os.environ.get("GITHUB_API_URL") or DEFAULT_API)
    try:
        result = upsert_comment(client, repository, pr, body, marker, author)
    except GitHubError as error:
        if error.status == 403:
            print(
                "rototo: warning: the token cannot write PR comments (read-only token, e.g. "
                "a fork PR); the report goes to the job summary instead",
                file=sys.stderr,
            )
            from ..render.escape import strip_markers

            write_step_summary(strip_markers(body))
            return 0
        if error.status == 401:
            fail("GitHub rejected the token (401): check GITHUB_TOKEN")
        if error.status == 422:
            fail(f"GitHub refused the comment (422), e.g. the body is too large: {error}")
        raise
    print(f"{result.action} comment {result.id}" + (f": {result.url}" if result.url else ""))
    return 0

"""The sticky PR comment: one comment per PR and marker, created once, then updated.

A comment counts as ours only when it carries our marker line AND was written by
the posting identity: a marker pasted into someone else's comment is ignored, so
nobody can make rototo-ci overwrite (or hide its report in) their comment.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..render.escape import strip_markers
from .client import GitHubClient

MAX_BODY = 65_536
TRUNCATION_NOTE = (
    "\n\n> ⚠️ This comment was cut to GitHub's 65,536-character limit; the full "
    "report is in the job summary.\n"
)
ACTIONS_LOGIN = "github-actions[bot]"


def marker_for(marker_id: str | None) -> str:
    return f"<!-- rototo-ci:{marker_id} -->" if marker_id else "<!-- rototo-ci -->"


def prepare_body(body: str, marker: str) -> str:
    """Our marker as the first line, no other marker look-alike, at most MAX_BODY characters."""
    body = strip_markers(body.replace("\r\n", "\n").replace("\r", "\n"))
    body = f"{marker}\n{body}"
    if len(body) > MAX_BODY:
        body = body[: MAX_BODY - len(TRUNCATION_NOTE)] + TRUNCATION_NOTE
    return body


def carries_marker(body: str, marker: str) -> bool:
    """The marker on a line of its own (as `prepare_body` writes it)."""
    return any(line.strip() == marker for line in body.replace("\r", "\n").split("\n"))


@dataclass
class CommentResult:
    action: str  # created | updated
    id: int
    url: str | None
    author: str


def posting_login(client: GitHubClient, author: str | None) -> str:
    """`--author`, else the token's own login, else the Actions bot."""
    if author:
        return author
    return client.authenticated_login() or ACTIONS_LOGIN


def upsert_comment(
    client: GitHubClient,
    repo: str,
    pr: int,
    body: str,
    marker_id: str | None = None,
    author: str | None = None,
) -> CommentResult:
    marker = marker_for(marker_id)
    text = prepare_body(body, marker)
    login = posting_login(client, author)
    comments = client.paginate(f"/repos/{repo}/issues/{pr}/comments?per_page=100")
    mine = [
        c
        for c in comments
        if isinstance(c, dict)
        and str((c.get("user") or {}).get("login", "")).lower() == login.lower()
        and carries_marker(str(c.get("body") or ""), marker)
    ]
    if mine:
        target = mine[0]
        response = client.request(
            "PATCH", f"/repos/{repo}/issues/comments/{int(target['id'])}", {"body": text}
        )
        data = response.data if isinstance(response.data, dict) else {}
        return CommentResult("updated", int(target["id"]), data.get("html_url"), login)
    response = client.request("POST", f"/repos/{repo}/issues/{pr}/comments", {"body": text})
    data = response.data if isinstance(response.data, dict) else {}
    return CommentResult("created", int(data.get("id", 0)), data.get("html_url"), login)

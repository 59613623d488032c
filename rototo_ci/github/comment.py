"""The sticky PR comment: one comment per PR and marker, created once, then updated."""

from __future__ import annotations

from dataclasses import dataclass

from .client import GitHubClient

MAX_BODY = 65_536
TRUNCATION_NOTE = (
    "\n\n> ⚠️ This comment was cut to GitHub's 65,536-character limit; the full "
    "report is in the job summary.\n"
)


def marker_for(marker_id: str | None) -> str:
    return f"<!-- rototo-ci:{marker_id} -->" if marker_id else "<!-- rototo-ci -->"


def prepare_body(body: str, marker: str) -> str:
    if marker not in body:
        body = f"{marker}\n{body}"
    if len(body) > MAX_BODY:
        body = body[: MAX_BODY - len(TRUNCATION_NOTE)] + TRUNCATION_NOTE
    return body


@dataclass
class CommentResult:
    action: str  # created | updated
    id: int
    url: str | None


def upsert_comment(
    client: GitHubClient, repo: str, pr: int, body: str, marker_id: str | None = None
) -> CommentResult:
    marker = marker_for(marker_id)
    text = prepare_body(body, marker)
    comments = client.paginate(f"/repos/{repo}/issues/{pr}/comments?per_page=100")
    mine = [c for c in comments if marker in (c.get("body") or "")]
    if mine:
        target = mine[0]
        response = client.request(
            "PATCH", f"/repos/{repo}/issues/comments/{target['id']}", {"body": text}
        )
        return CommentResult("updated", int(target["id"]), (response.data or {}).get("html_url"))
    response = client.request("POST", f"/repos/{repo}/issues/{pr}/comments", {"body": text})
    data = response.data or {}
    return CommentResult("created", int(data.get("id", 0)), data.get("html_url"))

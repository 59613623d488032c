"""GitHub integration: the sticky PR comment, the step summary, the action's helpers."""

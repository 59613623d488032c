"""Behavioural review of a git range: semantic changes, resolution impact, lint delta."""

"""Lint: built-in rules and sandboxed custom Lua rules."""

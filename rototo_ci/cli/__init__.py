"""The `rototo` command line: one thin module per command."""

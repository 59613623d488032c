"""rototo-ci: the review toolchain for rototo workspaces."""

__version__ = "0.1.0"

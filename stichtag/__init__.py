"""Stichtag: data platform for municipal social planning. This package is the command line on top of
the layers (kernel → sources → warehouse → publication → report)."""

from kernel import __version__

__all__ = ["__version__"]

"""YAML of the project's own files (catalogue, contracts, suites, assumptions), parsed by libyaml.

PyYAML's pure-Python parser took 0.55 s of every run's start on these 68 files; libyaml's parser with the
same safe constructors and resolver gives the same Python objects (tests/test_catalogue.py compares them) in
0.06 s. PyYAML wheels ship libyaml; where it is missing, the Python parser stands in."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str | bytes) -> Any:
    """`yaml.safe_load`, parsed by libyaml."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader: the C twin of SafeLoader)

"""Disclosure control for the public zone: one linear model of everything published (model.py), primary
rules the catalogue declares (rules.py), the attack audit over that model (audit.py), and secondary
suppression chosen against the same model (protect.py)."""

from publication.disclosure.audit import Finding, ModelError, audit
from publication.disclosure.model import OWN_LEVELS, Hierarchy, release
from publication.disclosure.protect import SUPPRESSED, Protection, apply, attack, hidden_cells, protect

__all__ = ["OWN_LEVELS", "SUPPRESSED", "Finding", "Hierarchy", "ModelError", "Protection", "apply", "attack", "audit",
           "hidden_cells", "protect", "release"]

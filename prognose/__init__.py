"""Bevölkerungsvorausberechnung: cohort-component projection by Gemeinde from the registry (README)."""

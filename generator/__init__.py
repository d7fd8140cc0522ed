"""Deterministic generator of the deliveries the district's source systems really send.

Real personal data never exists in this project: everything here is synthetic, from a fixed seed.
"""

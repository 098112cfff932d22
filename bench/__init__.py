"""Benchmarks: ``make bench`` (or ``python -m bench``) prints every table."""

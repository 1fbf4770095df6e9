"""Reference data: organisations, population and standard populations.

The data files live in ``naravard/reference/data`` with their provenance in ``PROVENANCE.md``.
Everything here is pure: parsing and lookups, no database.
"""

"""Reference data: organisations (Riket, regions, municipalities, RSS), population, standard populations.

The data files live in ``naravard/reference/data`` with their provenance in ``PROVENANCE.md``.
Everything here is pure: parsing and lookups, no database.
"""

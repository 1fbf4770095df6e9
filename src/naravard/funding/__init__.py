"""Funding: agreements, allocation keys, the allocation engine, requisitions, reports, deadlines.

Pure domain code. Every public function takes and returns plain dataclasses, so a storage or web
layer can call it directly:

- :mod:`~naravard.funding.allocation`: :func:`allocate` (largest remainder, integer kronor).
- :mod:`~naravard.funding.keys`: population, municipal and CSV keys.
- :mod:`~naravard.funding.agreements`: the agreement model;
  :mod:`~naravard.funding.validation`: checks on load;
  :mod:`~naravard.funding.agreement_files`: YAML/Excel, the shipped agreements.
- :mod:`~naravard.funding.line_allocation`: allocate every line of an agreement.
- :mod:`~naravard.funding.requisitions`, :mod:`~naravard.funding.reports`,
  :mod:`~naravard.funding.deadlines`, :mod:`~naravard.funding.eligibility`: the rules.
- :mod:`~naravard.funding.display`: Swedish formatting of amounts and shares.
"""

"""Synthetic register data in the layout of the data model (``naravard synth``)."""

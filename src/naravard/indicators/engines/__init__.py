"""Engines that turn register data and plans into cells (see :mod:`naravard.indicators.plan`)."""

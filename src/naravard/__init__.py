"""Nära: the follow-up platform for the health-care reform *God och nära vård*."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("naravard")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

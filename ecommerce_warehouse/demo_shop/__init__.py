"""Synthetic demo-shop data generator (raw exports + planted truth) for the warehouse."""

from .generator import VERSION as __version__, generate

__all__ = ["generate", "__version__"]

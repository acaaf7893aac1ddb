"""Synthetic demo-shop data generator (raw exports + planted truth) for the warehouse."""

from .generator import VERSION as __version__
from .generator import generate

__all__ = ["generate", "__version__"]

"""Numba settings shared by the compiled physics."""

FASTMATH = {"contract", "arcp", "nsz", "afn", "reassoc"}
"""Fast-math flags that keep NaN and infinity semantics (no ``nnan``/``ninf``),
so that failed integrations are still detected."""

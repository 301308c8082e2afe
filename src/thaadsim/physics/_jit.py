"""Numba settings shared by the compiled physics."""

FASTMATH = {"contract", "arcp", "nsz", "afn"}
"""Fast-math flags that keep NaN and infinity semantics (no ``nnan``/``ninf``), so that
failed integrations are still detected, and that leave out ``reassoc``: with
reassociation allowed, a kernel compiled afresh and the same kernel loaded from Numba's
on-disk cache differed in the last bits (a freshly installed run against its worker
processes, 2e-14 relative), which breaks bit-for-bit reproducibility across executors;
without it they agree, at a cost of ~3% of the propagator's speed (measured)."""

"""Numba settings shared by the compiled physics."""

from numba.core.compiler import Compiler

FASTMATH = {"contract", "arcp", "nsz", "afn"}
"""Fast-math flags that keep NaN and infinity semantics (no ``nnan``/``ninf``), so that
failed integrations are still detected, and that leave out ``reassoc``: with
reassociation allowed, a kernel compiled afresh and the same kernel loaded from Numba's
on-disk cache differed in the last bits (a freshly installed run against its worker
processes, 2e-14 relative), which breaks bit-for-bit reproducibility across executors;
without it they agree, at a cost of ~3% of the propagator's speed (measured)."""


class NoAliasCompiler(Compiler):
    """Numba's compiler with ``noalias`` on the function's array arguments.

    Pass it as ``pipeline_class`` to ``numba.njit`` for a kernel whose array arguments
    are always distinct allocations (never two views of one buffer). LLVM then need not
    prove at run time that a loop's stores miss its loads, which it cannot do for a
    table lookup at a computed index ("cannot identify array bounds"), and so it
    vectorises the loop (SIMD: zmm/ymm registers, gathers). Numba sets the same flag
    for the bodies of its parallel loops; it is not otherwise an option of ``njit``.
    Passing aliased arrays to such a kernel is undefined behaviour.
    """

    def __init__(self, typingctx, targetctx, library, args, return_type, flags, locals):
        flags = flags.copy()
        flags.noalias = True
        super().__init__(typingctx, targetctx, library, args, return_type, flags, locals)

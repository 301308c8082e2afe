"""Claim 3's shares of threat-trials count every reason of a kind: 'every shot missed'
includes the misses on a coasting track (fire_control.MISSED_COASTING), inventory and
channels include those spent on decoys."""

from __future__ import annotations

import numpy as np
import pytest

from thaadsim.studies.claims.saturation import reason_shares
from thaadsim.systems import fire_control as fc


def test_every_missed_reason_counts_as_missed() -> None:
    reasons = np.array([fc.REASONS[c] for c in (
        fc.R_ALL_SHOTS_MISSED, fc.R_MISSED_ABOVE_FACE, fc.R_MISSED_BELOW_HORIZON,
        fc.R_KILLED, fc.R_INVENTORY_DECOYS, fc.R_INVENTORY, fc.R_CHANNELS_DECOYS,
        fc.R_KILLED)])
    share = reason_shares(reasons)
    assert share[fc.REASONS[fc.R_ALL_SHOTS_MISSED]] == pytest.approx(100.0 * 3 / 8)
    assert share["every shot missed: the track coasted"] == pytest.approx(100.0 * 2 / 8)
    assert share[fc.REASONS[fc.R_INVENTORY]] == pytest.approx(100.0 * 2 / 8)
    assert share[fc.REASONS[fc.R_CHANNELS]] == pytest.approx(100.0 * 1 / 8)
    assert share[fc.REASONS[fc.R_NEVER_IN_BAND]] == 0.0


def test_no_missed_reason_is_left_out() -> None:
    """Every 'every shot missed' reason of fire control is in the group."""
    from thaadsim.studies.claims.saturation import SHARE_GROUPS

    missed = {c for c, text in fc.REASONS.items() if text.startswith("every shot missed")}
    assert missed == set(SHARE_GROUPS[fc.REASONS[fc.R_ALL_SHOTS_MISSED]])

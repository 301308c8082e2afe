r"""Powered flight of a 1- to 3-stage rocket, then the ballistic flight of what it releases.

The boost follows the textbook profile of a ballistic missile (Zipfel, ch. 10;
Wright & Kadyshev, *Science & Global Security* 4 (1994) 129-160): a vertical
rise of ``vertical_rise_s`` seconds with the thrust along the local vertical,
an instantaneous pitch-over that tips the velocity by ``pitch_kick_deg`` from
the vertical toward the launch azimuth, then a gravity turn (thrust along the
Earth-relative velocity) through every stage. A manoeuvring missile
(``steer_max_deflection_deg > 0``) flies a steered ascent instead: a 1-degree
tip-over, then a pitch program, the thrust turned from the velocity by at most
that angle so that the flight-path angle follows a command falling linearly from
the vertical after the rise to ``90 - pitch_kick_deg`` at burnout. It climbs out
of the dense air before it flattens, which a kick held low enough for a flattened
(depressed) trajectory cannot. Each stage burns its propellant at a constant rate,
:math:`T = I_{sp} g_0 \dot m`; staging is instantaneous. An optional cut-off time
ends the thrust early (how a liquid missile, or a solid one with thrust termination,
flies short of its maximum range on a minimum-energy trajectory). At burnout the
payload separates and flies ballistically with ``reentry_beta_kgm2``, or, with
``glide_lift_to_drag > 0``, glides in its descent at that maximum lift-to-drag ratio.

All functions are vectorised over flights: launch points, azimuths, kicks and
cut-offs broadcast to ``n`` flights of the same rocket.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from thaadsim.physics.earth import G0_MPS2, WGS84, Earth, earth_model
from thaadsim.physics.geodesy import direction_ecef, ecef_to_geodetic, geodetic_to_ecef
from thaadsim.physics.glide import LiftLaw
from thaadsim.physics.propagate import (
    FAILED,
    IMPACT,
    Propagation,
    Steer,
    Thrust,
    propagate,
)


@dataclass(frozen=True, kw_only=True)
class Stage:
    """One rocket stage: its loaded mass (with propellant), propellant and engine."""

    loaded_mass_kg: float
    propellant_kg: float
    isp_s: float
    burn_time_s: float

    @property
    def mdot_kgps(self) -> float:
        return self.propellant_kg / self.burn_time_s

    @property
    def thrust_n(self) -> float:
        return self.isp_s * G0_MPS2 * self.mdot_kgps


@dataclass(frozen=True, kw_only=True)
class Rocket:
    """A ballistic missile or rocket as the propagator sees it."""

    stages: tuple[Stage, ...]
    payload_kg: float
    cda_m2: float
    """Drag coefficient times reference area of the body in powered flight."""
    vertical_rise_s: float
    reentry_beta_kgm2: float
    """Ballistic coefficient of what flies on after burnout (RV or spent body)."""
    glide_lift_to_drag: float = 0.0
    """Maximum lift-to-drag ratio with which what flies on after burnout glides when level
    or descending (0: purely ballistic); ``reentry_beta_kgm2`` is then its zero-lift
    ballistic coefficient (the glide model: :mod:`thaadsim.physics._kernel`)."""
    lift_law: LiftLaw | None = None
    """With ``glide_lift_to_drag > 0``: the guidance of a glide vehicle or manoeuvring
    re-entry vehicle (pull-up, glide, dive, jink; :mod:`thaadsim.physics.glide`) instead of
    the quasi-ballistic missile's maximum-L/D glide in its descent."""
    steer_max_deflection_deg: float = 0.0
    """0: the ballistic missile's kick and gravity turn. Above 0: a steered ascent (a
    manoeuvring missile's guidance): after the vertical rise the thrust is turned from the
    velocity by up to this angle to follow a pitch program: a commanded flight-path angle
    falling linearly from 90 degrees at the end of the rise to ``90 - pitch_kick_deg`` at
    burnout (module docstring)."""

    @property
    def launch_mass_kg(self) -> float:
        return sum(s.loaded_mass_kg for s in self.stages) + self.payload_kg

    @property
    def burn_time_s(self) -> float:
        return sum(s.burn_time_s for s in self.stages)

    def ideal_delta_v_mps(self) -> float:
        """Tsiolkovsky's ideal velocity gain, no gravity or drag losses."""
        dv = 0.0
        above = self.launch_mass_kg
        for stage in self.stages:
            dv += stage.isp_s * G0_MPS2 * np.log(above / (above - stage.propellant_kg))
            above -= stage.loaded_mass_kg
        return float(dv)


@dataclass(frozen=True, kw_only=True)
class RocketFlight:
    """Boost and ballistic flight of ``n`` rockets (times from launch)."""

    launch_ecef_m: NDArray[np.float64]
    burnout_t_s: NDArray[np.float64]
    burnout_state: NDArray[np.float64]
    boost_failed: NDArray[np.bool_]
    """The flight hit the ground or failed during powered flight."""
    coast: Propagation
    up_s: NDArray[np.float64]
    """First upward crossing of each level over the whole flight, (n, k)."""
    down_s: NDArray[np.float64]
    track_t_s: NDArray[np.float64]
    """Recorded times over the whole flight, NaN-padded, (n, m)."""
    track_state: NDArray[np.float64]

    @property
    def impacted(self) -> NDArray[np.bool_]:
        return ~self.boost_failed & (self.coast.status == IMPACT)

    @property
    def impact_state(self) -> NDArray[np.float64]:
        return self.coast.state

    @property
    def impact_t_s(self) -> NDArray[np.float64]:
        return self.coast.t_s


RECORD_STEPS = 400
"""Steps a recorded segment keeps (at most ``max_step_s`` apart); a coast that fills them is
flown again with room for all of it."""

STEER_TIP_DEG = 1.0
"""A steered ascent's tip-over after the vertical rise: just enough to set the plane in
which the guidance then pitches the missile over."""


def _tip_over(state: NDArray[np.float64], azimuth_deg: NDArray[np.float64],
              kick_deg: NDArray[np.float64], earth: Earth) -> NDArray[np.float64]:
    """Turn each velocity to ``kick_deg`` from the local vertical toward ``azimuth_deg``."""
    lat, lon, _ = ecef_to_geodetic(state[:, :3], earth)
    direction = direction_ecef(lat, lon, azimuth_deg, 90.0 - np.asarray(kick_deg))
    speed = np.linalg.norm(state[:, 3:], axis=1, keepdims=True)
    return np.concatenate([state[:, :3], speed * direction], axis=1)


def _merge(first: NDArray[np.float64], then: NDArray[np.float64], keep_first: bool
           ) -> NDArray[np.float64]:
    """Combine crossing times of two consecutive segments (first-up or last-down)."""
    if keep_first:
        return np.where(np.isnan(first), then, first)
    return np.where(np.isnan(then), first, then)


def fly_rocket(
    rocket: Rocket,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    alt_m: ArrayLike,
    azimuth_deg: ArrayLike,
    pitch_kick_deg: ArrayLike,
    cutoff_s: ArrayLike | None = None,
    *,
    earth: Earth | str = WGS84,
    rotating: bool = True,
    drag: bool = True,
    levels_alt_m: ArrayLike = (),
    rtol: float = 1e-8,
    atol: float = 1e-6,
    record: bool = False,
    max_step_s: float = 2.0,
) -> RocketFlight:
    """Fly rockets from launch through every stage to burnout, then to impact.

    Parameters
    ----------
    rocket
        The rocket (same for all flights).
    lat_deg, lon_deg, alt_m
        Launch points (geodetic).
    azimuth_deg
        Launch azimuth, clockwise from north.
    pitch_kick_deg
        Angle from the vertical to which the velocity is tipped after the rise;
        small kicks loft, large ones depress the trajectory.
    cutoff_s
        Thrust cut-off time after launch (default: burn all stages).
    record
        Keep the states at each step (no longer than ``max_step_s``) for plots.
    """
    earth = earth_model(earth)
    lat, lon, alt, az, kick = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=np.float64))
          for v in (lat_deg, lon_deg, alt_m, azimuth_deg, pitch_kick_deg))
    )
    n = lat.shape[0]
    cutoff = np.broadcast_to(
        np.asarray(rocket.burn_time_s if cutoff_s is None else cutoff_s, dtype=np.float64), (n,)
    )
    cutoff = np.clip(cutoff, 0.0, rocket.burn_time_s)
    levels = np.atleast_1d(np.asarray(levels_alt_m, dtype=np.float64))
    launch = geodetic_to_ecef(lat, lon, alt, earth)
    state = np.concatenate([launch, np.zeros((n, 3))], axis=1)
    common = dict(earth=earth, rotating=rotating, drag=drag, levels_alt_m=levels, rtol=rtol,
                  atol=atol, record=RECORD_STEPS if record else 0,
                  max_step_s=max_step_s if record else np.inf)
    up = np.full((n, levels.size), np.nan)
    down = np.full((n, levels.size), np.nan)
    failed = np.zeros(n, dtype=bool)
    tracks_t: list[NDArray[np.float64]] = []
    tracks_y: list[NDArray[np.float64]] = []

    def burn(t_start: float, t_stop: float, mass0: ArrayLike, stage: Stage, steer: Steer
             ) -> None:
        nonlocal state, up, down, failed
        t0 = np.minimum(t_start, cutoff)
        t1 = np.minimum(t_stop, cutoff)
        thrust = Thrust(thrust_n=stage.thrust_n, mdot_kgps=stage.mdot_kgps, mass0_kg=mass0,
                        cda_m2=rocket.cda_m2, steer=steer, target_gamma_deg=90.0 - kick,
                        max_deflection_deg=rocket.steer_max_deflection_deg,
                        program_s=max(rocket.burn_time_s - rocket.vertical_rise_s, 1.0),
                        program_start_s=min(rocket.vertical_rise_s, rocket.burn_time_s))
        seg = propagate(state, t0_s=t0, t_end_s=t1, thrust=thrust, **common)  # type: ignore[arg-type]
        state = seg.state
        up = _merge(up, seg.up_s, keep_first=True)
        down = _merge(down, seg.down_s, keep_first=False)
        failed |= (seg.status == IMPACT) | (seg.status == FAILED) | ~np.isfinite(state).all(1)
        if record:
            tracks_t.append(seg.track_t_s)
            tracks_y.append(seg.track_state)

    t_stage = 0.0
    mass_above = rocket.launch_mass_kg
    steered = rocket.steer_max_deflection_deg > 0.0
    for i, stage in enumerate(rocket.stages):
        t_end_stage = t_stage + stage.burn_time_s
        if i == 0:
            t_rise = min(rocket.vertical_rise_s, stage.burn_time_s)
            burn(0.0, t_rise, mass_above, stage, "up")
            state = _tip_over(state, az, np.minimum(kick, STEER_TIP_DEG) if steered else kick,
                              earth)
            burn(t_rise, t_end_stage, mass_above - stage.mdot_kgps * np.minimum(t_rise, cutoff),
                 stage, "gamma" if steered else "velocity")
        else:
            burn(t_stage, t_end_stage, mass_above, stage, "gamma" if steered else "velocity")
        mass_above -= stage.loaded_mass_kg
        t_stage = t_end_stage
    # a rocket too weak to climb, or flown into the ground, has failed in powered flight
    failed |= ecef_to_geodetic(np.where(np.isfinite(state[:, :3]), state[:, :3], 0.0),
                               earth)[2] < np.minimum(alt, 0.0) - 1.0
    safe = np.where(failed[:, None], np.array([2 * earth.a_m, 0, 0, 0, 0, 0]), state)
    coast = propagate(safe, t0_s=cutoff, beta_kgm2=rocket.reentry_beta_kgm2,
                      lift_to_drag=rocket.glide_lift_to_drag, lift_law=rocket.lift_law,
                      **common)  # type: ignore[arg-type]
    if record and int(np.max(coast.track_len, initial=0)) >= RECORD_STEPS:
        # a long coast (an ICBM's ~30 minutes, steps of at most max_step_s) fills the record
        # before the impact: fly it again with room for all of it, or the recorded flight
        # (what a radar's looks are drawn on) would end in mid-air
        room = int(np.ceil(np.nanmax(coast.t_s - cutoff) / max_step_s)) + RECORD_STEPS
        longer = dict(common, record=room)
        coast = propagate(safe, t0_s=cutoff, beta_kgm2=rocket.reentry_beta_kgm2,
                          lift_to_drag=rocket.glide_lift_to_drag, lift_law=rocket.lift_law,
                          **longer)  # type: ignore[arg-type]
    if record:
        tracks_t.append(coast.track_t_s)
        tracks_y.append(coast.track_state)
        track_t = np.concatenate(tracks_t, axis=1)
        track_y = np.concatenate(tracks_y, axis=1)
    else:
        track_t = np.empty((n, 0))
        track_y = np.empty((n, 0, 6))
    return RocketFlight(
        launch_ecef_m=launch,
        burnout_t_s=cutoff.copy(),
        burnout_state=np.where(failed[:, None], np.nan, state),
        boost_failed=failed | (coast.status == FAILED),
        coast=coast,
        up_s=_merge(up, coast.up_s, keep_first=True),
        down_s=_merge(down, coast.down_s, keep_first=False),
        track_t_s=track_t,
        track_state=track_y,
    )

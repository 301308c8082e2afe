# %% [markdown]
# # A custom layered defense with two sensors
#
# The Seongju THAAD battery with its own AN/TPY-2 in terminal mode (facing North Korea), a
# PAC-3 MSE battery beside it, and a forward-based AN/TPY-2 at Kyogamisaki (Japan) joined to
# them by the network, against two Nodongs fired from Sinpo and two Pukguksong-2s fired from
# a submarine in the East Sea, south-east of Seongju: behind its radar's face, so only the
# forward-based radar can track them. A notebook in jupytext's percent format (`jupytext
# --to notebook custom_defense.py`); the test suite runs it as a script: `python
# examples/custom_defense.py [OUTPUT_FOLDER]` also writes the report there.

# %%
import dataclasses
import sys
import tempfile
from pathlib import Path

import thaadsim as ts

# %% The defense: two batteries, two sensors, one defended asset
seongju, sinpo = ts.get_site("seongju"), ts.get_site("sinpo")
thaad = ts.get_battery("seongju")
pac3 = dataclasses.replace(ts.get_battery("osan-pac3"), site=seongju, slug="pac-3-seongju")
sensors = (
    ts.Sensor(name="seongju", radar=ts.get_radar("terminal"), battery=thaad.slug,
              emplacement=seongju.emplacement(boresight_deg=330.0)),
    ts.Sensor(name="kyogamisaki", radar=ts.get_radar("forward-based"),
              emplacement=ts.get_site("kyogamisaki").emplacement(boresight_deg=300.0)),
)
asset = ts.DefendedAsset(name="Seongju", lat_deg=seongju.lat_deg, lon_deg=seongju.lon_deg,
                         radius_m=20e3)
defense = ts.Defense(batteries=(thaad, pac3), sensors=sensors, assets=(asset,))

# %% The raid and the engagement
east_sea = (35.6, 131.2)  # lat_deg, lon_deg: a submarine 270 km east-south-east of Seongju
raid = (ts.raid(ts.get_missile("nodong"), 2, sinpo, seongju, interval_s=10.0)
        + ts.raid(ts.get_missile("pukguksong-2"), 2, east_sea, seongju, interval_s=10.0))
result = ts.engage(raid, defense, trials=40, seed=1)
low, high = result.p_no_leak_ci95
print(f"P(no leak) {result.p_no_leak:.2f} (95% {low:.2f}-{high:.2f}), "
      f"{result.interceptors_used:.1f} interceptors per trial")

# %% Which sensor held a firm track when, per threat (medians over the trials; NaN: never)
table = result.to_frame()
firm = [c for c in table if c.endswith("firm_track_s")]
print(table.groupby(["threat", "missile"])[firm].median().round(1).to_string())
print(table.groupby("missile")["outcome"].value_counts().unstack(fill_value=0).to_string())

# %% The report (report.html, results/, CZML, KML)
if __name__ == "__main__":
    if len(sys.argv) > 1:
        result.write_report(Path(sys.argv[1]), force=True)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result.write_report(Path(tmp) / "custom-defense-report")

"""The bridge's own environment: end-to-end encryption with vodozemac, never
libolm."""

import json

from harness.processes import ROOT

# ------------------------------------------------------------------ dependencies


def test_the_bridge_pins_nio_with_vodozemac_and_no_lock_file_has_libolm():
    bridge = (ROOT / "matrix_bridge" / "requirements.txt").read_text().lower()
    assert "matrix-nio[e2e]==0.26." in bridge and "\nvodozemac==" in bridge
    locks = sorted({*ROOT.glob("requirements*"), *ROOT.glob("*/*requirements*.txt")})
    assert ROOT / "matrix_bridge" / "requirements.txt" in locks
    for lock in locks:
        pins = [
            line.split("==")[0].split("[")[0].strip()
            for line in lock.read_text().lower().splitlines()
            if line.strip() and not line.startswith("#")
        ]
        assert not {"python-olm", "olm", "libolm"} & set(pins), lock
        assert not any("[olm]" in line or "[encryption]" in line for line in lock.read_text().lower().splitlines())
    # The web widget's npm lock: no olm (libolm's JavaScript build) either.
    npm = json.loads((ROOT / "web" / "package-lock.json").read_text())
    names = {path.rsplit("node_modules/", 1)[-1] for path in npm.get("packages", {})}
    assert not {"olm", "@matrix-org/olm"} & names

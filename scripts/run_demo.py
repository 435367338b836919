"""`make demo`: run cloudscore:compositefolder through qgis_process on the bundled demo scenes.

qgis_process runs through scripts/qgis_process.sh (offscreen, a throwaway profile, the plugin linked and enabled),
the wrapper the README's examples use.

Prints the scenes kept, the clear fraction and the output path, and the wall time.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = dict(START_DATE="2015-07-01", END_DATE="2015-10-01", QA_BAND="clear", THRESHOLD="0.60")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--qgis-process", default=str(ROOT / "scripts" / "qgis_process.sh"))
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "demo" / "composite.tif")
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    parameters = dict(INPUT=str(ROOT / "resources" / "demo"), **DEMO, OUTPUT=str(args.output.resolve()))
    command = [args.qgis_process, "--json", "run", "cloudscore:compositefolder", "--"]
    command += [f"{key}={value}" for key, value in parameters.items()]
    print("$ " + " ".join(command), flush=True)
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if run.returncode != 0:
        sys.stderr.write(run.stdout + run.stderr)
        print(f"qgis_process failed (exit {run.returncode})", file=sys.stderr)
        return 1
    results = json.loads(run.stdout[run.stdout.index("{") :])["results"]
    print(f"Scenes kept:    {results['SCENE_COUNT']:.0f} ({results['SCENES'].replace(',', ', ')})")
    print(f"QA band:        {DEMO['QA_BAND']} (s2cloudless clear probability), threshold {DEMO['THRESHOLD']}")
    print(f"Clear fraction: {results['CLEAR_FRACTION']:.1%} of the scored pixels")
    print(f"Output:         {results['OUTPUT']}")
    print(f"Time:           {elapsed:.1f} s (qgis_process start-up included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make package`: zip the plugin for QGIS's *Install from ZIP* (no tests, scripts or build files inside).

Takes the files git tracks or would track (not ignored) under the plugin's own paths, from the work tree.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "cloudscore_composite"
INCLUDE = ["metadata.txt", "__init__.py", "LICENSE", "README.md", "plugin", "ui", "resources"]


def main() -> int:
    target = ROOT / "build" / f"{PLUGIN}.zip"
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *INCLUDE],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
    files = sorted(name for name in set(listed) if name and (ROOT / name).is_file())
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in files:
            archive.write(ROOT / name, f"{PLUGIN}/{name}")
    partial.replace(target)
    print(f"Wrote {target.relative_to(ROOT)} ({len(files)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

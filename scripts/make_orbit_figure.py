"""The README's figure of ORBITS: one synthetic two-orbit area composited all together, per orbit with the
Pan-European weights and per orbit with the swath-edge weights, side by side, and the profile across the overlap.

    /usr/bin/python3 scripts/make_orbit_figure.py            # -> resources/figures/orbits.png

The area is ``synthetic_orbits.write_two_orbit_stack``'s (400 x 120 km at 1 km, orbits 22 and 122 with 290 km swaths
overlapping over 90 km, orbit 122 400 DN brighter, cloud blobs, every pass as overlapping tiles), composited by the
plugin's own pipeline (median). Written with numpy and rasterio's PNG driver only (no plotting library needed), its
labels drawn with a small built-in 5 x 7 pixel font.
"""

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "build" / "plugins"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _link_plugin() -> None:
    """Make the checkout importable as ``cloudscore_composite`` (as the tests and ``make`` do)."""
    link = PLUGINS / "cloudscore_composite"
    if not link.exists():
        PLUGINS.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ROOT, target_is_directory=True)
    sys.path.insert(0, str(PLUGINS))


_link_plugin()

import rasterio  # noqa: E402

from cloudscore_composite.plugin.core.folder_source import FolderSource  # noqa: E402
from cloudscore_composite.plugin.core.pipeline import CompositeRequest, run_composite  # noqa: E402
from synthetic_orbits import QA_BAND, TILT, write_two_orbit_stack  # noqa: E402

SCALE = 2
"""Screen pixels per composite pixel."""
STRETCH = 2000.0
"""DN shown as full brightness (the ground is 400..1600 DN)."""
PANELS = (
    ("together", {}, "ORBITS=0: ALL SCENES TOGETHER", (200, 40, 40)),
    (
        "centre",
        dict(orbits="blended", seam_weights="centre-line"),
        "ORBITS=1, SEAM_WEIGHTS=1: 1/D^2 TO THE CENTRE LINE (PAN-EUROPEAN)",
        (230, 140, 0),
    ),
    ("edge", dict(orbits="blended"), "ORBITS=1: E^2 TO THE SWATH EDGE (DEFAULT)", (0, 140, 60)),
)

_GLYPHS = {
    "A": ".###.#...##...#######...##...##...#",
    "B": "####.#...##...#####.#...##...#####.",
    "C": ".###.#...##....#....#....#...#.###.",
    "D": "####.#...##...##...##...##...#####.",
    "E": "######....#....####.#....#....#####",
    "F": "######....#....####.#....#....#....",
    "G": ".###.#...##....#.####...##...#.####",
    "H": "#...##...##...#######...##...##...#",
    "I": ".###...#....#....#....#....#...###.",
    "J": "..###...#....#....#....#.#..#..##..",
    "K": "#...##..#.#.#..##...#.#..#..#.#...#",
    "L": "#....#....#....#....#....#....#####",
    "M": "#...###.###.#.##.#.##...##...##...#",
    "N": "#...##...###..##.#.##..###...##...#",
    "O": ".###.#...##...##...##...##...#.###.",
    "P": "####.#...##...#####.#....#....#....",
    "Q": ".###.#...##...##...##.#.##..#..##.#",
    "R": "####.#...##...#####.#.#..#..#.#...#",
    "S": ".#####....#.....###.....#....#####.",
    "T": "#####..#....#....#....#....#....#..",
    "U": "#...##...##...##...##...##...#.###.",
    "V": "#...##...##...##...##...#.#.#...#..",
    "W": "#...##...##...##.#.##.#.##.#.#.#.#.",
    "X": "#...##...#.#.#...#...#.#.#...##...#",
    "Y": "#...##...#.#.#...#....#....#....#..",
    "Z": "#####....#...#...#...#...#....#####",
    "0": ".###.#...##..###.#.###..##...#.###.",
    "1": "..#...##....#....#....#....#...###.",
    "2": ".###.#...#....#...#...#...#...#####",
    "3": "#####...#...#.....#.....##...#.###.",
    "4": "...#...##..#.#.#..#.#####...#....#.",
    "5": "######....####.....#....##...#.###.",
    "6": "..##..#...#....####.#...##...#.###.",
    "7": "#####....#...#...#...#....#....#...",
    "8": ".###.#...##...#.###.#...##...#.###.",
    "9": ".###.#...##...#.####....#...#..##..",
    " ": "." * 35,
    "=": "..........#####.....#####..........",
    ":": "......##...##........##...##.......",
    ",": "....................##....#...#....",
    "(": "...#...#...#....#....#.....#.....#.",
    ")": ".#.....#.....#....#....#...#...#...",
    "-": "...............#####...............",
    "/": ".........#...#...#...#...#.........",
    "^": "..#...#.#.#...#....................",
    "_": "..............................#####",
    ".": ".........................##...##...",
}


def text_mask(text: str, scale: int = 2) -> np.ndarray:
    """bool (7 * scale, 6 * scale * len(text)): ``text`` (upper case) in the 5 x 7 font, one blank column between
    letters."""
    columns = []
    for char in text.upper():
        glyph = np.array([c == "#" for c in _GLYPHS.get(char, _GLYPHS[" "])]).reshape(7, 5)
        columns.append(np.pad(glyph, ((0, 0), (0, 1))))
    mask = np.concatenate(columns, axis=1) if columns else np.zeros((7, 0), dtype=bool)
    return mask.repeat(scale, axis=0).repeat(scale, axis=1)


def label(width: int, text: str, colour=(0, 0, 0), height: int = 24) -> np.ndarray:
    """uint8 (3, height, width): ``text`` on white, left-aligned."""
    strip = np.full((3, height, width), 255, dtype=np.uint8)
    mask = text_mask(text)[:, : width - 8]
    top = (height - mask.shape[0]) // 2
    for band in range(3):
        strip[band, top : top + mask.shape[0], 6 : 6 + mask.shape[1]][mask] = colour[band]
    return strip


def composites(folder: Path, stack):
    """{name: float64 (bands + count, rows, cols)} of each panel's run over the stack."""
    source = FolderSource(stack.folder)
    results = {}
    for name, changes, _, _ in PANELS:
        output = folder / f"{name}.tif"
        run_composite(CompositeRequest(stack.start, stack.end, QA_BAND, output, **changes), source)
        with rasterio.open(output) as out:
            results[name] = out.read().astype(np.float64)
    return results


def rgb(composite: np.ndarray) -> np.ndarray:
    """uint8 (3, rows * SCALE, cols * SCALE): B4/B3/B2 stretched 0..``STRETCH``, nodata white."""
    image = np.clip(composite[[2, 1, 0]] / STRETCH * 255.0, 0, 255).astype(np.uint8)
    image[:, composite[-1] == 0] = 255
    return image.repeat(SCALE, axis=1).repeat(SCALE, axis=2)


def profile(composite: np.ndarray, truth: np.ndarray, pixel: float) -> np.ndarray:
    """float64 (cols,): the composite's B4 less the ground, averaged along the orbits' tilted direction (each row
    shifted back by the tracks' drift), NaN where no row has data."""
    residual = np.where(composite[-1] > 0, composite[2] - truth[2], np.nan)
    rows, cols = residual.shape
    straight = np.full((rows, cols), np.nan)
    for row in range(rows):
        shift = int(round(TILT * (row + 0.5)))
        straight[row, : cols - shift] = residual[row, shift:]
    with np.errstate(all="ignore"):
        counted = np.isfinite(straight).sum(axis=0)
        return np.where(counted > rows // 2, np.nansum(straight, axis=0) / np.maximum(counted, 1), np.nan)


def plot(curves, width: int, height: int, low: float, high: float, references=()) -> np.ndarray:
    """uint8 (3, height, width): each (values per column, colour) as a line over ``low..high``, with dotted grey
    lines at the ``references`` values."""
    image = np.full((3, height, width), 255, dtype=np.uint8)

    def y_of(value):
        return (height - 1 - (value - low) / (high - low) * (height - 1)).round().astype(int)

    for level in references:
        image[:, int(y_of(np.array(level))), ::4] = 170
    for values, colour in curves:
        x = np.arange(len(values)) * SCALE
        finite = np.isfinite(values)
        ys = y_of(np.where(finite, values, low))
        for i in range(len(values) - 1):
            if not (finite[i] and finite[i + 1]):
                continue
            top, bottom = sorted((ys[i], ys[i + 1]))
            for dy in (0, 1):  # two pixels thick
                image[:, max(top - dy, 0) : bottom + 1, x[i] : x[i] + SCALE] = np.array(colour, np.uint8)[:, None, None]
    return image


def figure(output: Path, pixel: float = 1000.0) -> Path:
    """Write the figure to ``output`` (PNG) and return it."""
    with tempfile.TemporaryDirectory() as work:
        stack = write_two_orbit_stack(Path(work) / "scenes", pixel=pixel)
        results = composites(Path(work), stack)
    width = stack.shape[1] * SCALE
    parts = []
    for name, _, title, colour in PANELS:
        parts += [label(width, title, colour), rgb(results[name]), np.full((3, 6, width), 255, np.uint8)]
    curves = [(profile(results[name], stack.truth, pixel), colour) for name, _, _, colour in PANELS]
    parts += [
        label(width, f"B4 LESS THE GROUND (0 .. {stack.offset:.0f} DN), ACROSS THE ORBITS, WEST TO EAST"),
        plot(curves, width, 150, -0.15 * stack.offset, 1.15 * stack.offset, (0.0, stack.offset)),
    ]
    image = np.concatenate(parts, axis=1)
    output.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(
        output, "w", driver="PNG", width=image.shape[2], height=image.shape[1], count=3, dtype="uint8"
    ) as dst:
        dst.write(image)
    aux = output.with_name(output.name + ".aux.xml")  # GDAL's side file of a PNG without a CRS
    if aux.exists():
        aux.unlink()
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=ROOT / "resources" / "figures" / "orbits.png")
    written = figure(parser.parse_args().output)
    print(f"{written} ({written.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()

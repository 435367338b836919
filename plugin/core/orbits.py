"""Relative orbits: one acquisition delivered as several tiles counts once, and per-orbit composites are blended
without seams.

Why (the Pan-European seasonal cloudless mosaic, OpenGeoHub 2021, see ``DESIGN.md``): scenes of one relative
orbit are taken one after another and agree with each other, but neighbouring orbits see the ground under other
illumination and view angles, so a per-pixel statistic over all scenes of a large area shows stripes along the
orbits. That mosaic composites each relative orbit on its own, stitches the tiles of one orbit by the mean of
their overlapping pixels and blends neighbouring orbits by weights that fall with the distance to each orbit's
centre line (``1 / d**p``).

What this module adds:

- **Acquisitions** (``group_acquisitions``): the same acquisition delivered as two overlapping MGRS tiles (about
  10 km of overlap) is one observation, the mean of its tiles' clear values, in every mode and method.
- **Per-orbit blending** (``SwathWeights``, ``LayoutCompositor``): each orbit's composite weighs ``e**p`` where
  ``e`` is the distance (metres) from the pixel to that orbit's own swath edge, so an orbit's weight falls to
  zero where its data ends and the blend is continuous by construction. The Pan-European rule (``1 / d**p``, ``d``
  the distance to the swath centre line) is offered too; it is not continuous: at one orbit's swath edge that
  orbit still weighs about 10% (p = 2, Sentinel-2's 290 km swath, orbits about 200 km apart), so a step remains.

Limits of the swath-edge rule, as documented in the README: the edges are located on a coarse grid (at most
``MAX_WEIGHT_CELLS`` cells a side over the scenes' full extent), so an orbit keeps a weight of order
``(cell / 2)**p`` against its neighbour's at its last pixels (negligible against the ``(overlap width)**p`` of the
other orbit); where one orbit alone has clear observations (a cloud in the other) its composite is used as it is,
so a cloud hole in one orbit inside the overlap still shows that orbit's offset; an orbit edge is where its data
ends inside the run's scenes: a sub-area composite equals a crop of the full one when both find the same scenes.
"""

import logging
import math
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from affine import Affine
from rasterio.enums import Resampling
from rasterio.features import geometry_mask
from rasterio.warp import reproject
from rasterio.windows import Window

from .compositing import composite, statistic_names
from .engines import THIS_COMPUTER
from .errors import Cancelled, InputError
from .footprints import scene_footprint
from .grid import Grid
from .masking import clear_mask
from .scene import Scene

log = logging.getLogger(__name__)

TOGETHER, BLENDED = "together", "blended"
ORBIT_MODES = (TOGETHER, BLENDED)
"""``ORBITS``: 0 all scenes together (one composite, the default), 1 per relative orbit, blended at the seams."""
ORBIT_LABELS = {TOGETHER: "All scenes together", BLENDED: "Per orbit, blended at the seams"}

SWATH_EDGE, CENTRE_LINE = "swath-edge", "centre-line"
SEAM_RULES = (SWATH_EDGE, CENTRE_LINE)
"""``SEAM_WEIGHTS``: 0 ``e**p``, e the distance to the orbit's swath edge (default); 1 ``1 / d**p``, d the distance
to the orbit's swath centre line (the Pan-European mosaic's rule)."""
SEAM_LABELS = {
    SWATH_EDGE: "Distance to the swath edge",
    CENTRE_LINE: "Inverse distance to the swath centre line (Pan-European mosaic)",
}

DEFAULT_SEAM_POWER = 2.0
"""``p`` of the seam weights (the Pan-European mosaic's inverse-distance power)."""
SEAM_POWER_RANGE = (0.1, 10.0)
"""Accepted ``SEAM_POWER``, both ends included."""

SAME_ACQUISITION_S = 60.0
"""Scenes of one orbit without a ``system:index`` whose acquisition times are this close (seconds) are one
acquisition: the granules of one datatake are seconds apart, passes of one orbit days apart."""

SWATH_WIDTH_M = 290_000.0
"""Sentinel-2 MSI's swath width in metres (ESA, Sentinel-2 User Handbook): the centre line lies half of it from a
swath edge."""

MAX_WEIGHT_CELLS = 512
"""Most cells a side of the coarse grid the swath edges are found on (once per run, not per block)."""

UNKNOWN_ORBIT = "unknown"
"""How a scene without ``SENSING_ORBIT_NUMBER`` is labelled: such scenes form one orbit."""

_TINY_WEIGHT = 1e-300
"""Weight of an orbit with clear observations at its own edge (weight 0): only decides when every orbit there has
weight 0, which then share equally."""


def orbit_label(orbit: Optional[int]) -> str:
    """``"22"`` for relative orbit 22, ``"unknown"`` for None."""
    return UNKNOWN_ORBIT if orbit is None else str(orbit)


def check_orbit_options(orbits: str, seam_weights: str, seam_power: float, engine: Optional[str] = None) -> None:
    """Check the orbit options of a request.

    Args:
        orbits: one of ``ORBIT_MODES``.
        seam_weights: one of ``SEAM_RULES``.
        seam_power: ``p``, in ``SEAM_POWER_RANGE``.
        engine: where the composite is computed (``engines.ENGINES``), None when not known yet.

    Raises:
        InputError: ``ORBITS`` for an unknown mode, or ``blended`` with another engine than this computer (Earth
            Engine's servers composite every scene together); ``SEAM_WEIGHTS`` for an unknown rule;
            ``SEAM_POWER`` outside ``SEAM_POWER_RANGE``.
    """
    if orbits not in ORBIT_MODES:
        raise InputError("ORBITS", f"{orbits!r} is not one of 0 {TOGETHER}, 1 {BLENDED}")
    if seam_weights not in SEAM_RULES:
        raise InputError("SEAM_WEIGHTS", f"{seam_weights!r} is not one of 0 {SWATH_EDGE}, 1 {CENTRE_LINE}")
    low, high = SEAM_POWER_RANGE
    if not isinstance(seam_power, (int, float)) or not math.isfinite(seam_power) or not low <= seam_power <= high:
        raise InputError("SEAM_POWER", f"seam power {seam_power!r} is outside the accepted range {low:g}..{high:g}")
    if orbits == BLENDED and engine is not None and engine != THIS_COMPUTER:
        raise InputError(
            "ORBITS",
            "per-orbit composites blended at the seams (ORBITS 1) are computed on this "
            "computer only: choose ENGINE 1 (this computer), or ORBITS 0 (all scenes "
            "together) to compute on Earth Engine",
        )


def orbit_tags(orbits: str, seam_weights: str, seam_power: float, scenes: Sequence[Scene]) -> Dict[str, str]:
    """Provenance tags: ``CLOUDSCORE_ORBITS`` (``together`` or ``blended``), ``CLOUDSCORE_RELATIVE_ORBITS`` (the
    scenes' orbits, e.g. ``22,122,unknown``) and, when blended, ``CLOUDSCORE_SEAM_WEIGHTS`` and
    ``CLOUDSCORE_SEAM_POWER``."""
    known = sorted({s.orbit for s in scenes if s.orbit is not None})
    labels = [str(o) for o in known] + ([UNKNOWN_ORBIT] if any(s.orbit is None for s in scenes) else [])
    tags = {"CLOUDSCORE_ORBITS": orbits, "CLOUDSCORE_RELATIVE_ORBITS": ",".join(labels)}
    if orbits == BLENDED:
        tags.update(CLOUDSCORE_SEAM_WEIGHTS=seam_weights, CLOUDSCORE_SEAM_POWER=f"{seam_power:g}")
    return tags


# ---- acquisitions ---------------------------------------------------------------------------------------------


def group_acquisitions(scenes: Sequence[Scene], same_within_s: float = SAME_ACQUISITION_S) -> List[List[int]]:
    """Indexes of ``scenes`` grouped by acquisition, groups in order of their first scene's time.

    Two scenes are one acquisition when they have the same relative orbit (None counts as one orbit, "unknown")
    and the same datatake (``Scene.datatake``, the first part of the ``system:index``); a scene without a
    ``system:index`` joins the scenes of its orbit acquired within ``same_within_s`` seconds of it (the granules
    of one datatake carry different acquisition times, seconds apart, north to south).

    Args:
        scenes: the scenes (any order).
        same_within_s: seconds, for scenes without a ``system:index``.

    Returns:
        lists of indexes into ``scenes``, each in time order; every index in exactly one list.
    """
    parent = list(range(len(scenes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    first: Dict[Tuple[Optional[int], str], int] = {}
    for i, scene in enumerate(scenes):
        if scene.datatake is not None:
            join(i, first.setdefault((scene.orbit, scene.datatake), i))
    by_orbit: Dict[Optional[int], List[int]] = {}
    for i, scene in enumerate(scenes):
        by_orbit.setdefault(scene.orbit, []).append(i)
    for members in by_orbit.values():
        members.sort(key=lambda i: scenes[i].time)
        for position, i in enumerate(members):
            if scenes[i].datatake is not None:
                continue
            for j in members[position + 1 :]:  # later scenes of the orbit within the time span
                if (scenes[j].time - scenes[i].time).total_seconds() > same_within_s:
                    break
                join(i, j)
            for j in reversed(members[:position]):
                if (scenes[i].time - scenes[j].time).total_seconds() > same_within_s:
                    break
                join(i, j)
    groups: Dict[int, List[int]] = {}
    for i in range(len(scenes)):
        groups.setdefault(root(i), []).append(i)
    ordered = [sorted(g, key=lambda i: (scenes[i].time, i)) for g in groups.values()]
    return sorted(ordered, key=lambda g: (scenes[g[0]].time, g[0]))


@dataclass(frozen=True)
class StackLayout:
    """How the scenes of a plan fill the compositor's stack: one slot per acquisition, the slots of one orbit
    contiguous (so each orbit's part of the stack is a view, not a copy).

    Attributes:
        acquisitions: per stack slot, the indexes of its scenes in the plan (one, or the tiles of one acquisition).
        slices: per orbit, its slots (one slice of every slot when all scenes are composited together).
        orbits: the relative orbit of each slice (None: unknown, or all orbits together).
    """

    acquisitions: Tuple[Tuple[int, ...], ...]
    slices: Tuple[slice, ...]
    orbits: Tuple[Optional[int], ...]

    @property
    def plain(self) -> bool:
        """True when every scene is its own acquisition, in plan order, in one slice: the plain compositor does
        the same work."""
        return len(self.slices) == 1 and all(a == (i,) for i, a in enumerate(self.acquisitions))


def stack_layout(scenes: Sequence[Scene], orbits: str = TOGETHER) -> StackLayout:
    """The stack layout of ``scenes`` (in time order) for an ``ORBITS`` mode.

    ``together``: the acquisitions in time order, one slice. ``blended``: grouped by relative orbit (known orbits
    in increasing order, then unknown), each orbit's acquisitions in time order (the best-pixel mosaic's ties go to
    the latest).
    """
    groups = group_acquisitions(scenes)
    if orbits != BLENDED:
        return StackLayout(tuple(tuple(g) for g in groups), (slice(0, len(groups)),), (None,))
    order = sorted(groups, key=lambda g: (scenes[g[0]].orbit is None, scenes[g[0]].orbit or 0))  # stable in time
    slices, labels, start = [], [], 0
    for position in range(1, len(order) + 1):
        if position == len(order) or scenes[order[position][0]].orbit != scenes[order[start][0]].orbit:
            slices.append(slice(start, position))
            labels.append(scenes[order[start][0]].orbit)
            start = position
    return StackLayout(tuple(tuple(g) for g in order), tuple(slices), tuple(labels))


# ---- swath edges and weights ----------------------------------------------------------------------------------


def edge_distance(edge: np.ndarray, chunk_bytes: int = 32 * 2**20) -> np.ndarray:
    """Euclidean distance, in cells, from every cell to the nearest ``True`` cell of ``edge``.

    The exact two-pass distance transform (the squared distance of the nearest ``True`` cell in the column, then
    the lower envelope ``min_x' ((x - x')**2 + g(x')**2)`` along each row, Felzenszwalb & Huttenlocher 2012), the
    second pass by brute force over a few rows at a time (memory ``chunk_bytes``): meant for coarse grids.

    Args:
        edge: bool (rows, cols).

    Returns:
        float64 (rows, cols): 0 on ``True`` cells; ``inf`` everywhere when ``edge`` has no ``True`` cell.
    """
    rows, cols = edge.shape
    if not edge.any():
        return np.full(edge.shape, np.inf)
    if cols > rows:  # the brute-force pass costs rows x cols**2: run it along the shorter side
        return edge_distance(edge.T, chunk_bytes).T
    index = np.arange(rows, dtype=np.float64)[:, np.newaxis]
    above = np.maximum.accumulate(np.where(edge, index, -np.inf), axis=0)
    below = np.minimum.accumulate(np.where(edge, index, np.inf)[::-1], axis=0)[::-1]
    column = np.minimum(index - above, below - index) ** 2  # inf in columns without an edge cell
    across = (np.arange(cols, dtype=np.float64)[:, np.newaxis] - np.arange(cols)) ** 2  # (x, x')
    squared = np.empty(edge.shape)
    step = max(1, chunk_bytes // (8 * cols * cols))
    for start in range(0, rows, step):
        part = column[start : start + step]
        squared[start : start + step] = (part[:, np.newaxis, :] + across[np.newaxis]).min(axis=2)
    return np.sqrt(squared)


@dataclass
class SwathWeights:
    """Each orbit's distance to its swath edge on a coarse grid, computed once per run; ``weights`` evaluates the
    seam weights on any window of the output grid (bilinear between cell centres, so continuous across blocks).

    Attributes:
        grid: the coarse grid, in the output CRS, over the full extent of the run's scenes (not the AOI).
        edge_distance: float64 (orbits, rows, cols): metres from each cell centre to the orbit's swath edge, less
            half a cell (so the value crosses 0 at the edge between a covered cell and an edge cell; negative on
            edge cells).
        rule: one of ``SEAM_RULES``.
        power: ``p``.
        swath_width: metres, for ``centre-line``.
    """

    grid: Grid
    edge_distance: np.ndarray
    rule: str = SWATH_EDGE
    power: float = DEFAULT_SEAM_POWER
    swath_width: float = SWATH_WIDTH_M

    def distances(self, grid: Grid, window: Window) -> np.ndarray:
        """float64 (orbits, window.height, window.width): metres from each pixel centre of ``window`` of ``grid``
        (same CRS as ``self.grid``) to each orbit's swath edge, 0 at or beyond it."""
        coarse = self.grid.transform
        cols = grid.transform.c + (window.col_off + np.arange(window.width) + 0.5) * grid.transform.a
        rows = grid.transform.f + (window.row_off + np.arange(window.height) + 0.5) * grid.transform.e
        c0, c1, tc = _bilinear_axis((cols - coarse.c) / coarse.a - 0.5, self.grid.width)
        r0, r1, tr = _bilinear_axis((rows - coarse.f) / coarse.e - 0.5, self.grid.height)
        field = self.edge_distance
        top = field[:, r0][:, :, c0] * (1 - tc) + field[:, r0][:, :, c1] * tc
        bottom = field[:, r1][:, :, c0] * (1 - tc) + field[:, r1][:, :, c1] * tc
        return np.maximum(top * (1 - tr)[:, np.newaxis] + bottom * tr[:, np.newaxis], 0.0)

    def weights(self, grid: Grid, window: Window) -> np.ndarray:
        """float64 (orbits, window.height, window.width): each orbit's seam weight at the pixels of ``window``.

        ``swath-edge``: ``e**p``, ``e`` the distance (metres) to the orbit's swath edge (0 where its data ends).
        ``centre-line`` (Pan-European mosaic): ``1 / d**p``, ``d = |swath_width / 2 - e|`` the distance to the
        centre line of a straight swath whose nearest edge is ``e`` away (at least half an output pixel).
        """
        e = self.distances(grid, window)
        if self.rule == SWATH_EDGE:
            return e**self.power
        d = np.maximum(np.abs(self.swath_width / 2.0 - e), grid.resolution[0] / 2.0)
        return d**-self.power


def _bilinear_axis(position: np.ndarray, size: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower index, upper index, weight of the upper) of fractional cell positions, clamped to the grid."""
    position = np.clip(position, 0.0, size - 1.0)
    lower = np.floor(position).astype(np.intp)
    upper = np.minimum(lower + 1, size - 1)
    return lower, upper, position - lower


def weight_grid(footprints: Sequence[dict], crs, resolution: float, max_cells: int = MAX_WEIGHT_CELLS) -> Grid:
    """The coarse grid the swath edges are found on: over the bounds of ``footprints`` (GeoJSON in ``crs``), cells
    of at least ``resolution`` metres and at most ``max_cells`` a side, anchored at the upper-left corner."""
    xs, ys = [], []
    for geometry in footprints:
        rings = (
            geometry["coordinates"]
            if geometry["type"] == "Polygon"
            else [ring for polygon in geometry["coordinates"] for ring in polygon]
        )
        for ring in rings:
            xs += [p[0] for p in ring]
            ys += [p[1] for p in ring]
    left, right, bottom, top = min(xs), max(xs), min(ys), max(ys)
    cell = max(resolution, (right - left) / max_cells, (top - bottom) / max_cells)
    width, height = max(1, math.ceil((right - left) / cell - 1e-9)), max(1, math.ceil((top - bottom) / cell - 1e-9))
    return Grid(crs, Affine(cell, 0.0, left, 0.0, -cell, top), width, height)


def swath_weights(
    scenes: Sequence[Scene],
    layout: StackLayout,
    grid: Grid,
    read_valid: Callable[[Scene, Grid], np.ndarray],
    rule: str = SWATH_EDGE,
    power: float = DEFAULT_SEAM_POWER,
    swath_width: float = SWATH_WIDTH_M,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> SwathWeights:
    """Find each orbit's swath edges once for a run: from the scenes' footprints (a source's footprint, e.g. Earth
    Engine's, follows the data) or a coarse valid-data pass (``read_valid``) for scenes whose footprint is their
    raster rectangle (a folder's), on ``weight_grid`` over the scenes' full extent in the output CRS.

    An orbit's edge is where it has no valid data but lies inside its own scenes' rectangles (the swath's nodata
    side) or another orbit has data (its scenes end there); the border of the AOI or the grid never is one.

    Args:
        scenes: the plan's scenes.
        layout: their ``stack_layout`` in ``blended`` mode (its slices are the orbits).
        grid: the output grid (its CRS and resolution).
        read_valid: ``(scene, coarse grid) -> bool (rows, cols)`` valid data of the scene on the coarse grid.
        rule, power, swath_width: as ``SwathWeights``.
        is_canceled: polled before each scene.

    Returns:
        the weights, one orbit per slice of ``layout``.

    Raises:
        Cancelled: ``is_canceled`` returned True.
    """
    footprints = [scene_footprint(s, grid.crs) for s in scenes]
    coarse = weight_grid(footprints, grid.crs, grid.resolution[0])
    orbit_of = {}
    for k, part in enumerate(layout.slices):
        for slot in range(part.start, part.stop):
            orbit_of.update(dict.fromkeys(layout.acquisitions[slot], k))
    cover = np.zeros((len(layout.slices),) + coarse.shape, dtype=bool)
    extent = np.zeros_like(cover)
    for i, scene in enumerate(scenes):
        if is_canceled is not None and is_canceled():
            raise Cancelled("cancelled by the user")
        inside = geometry_mask([footprints[i]], out_shape=coarse.shape, transform=coarse.transform, invert=True)
        extent[orbit_of[i]] |= inside
        cover[orbit_of[i]] |= inside if scene.footprint is not None else read_valid(scene, coarse)
    anywhere = cover.any(axis=0)
    cell = coarse.transform.a
    largest = math.hypot(coarse.width, coarse.height) * cell  # an orbit without edge: farther than any edge
    field = np.empty(cover.shape)
    for k in range(len(layout.slices)):
        distance = edge_distance((extent[k] | anywhere) & ~cover[k])
        field[k] = np.where(np.isfinite(distance), (distance - 0.5) * cell, largest)
    log.info(
        "Swath edges of %d orbit(s) (%s) found on a %d x %d grid of %.4g m cells",
        len(layout.slices),
        ", ".join(orbit_label(o) for o in layout.orbits),
        coarse.width,
        coarse.height,
        cell,
    )
    return SwathWeights(coarse, field, rule, power, swath_width)


STRIP_ROWS = 1024
"""Rows of a scene read at a time by ``coarse_valid``: a multiple of the usual GeoTIFF tile heights (256, 512,
1024), so no tile is decoded twice; 45 MB of float32 scores for a 10980 px wide Sentinel-2 tile."""


def coarse_valid(read, scene: Scene, band: str, coarse: Grid) -> np.ndarray:
    """Where a scene has valid data, on a coarse grid: bool (coarse.height, coarse.width).

    A scene that is a file is read on its own pixels (no warping, the fastest read GDAL offers) in strips of
    ``STRIP_ROWS``, one pixel kept every ``cell / pixel size`` pixels each way, and that sample is put on the coarse
    grid by nearest neighbour; other scenes are read onto the coarse grid directly.

    Args:
        read: the source's ``read_block`` (``(scene, bands, grid, window) -> (data, valid)``).
        scene: the scene.
        band: the band whose validity is read (the QA band).
        coarse: the coarse grid.
    """
    if scene.path is None:
        return read(scene, [band], coarse, Window(0, 0, coarse.width, coarse.height))[1][0]
    own = Grid(scene.crs, scene.transform, scene.width, scene.height)
    xres, yres = abs(scene.transform.a), abs(scene.transform.e)
    step = max(1, int(coarse.transform.a // max(xres, yres)))
    offset = step // 2
    sample = []
    for row in range(0, scene.height, STRIP_ROWS):
        window = Window(0, row, scene.width, min(STRIP_ROWS, scene.height - row))
        first = (offset - row) % step  # the strip's first sampled row: rows offset, offset + step, ... of the scene
        sample.append(read(scene, [band], own, window)[1][0][first::step, offset::step])
    shift = offset + 0.5 - step / 2.0  # sampled pixel centres are the sample cells' centres
    transform = Affine(
        step * xres, 0.0, scene.transform.c + shift * xres, 0.0, -step * yres, scene.transform.f - shift * yres
    )
    valid = np.zeros(coarse.shape, dtype=np.uint8)
    reproject(
        np.concatenate(sample).astype(np.uint8),
        valid,
        src_transform=transform,
        src_crs=scene.crs,
        dst_transform=coarse.transform,
        dst_crs=coarse.crs,
        resampling=Resampling.nearest,
    )
    return valid > 0


# ---- one block ------------------------------------------------------------------------------------------------


class LayoutCompositor:
    """Composites one block by acquisitions (tiles of one acquisition merged into one observation: the mean of
    their clear values and scores) and, with ``weights``, per orbit blended by the seam weights. Called from
    several threads at once; returns what ``pipeline._BlockResult`` holds after its window.

    Args:
        layout: the stack layout.
        weights: the seam weights (one orbit per slice of ``layout``), or None to composite the slots together.
        read: ``(scene, bands, grid, window) -> (data, valid)``, the source's ``read_block``.
        scenes, bands, qa_band, grid: the plan's scenes, Sentinel-2 bands, the QA band and the output grid.
        threshold, method, percentiles: as ``CompositeRequest``.
    """

    def __init__(
        self,
        layout: StackLayout,
        weights: Optional[SwathWeights],
        read,
        scenes: Sequence[Scene],
        bands: Sequence[str],
        qa_band: str,
        grid: Grid,
        threshold: float,
        method: str,
        percentiles: Sequence[float],
    ):
        self.layout, self.weights, self.read = layout, weights, read
        self.scenes, self.bands, self.qa_band, self.grid = list(scenes), list(bands), qa_band, grid
        self.threshold, self.method, self.percentiles = threshold, method, percentiles

    def __call__(
        self, window: Window, inside: Optional[np.ndarray], stop: Callable[[], bool], on_read: Callable[[], None]
    ):
        """Composite ``window``.

        Args:
            window: the block.
            inside: bool (rows, cols), the pixels inside the clip polygons, or None.
            stop: polled before each read; True raises ``Cancelled``.
            on_read: called after each scene read.

        Returns:
            (values float64 (bands, statistics, rows, cols) NaN where count is 0, count int64 (rows, cols) of
            clear acquisitions, valid_pixels int64 (scenes,), clear_pixels int64 (scenes,), scored observations,
            clear observations).
        """
        slots, shape = len(self.layout.acquisitions), (window.height, window.width)
        stack = np.empty((slots, len(self.bands)) + shape, dtype=np.float32)
        clear = np.zeros((slots,) + shape, dtype=bool)
        scores = np.empty((slots,) + shape, dtype=np.float32) if self.method == "best" else None
        valid_pixels = np.zeros(len(self.scenes), dtype=np.int64)
        clear_pixels = np.zeros(len(self.scenes), dtype=np.int64)
        for slot, members in enumerate(self.layout.acquisitions):
            total = np.zeros((len(self.bands) + 1,) + shape) if len(members) > 1 else None
            tiles = np.zeros(shape, dtype=np.int32) if total is not None else None
            for i in members:
                if stop():
                    raise Cancelled("cancelled by the user")
                data, valid = self.read(self.scenes[i], self.bands + [self.qa_band], self.grid, window)
                scene_clear = clear_mask(data[-1], valid[-1], self.threshold)
                scored = valid[-1] if inside is None else valid[-1] & inside
                valid_pixels[i] = np.count_nonzero(scored)
                clear_pixels[i] = np.count_nonzero(scene_clear & scored)
                observation = scene_clear & valid[:-1].all(axis=0)
                if inside is not None:
                    observation &= inside
                if total is None or tiles is None:  # None together: a single-tile acquisition
                    stack[slot], clear[slot] = data[:-1], observation
                    if scores is not None:
                        scores[slot] = data[-1]
                else:  # one more tile of this acquisition: add its clear values
                    total += np.where(observation, data, 0.0)
                    tiles += observation
                on_read()
            if total is not None and tiles is not None:
                clear[slot] = tiles > 0
                mean = total / np.maximum(tiles, 1)
                stack[slot] = mean[:-1]
                if scores is not None:
                    scores[slot] = mean[-1]
        values, count = self._composite(window, stack, clear, scores)
        return values, count, valid_pixels, clear_pixels, int(valid_pixels.sum()), int(clear_pixels.sum())

    def _composite(self, window: Window, stack: np.ndarray, clear: np.ndarray, scores: Optional[np.ndarray]):
        if self.weights is None:
            return composite(stack, clear, self.method, self.percentiles, scores)
        weights = self.weights.weights(self.grid, window)
        shape = clear.shape[1:]
        count = np.zeros(shape, dtype=np.int64)
        orbits_seen = np.zeros(shape, dtype=np.int64)
        weight_sum = np.zeros(shape)
        blended = single = None
        for k, part in enumerate(self.layout.slices):
            if not clear[part].any():
                continue
            values, orbit_count = composite(
                stack[part], clear[part], self.method, self.percentiles, None if scores is None else scores[part]
            )
            if blended is None or single is None:  # None together: the first orbit with clear pixels
                blended, single = np.zeros_like(values), np.full_like(values, np.nan)
            has = orbit_count > 0
            first = has & (orbits_seen == 0)
            single[..., first] = values[..., first]  # where this orbit alone has data, its composite as it is
            weight = np.where(has, np.maximum(weights[k], _TINY_WEIGHT), 0.0)
            values[..., ~has] = 0.0
            values *= weight
            blended += values
            weight_sum += weight
            orbits_seen += has
            count += orbit_count
        if blended is None or single is None:  # no clear observation in the block
            return np.full((stack.shape[1], len(statistic_names(self.method, self.percentiles))) + shape, np.nan), count
        with np.errstate(invalid="ignore", divide="ignore"):
            blended /= weight_sum
        alone = orbits_seen == 1
        blended[..., alone] = single[..., alone]
        blended[..., count == 0] = np.nan
        return blended, count


def block_compositor(
    request, plan, source, is_canceled: Optional[Callable[[], bool]] = None
) -> Optional[LayoutCompositor]:
    """The compositor of a run's blocks when its scenes need more than the plain stack: tiles of one acquisition
    to merge, or orbits to blend (``request.orbits == "blended"`` with two orbits or more, whose swath edges are
    found here, once). None when every scene is its own acquisition and the scenes are composited together (the
    plain, fastest path).

    Args:
        request: the ``pipeline.CompositeRequest`` (``orbits``, ``seam_weights``, ``seam_power``, method ...).
        plan: its ``pipeline.CompositePlan`` (scenes, grid, bands).
        source: the ``source.Source`` the scenes are read from (``read_block``; on a coarse grid for the swath
            edges of scenes without a footprint of their own, see ``swath_weights``).
        is_canceled: polled while the swath edges are found.

    Raises:
        Cancelled: ``is_canceled`` returned True.
    """
    qa_band = request.qa_band
    layout = stack_layout(plan.scenes, request.orbits)
    merged = len(plan.scenes) - len(layout.acquisitions)
    if merged:
        log.info(
            "%d scene(s) are tiles of an acquisition already counted (same orbit and datatake): %d "
            "acquisition(s) from %d scene(s)",
            merged,
            len(layout.acquisitions),
            len(plan.scenes),
        )
    if len(layout.slices) < 2:  # one orbit: its composite is the composite
        layout = StackLayout(layout.acquisitions, (slice(0, len(layout.acquisitions)),), (None,))
        if layout.plain:
            return None
        weights = None
    else:

        def read_valid(scene: Scene, coarse: Grid) -> np.ndarray:
            return coarse_valid(source.read_block, scene, qa_band, coarse)

        weights = swath_weights(
            plan.scenes,
            layout,
            plan.grid,
            read_valid,
            request.seam_weights,
            request.seam_power,
            is_canceled=is_canceled,
        )
    return LayoutCompositor(
        layout,
        weights,
        source.read_block,
        plan.scenes,
        plan.bands,
        qa_band,
        plan.grid,
        request.threshold,
        request.method,
        request.percentiles,
    )

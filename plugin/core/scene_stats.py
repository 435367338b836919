"""How clear each scene is inside an AOI: its clear scores read once, clear fractions for any threshold.

The dock's scene table shows, per scene, the fraction of the AOI's scored pixels that are clear at the
current QA band and clear threshold. The scores are read once (on a coarse "score grid" covering the AOI,
so memory stays small whatever the AOI) and kept; moving the threshold only recomputes fractions.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from affine import Affine
from rasterio.crs import CRS
from rasterio.windows import Window

from .errors import Cancelled
from .earthengine.utm import utm_crs
from .grid import Bounds, Grid, grid_from_aoi
from .masking import clear_mask, inside_geometries
from .scene import Scene, scenes_grid
from .source import Source

MAX_SCORE_PIXELS = 512 * 512
"""Most pixels of a score grid (about 1 MB of float32 scores per scene): the grid is coarsened beyond it."""


@dataclass
class SceneScores:
    """The clear scores of one scene inside the AOI, on a score grid.

    Attributes:
        scene: the scene.
        score: clear scores 0..1, float32 (rows, cols) of the score grid; None when the scene has no score
            (no QA band) or its scores were not read.
        valid: bool (rows, cols): True where the score is valid and the pixel is inside the AOI; None with
            ``score``.
    """

    scene: Scene
    score: Optional[np.ndarray] = None
    valid: Optional[np.ndarray] = None

    @property
    def has_scores(self) -> bool:
        """True when the scores were read."""
        return self.score is not None

    def clear(self, threshold: float) -> np.ndarray:
        """Where the scene is clear (``score >= threshold``, valid, inside the AOI): bool (rows, cols).

        Raises:
            ValueError: the scores were not read.
            InputError: ``THRESHOLD`` outside 0..1.
        """
        if self.score is None or self.valid is None:
            raise ValueError(f"the scores of scene {self.scene.scene_id} were not read")
        return clear_mask(self.score, self.valid, threshold)

    def clear_fraction(self, threshold: float) -> Optional[float]:
        """Clear pixels / scored pixels inside the AOI, 0..1; None when the scores were not read or the scene
        has no scored pixel in the AOI."""
        if self.score is None or self.valid is None or not self.valid.any():
            return None
        return float(self.clear(threshold).sum()) / float(self.valid.sum())


@dataclass
class SceneSearch:
    """The outcome of ``find_scenes``: the scenes found and, where read, their clear scores.

    Attributes:
        scenes: scenes acquired in the dates over the AOI, in time order.
        grid: the score grid (None when the scores were not read).
        scores: ``SceneScores`` per ``scene_id`` (scenes without a QA band have ``score`` None).
        qa_band: the QA band the scores come from.
        estimate: what compositing the scenes would download, per engine (``Source.download_estimates``: engine
            -> ``FetchEstimate``), when the caller asked.
    """

    scenes: List[Scene]
    grid: Optional[Grid]
    scores: Dict[str, SceneScores] = field(default_factory=dict)
    qa_band: str = ""
    estimate: Optional[Any] = None

    def clear_fractions(self, threshold: float) -> Dict[str, Optional[float]]:
        """``scene_id`` -> clear fraction 0..1 inside the AOI at ``threshold`` (None where unknown)."""
        return {
            s.scene_id: self.scores[s.scene_id].clear_fraction(threshold) if s.scene_id in self.scores else None
            for s in self.scenes
        }


def score_grid(
    scenes: Sequence[Scene],
    aoi: Optional[Bounds],
    aoi_crs: Union[CRS, str, None],
    max_pixels: Optional[int] = MAX_SCORE_PIXELS,
    resolution: Optional[float] = None,
) -> Grid:
    """A grid covering the AOI (or, without one, the scenes) to read scores on, at most ``max_pixels``.

    It is in the CRS most scenes share, aligned to the first such scene's pixels, at ``resolution`` (default
    that scene's), coarsened by a whole factor when needed to stay within ``max_pixels``.

    Args:
        scenes: the scenes (at least one).
        aoi: (left, bottom, right, top) in ``aoi_crs``, or None for the union of the scenes.
        aoi_crs: CRS of ``aoi`` (None: the scenes' CRS).
        max_pixels: pixel budget of the grid; None = no budget (the grid a composite would be written on).
        resolution: pixel size in metres; None = the scene's own.

    Raises:
        InputError: ``EXTENT`` when the AOI is empty (see ``grid_from_aoi``).
    """
    grid = scenes_grid(scenes, aoi, aoi_crs, resolution)
    factor = math.ceil(math.sqrt(grid.width * grid.height / max_pixels)) if max_pixels else 1
    if factor > 1:
        grid = scenes_grid(scenes, aoi, aoi_crs, (grid.resolution[0] * factor, grid.resolution[1] * factor))
    return grid


def composite_pixel_count(
    aoi: Bounds,
    aoi_crs: Union[CRS, str, None],
    resolution: Optional[float] = None,
    scenes: Optional[Sequence[Scene]] = None,
    crs: Union[CRS, str, None] = None,
) -> int:
    """Pixels (width x height) of the grid a composite over the AOI is written on.

    With ``scenes``: ``scenes_grid`` (their majority CRS, or ``crs``; their resolution unless ``resolution``).
    Without (scenes not known yet, e.g. Earth Engine before a search): the AOI's bounds on a grid in ``crs``, else
    in the UTM zone of the AOI's centre (``utm_crs``, Earth Engine's default), at ``resolution`` or 10 m.

    Args:
        aoi: (left, bottom, right, top) in ``aoi_crs``.
        aoi_crs: CRS of ``aoi`` (None: EPSG:4326 without scenes, the grid's CRS with them).
        resolution: pixel size in metres, or None.
        scenes: the scenes the composite would use, or None.
        crs: the output CRS (projected, metres), or None.

    Raises:
        InputError: ``EXTENT``, ``RESOLUTION`` or ``CRS`` as ``grid_from_aoi``.
    """
    if scenes:
        grid = scenes_grid(scenes, aoi, aoi_crs, resolution, crs)
    else:
        grid = grid_from_aoi(aoi, aoi_crs or "EPSG:4326", crs or utm_crs(aoi, aoi_crs), resolution or 10.0)
    return grid.width * grid.height


def scored_scenes(scenes: Sequence[Scene], qa_band: str) -> List[Scene]:
    """The scenes that have ``qa_band`` (the ones a composite fetches and uses; the others are skipped)."""
    return [s for s in scenes if qa_band in s.band_names]


def _read_each(
    scenes: Sequence[Scene],
    read: Callable[[Scene], SceneScores],
    progress: Optional[Callable[[int, int], None]],
    is_canceled: Optional[Callable[[], bool]],
) -> Dict[str, SceneScores]:
    """``read(scene)`` for each scene, by ``scene_id``, checking ``is_canceled`` before and reporting
    ``progress(done, total)`` after each.

    Raises:
        Cancelled: ``is_canceled`` returned True.
    """
    scores = {}
    for done, scene in enumerate(scenes):
        if is_canceled is not None and is_canceled():
            raise Cancelled("cancelled by the user")
        scores[scene.scene_id] = read(scene)
        if progress is not None:
            progress(done + 1, len(scenes))
    return scores


def read_scene_scores(
    source: Source, scene: Scene, qa_band: str, grid: Grid, inside: Optional[np.ndarray] = None
) -> SceneScores:
    """Read the QA band of ``scene`` on ``grid``; without that band, scores stay None.

    Args:
        source: where the scene's pixels are (readable without fetching, e.g. a folder).
        scene: the scene.
        qa_band: name of the QA band (clear score 0..1).
        grid: the score grid.
        inside: bool (rows, cols) of pixels inside the AOI's polygons, or None for the whole grid.
    """
    if qa_band not in scene.band_names:
        return SceneScores(scene)
    data, valid = source.read_block(scene, [qa_band], grid, Window(0, 0, grid.width, grid.height))
    in_aoi = valid[0] if inside is None else valid[0] & inside
    return SceneScores(scene, data[0], in_aoi)


def decimated_grid(grid: Grid, max_pixels: int = MAX_SCORE_PIXELS) -> Tuple[Grid, int]:
    """(coarse grid, factor): ``grid`` with pixels ``factor`` times larger (same origin and CRS), the smallest
    whole factor that keeps it within ``max_pixels``; factor 1 returns ``grid`` itself."""
    factor = max(1, math.ceil(math.sqrt(grid.width * grid.height / max_pixels)))
    if factor == 1:
        return grid, 1
    coarse = Grid(
        grid.crs, grid.transform * Affine.scale(factor), math.ceil(grid.width / factor), math.ceil(grid.height / factor)
    )
    return coarse, factor


def read_sampled_scores(
    source: Source,
    scene: Scene,
    qa_band: str,
    grid: Grid,
    factor: int,
    inside: Optional[np.ndarray] = None,
    block_size: int = 512,
) -> SceneScores:
    """The QA band of ``scene`` read on ``grid`` block by block and sampled every ``factor`` pixels (the pixel
    nearest each coarse pixel's centre), on ``decimated_grid(grid)``: for sources that can only read the grid
    they fetched (Earth Engine's tile cache). Memory stays at one block, whatever the grid.

    Args:
        source, scene, qa_band: as ``read_scene_scores``.
        grid: the grid the pixels were fetched on.
        factor: the decimation factor (``decimated_grid``'s).
        inside: bool of the coarse grid's shape: pixels inside the AOI's polygons, or None.
        block_size: approximate side of the blocks read, in ``grid`` pixels.
    """
    if qa_band not in scene.band_names:
        return SceneScores(scene)
    rows, cols = math.ceil(grid.height / factor), math.ceil(grid.width / factor)
    score = np.zeros((rows, cols), dtype=np.float32)
    valid = np.zeros((rows, cols), dtype=bool)
    step = factor * max(1, block_size // factor)  # blocks start on multiples of the factor
    offset = factor // 2
    for row0 in range(0, grid.height, step):
        for col0 in range(0, grid.width, step):
            window = Window(col0, row0, min(step, grid.width - col0), min(step, grid.height - row0))
            data, ok = source.read_block(scene, [qa_band], grid, window)
            sampled = (slice(offset, None, factor), slice(offset, None, factor))
            block_score, block_valid = data[0][sampled], ok[0][sampled]
            r, c = row0 // factor, col0 // factor
            score[r : r + block_score.shape[0], c : c + block_score.shape[1]] = block_score
            valid[r : r + block_valid.shape[0], c : c + block_valid.shape[1]] = block_valid
    return SceneScores(scene, score, valid if inside is None else valid & inside)


def read_fetched_scores(
    source: Source,
    scenes: Sequence[Scene],
    qa_band: str,
    grid: Grid,
    clip: Optional[Sequence[dict]] = None,
    clip_crs: Union[CRS, str, None] = None,
    max_pixels: int = MAX_SCORE_PIXELS,
    progress: Optional[Callable[[int, int], None]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> SceneSearch:
    """The clear scores of scenes whose pixels were fetched on ``grid`` (after a composite run), sampled on
    ``decimated_grid(grid, max_pixels)``: the ``SceneSearch`` the scene table and mask preview need.

    Raises:
        Cancelled: ``is_canceled`` returned True.
        the source's read errors (e.g. a tile no longer in the cache).
    """
    coarse, factor = decimated_grid(grid, max_pixels)
    inside = inside_geometries(clip, clip_crs, coarse) if clip else None
    scores = _read_each(
        scenes, lambda scene: read_sampled_scores(source, scene, qa_band, grid, factor, inside), progress, is_canceled
    )
    return SceneSearch(list(scenes), coarse, scores, qa_band)


def find_scenes(
    source: Source,
    start: date,
    end: date,
    aoi: Optional[Bounds],
    aoi_crs: Union[CRS, str, None],
    qa_band: str,
    clip: Optional[Sequence[dict]] = None,
    read_scores: bool = True,
    progress: Optional[Callable[[int, int], None]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> SceneSearch:
    """Search ``source`` and, when ``read_scores``, read each scene's clear scores inside the AOI.

    Args:
        source: the scene source.
        start, end: acquisition dates ``[start, end)``, UTC days.
        aoi, aoi_crs: AOI bounds (left, bottom, right, top) and their CRS, or None for all scenes.
        qa_band: the QA band whose scores are read.
        clip: GeoJSON geometries in ``aoi_crs``: only pixels inside them count.
        read_scores: False for sources whose pixels must be fetched first (Earth Engine).
        progress: called with (scenes read, scenes to read).
        is_canceled: polled before each scene is read.

    Raises:
        InputError: the source's ``no_scene_error`` when nothing was found, or its search errors.
        Cancelled: ``is_canceled`` returned True.
    """
    scenes = source.search(start, end, aoi, aoi_crs, is_canceled=is_canceled)
    if not scenes:
        raise source.no_scene_error(start, end, aoi, aoi_crs)
    if not read_scores:
        return SceneSearch(scenes, None, {}, qa_band)
    grid = score_grid(scenes, aoi, aoi_crs)
    inside = inside_geometries(clip, aoi_crs, grid) if clip else None
    scores = _read_each(
        scenes, lambda scene: read_scene_scores(source, scene, qa_band, grid, inside), progress, is_canceled
    )
    return SceneSearch(scenes, grid, scores, qa_band)

"""Mask one scene: pixels whose clear score is below the clear threshold become nodata in every band.

The single-scene step of the recipe (``keep pixels where score[QA_BAND] >= CLEAR_THRESHOLD``), for users who want
masked scenes rather than a composite, and an optional binary clear mask raster (1 clear, 0 not clear).
"""

import logging
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Union

import numpy as np
from rasterio.io import DatasetReader

from .atomic_file import atomic_path
from .errors import Cancelled, InputError
from .gdal_errors import reading
from .grid import Grid, check_block_size
from .masking import check_threshold, clear_mask, clear_rule_tags
from .output_paths import check_not_input, same_file
from .raster_output import NODATA, check_output_path, geotiff_profile
from .score_raster import BandRef, ScoreRange, band_index, band_label, open_raster, read_bands, truncation
from .verified_write import verified_raster

log = logging.getLogger(__name__)

CLEAR = 1
NOT_CLEAR = 0
NO_SCORE = 255
"""Values of the clear mask raster (uint8): clear (score >= threshold), not clear, and no score (its nodata)."""

DEFAULT_BLOCK_SIZE = 512
"""Side of the square blocks masked at a time, in pixels (two 512 x 512 blocks of 14 float32 bands: about 30 MB)."""


@dataclass
class MaskSceneRequest:
    """What to mask.

    Attributes:
        scene: a raster holding the scene's bands and its QA band (any GDAL format, e.g. a folder-source GeoTIFF).
        qa_band: the clear score band 0..1: its description (``cs``, ``cs_cdf``, ``clear``) or 1-based number.
        output: GeoTIFF to write: every band of ``scene``, same data type, unclear pixels set to nodata.
        threshold: clear threshold 0..1; a pixel is clear where ``score >= threshold``.
        clear_mask: optional GeoTIFF for the clear mask (uint8: 1 clear, 0 not clear, 255 no score = nodata).
        block_size: side of the square blocks processed at a time, in pixels (bounds memory).
    """

    scene: Union[str, Path]
    qa_band: BandRef
    output: Union[str, Path]
    threshold: float
    clear_mask: Optional[Union[str, Path]] = None
    block_size: int = DEFAULT_BLOCK_SIZE


@dataclass
class MaskSceneResult:
    """What ``mask_scene`` wrote.

    Attributes:
        output: the masked scene; clear_mask: the clear mask raster or None.
        qa_band: description (or ``band N``) of the QA band used; threshold: the clear threshold, 0..1.
        pixels: pixels of the scene; scored_pixels: those with a valid score; clear_pixels: those kept
            (all counts in scene pixels).
    """

    output: Path
    clear_mask: Optional[Path]
    qa_band: str
    threshold: float
    pixels: int = 0
    scored_pixels: int = 0
    clear_pixels: int = 0

    @property
    def clear_fraction(self) -> float:
        """Clear pixels / scored pixels, 0..1 (0 when no pixel has a score)."""
        return self.clear_pixels / self.scored_pixels if self.scored_pixels else 0.0


def check_mask_scene(request: MaskSceneRequest) -> str:
    """Check the threshold, the scene and its QA band (not the outputs); return the QA band's label.

    Raises:
        InputError: ``THRESHOLD`` outside 0..1, ``INPUT`` not a readable raster or a truncated one (GDAL's
            reason, ``score_raster.truncation``), ``QA_BAND`` not in the scene, ``BLOCK_SIZE`` below 16.
    """
    check_threshold(request.threshold)
    check_block_size(request.block_size)
    with open_raster(request.scene, "INPUT") as src:
        damage = truncation(src, request.scene)
        if damage:
            raise InputError("INPUT", f"scene {str(request.scene)!r} is damaged: {damage}")
        return band_label(src, band_index(src, request.qa_band, "QA_BAND"))


def check_mask_outputs(request: MaskSceneRequest) -> None:
    """Check the outputs: GeoTIFF names in writable folders, neither of them the input scene, and distinct.

    Raises:
        InputError: ``OUTPUT`` or ``CLEAR_MASK`` naming what is wrong (see ``raster_output.check_output_path``).
    """
    output = check_output_path(request.output, "OUTPUT")
    check_not_input(output, [request.scene], "OUTPUT", "the input scene (INPUT)")
    if request.clear_mask:
        mask = check_output_path(request.clear_mask, "CLEAR_MASK")
        check_not_input(mask, [request.scene], "CLEAR_MASK", "the input scene (INPUT)")
        if same_file(mask, output):
            raise InputError("CLEAR_MASK", "the clear mask must be written to another file than the scene and OUTPUT")


def _scene_profile(src: DatasetReader, grid: Grid) -> Dict[str, Any]:
    # One data type for every band (the widest of the scene's), the scene's nodata or Sentinel-2's 0.
    return geotiff_profile(
        grid, src.count, np.result_type(*src.dtypes).name, src.nodata if src.nodata is not None else NODATA
    )


def mask_scene(
    request: MaskSceneRequest,
    progress: Optional[Callable[[float], None]] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
) -> MaskSceneResult:
    """Write the scene with every pixel that is not clear set to nodata, and optionally its clear mask.

    A pixel is clear where its QA band score is valid and ``score >= threshold`` (``masking.clear_mask``: equal is
    clear, as in Earth Engine's Cloud Score+ recipe; nodata and NaN scores are never clear). Not-clear pixels are
    set to the scene's nodata value (0 when the scene declares none) in every band, the QA band included, so the
    output still works as a folder-source scene; clear pixels keep the input's values and data type. Band
    descriptions, scales/offsets and dataset tags are copied, provenance tags (``CLOUDSCORE_*``) added. Read and
    written block by block; both files are written under temporary names and renamed into place at the end.

    Args:
        request: scene, QA band, threshold, outputs.
        progress: called with the percentage done, 0..100.
        is_canceled: polled before each block; when it returns True the run stops.

    Raises:
        InputError: see ``check_mask_scene`` and ``check_mask_outputs``.
        ReadError: a block of the scene cannot be read (the file and GDAL's reason).
        WriteError: an output could not be written completely (the file and GDAL's reason, e.g. ``No space left
            on device``); neither output is renamed into place, older files of those names are untouched.
        Cancelled: ``is_canceled`` returned True; nothing was written (existing files are untouched).
    """
    qa_label = check_mask_scene(request)
    check_mask_outputs(request)
    tags = {"CLOUDSCORE_MASKED_SCENE": Path(request.scene).name, **clear_rule_tags(qa_label, request.threshold)}
    with open_raster(request.scene, "INPUT") as src, ExitStack() as outputs:
        qa_index = band_index(src, request.qa_band, "QA_BAND")
        grid = Grid(src.crs, src.transform, src.width, src.height)
        profile = _scene_profile(src, grid)
        fill = profile["nodata"]
        # Both files are renamed into place only once both are written and checked (the renames are entered
        # first, so they run last): a failed write of either leaves both older files as they were.
        partial = outputs.enter_context(atomic_path(request.output))
        mask_partial = outputs.enter_context(atomic_path(request.clear_mask)) if request.clear_mask else None
        dst = outputs.enter_context(verified_raster(partial, request.output, **profile))
        dst.update_tags(**{**src.tags(), **tags})
        for index in range(1, src.count + 1):
            dst.set_band_description(index, src.descriptions[index - 1] or "")
        dst.scales, dst.offsets = src.scales, src.offsets
        mask_dst = None
        if request.clear_mask and mask_partial is not None:  # both or neither
            mask_profile = dict(profile, count=1, dtype="uint8", nodata=NO_SCORE)
            mask_dst = outputs.enter_context(verified_raster(mask_partial, request.clear_mask, **mask_profile))
            mask_dst.set_band_description(1, "clear")
            mask_values = f"{CLEAR} clear, {NOT_CLEAR} not clear, {NO_SCORE} no score (nodata)"
            mask_dst.update_tags(**tags, CLOUDSCORE_MASK_VALUES=mask_values)
        result = MaskSceneResult(
            Path(request.output),
            Path(request.clear_mask) if request.clear_mask else None,
            qa_label,
            float(request.threshold),
            pixels=src.width * src.height,
        )
        blocks = list(grid.blocks(request.block_size))
        scores = ScoreRange()
        for done, window in enumerate(blocks, start=1):
            if is_canceled is not None and is_canceled():
                raise Cancelled("cancelled by the user")
            with reading(request.scene, "scene"):
                data = src.read(window=window, out_dtype=profile["dtype"])
                score, valid = read_bands(src, [qa_index], window)
            clear = clear_mask(score[0], valid[0], request.threshold)
            data[:, ~clear] = fill
            dst.write(data, window=window)
            if mask_dst is not None:
                values = np.where(clear, CLEAR, np.where(valid[0], NOT_CLEAR, NO_SCORE)).astype(np.uint8)
                mask_dst.write(values, 1, window=window)
            result.scored_pixels += int(valid[0].sum())
            result.clear_pixels += int(clear.sum())
            scores.add(score[0], valid[0])
            if progress is not None:
                progress(100.0 * done / len(blocks))
        if is_canceled is not None and is_canceled():  # a cancel during the last block still discards the output
            raise Cancelled("cancelled by the user")
        dst.update_tags(CLOUDSCORE_CLEAR_FRACTION=f"{result.clear_fraction:.4f}")
    scores.warn_if_above_one(qa_label)
    log.info(
        "Masked %s: %d of %d scored pixels clear (%.1f%%) at threshold %.2f",
        Path(request.scene).name,
        result.clear_pixels,
        result.scored_pixels,
        100 * result.clear_fraction,
        result.threshold,
    )
    return result

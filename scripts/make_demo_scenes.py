"""Build resources/demo/ from the real eo-learn Sentinel-2 patch in ../shared/data/eo-learn.

Run from the repository root: ``python3 scripts/make_demo_scenes.py [path/to/eo-learn]``.

Input (see that folder's README): ``REFERENCE_SCENES.npy`` float32 (5, 101, 100, 13), TOA reflectance 0..1 of
five L1C scenes in the order 2015-08-20, 07-31, 09-09, 08-30, 07-11 (patch timestamps 2, 1, 4, 3, 0), bands
B01..B08, B8A, B09..B12; ``TestEOPatch__data__CLP.npy`` float32 (68, 101, 100, 1), s2cloudless cloud probability
per timestamp; ``TestEOPatch__bbox.geojson``, the EPSG:32633 bounds of the 100 x 101 px patch.

Output: one GeoTIFF per scene named like an Earth Engine ``system:index``
(``<time>_<time>_T33TVL.tif``; the patch gives one time per scene, used for both the datatake and the
granule part), 14 float32 bands: the 13 Sentinel-2 bands as digital numbers (reflectance x 10000 rounded, as
Earth Engine's uint16 bands hold them), then ``clear`` = 1 - CLP (s2cloudless clear probability 0..1, NOT
Cloud Score+). A GeoTIFF holds one data type for all its bands, so the reflectance is stored as float32
whole numbers; the composite written from it is uint16 again.
"""

import json
import shutil
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_bounds

BANDS = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B10", "B11", "B12")
# REFERENCE_SCENES index -> patch timestamp index (the data README's mapping).
TIMESTAMP_OF_SCENE = (2, 1, 4, 3, 0)
TILE = "33TVL"  # MGRS tile of the patch centre (UTM 33T, 100 km square VL)
NODATA = 0.0  # reflectance DN 0 is no data in Sentinel-2 products; no real value here is 0

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "demo"


def main(source: Path) -> None:
    scenes = np.load(source / "REFERENCE_SCENES.npy")
    cloud_probability = np.load(source / "TestEOPatch__data__CLP.npy")
    timestamps = json.loads((source / "TestEOPatch__timestamps.json").read_text())
    bbox = json.loads((source / "TestEOPatch__bbox.geojson").read_text())
    xs = [x for x, _ in bbox["coordinates"][0]]
    ys = [y for _, y in bbox["coordinates"][0]]
    _, height, width, _ = scenes.shape
    transform = from_bounds(min(xs), min(ys), max(xs), max(ys), width, height)
    crs = "EPSG:" + bbox["crs"]["properties"]["name"].rsplit(":", 1)[-1]

    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.tif"):
        old.unlink()
    for scene_index, time_index in enumerate(TIMESTAMP_OF_SCENE):
        when = datetime.fromisoformat(timestamps[time_index])
        compact = when.strftime("%Y%m%dT%H%M%S")
        system_index = f"{compact}_{compact}_T{TILE}"
        reflectance = np.rint(scenes[scene_index] * 10000).astype(np.uint16)  # (rows, cols, 13)
        clear = 1.0 - cloud_probability[time_index, ..., 0]
        data = np.concatenate([reflectance.astype(np.float32), clear[..., np.newaxis]], axis=-1)
        profile = dict(
            driver="GTiff",
            width=width,
            height=height,
            count=len(BANDS) + 1,
            dtype="float32",
            crs=crs,
            transform=transform,
            nodata=NODATA,
            compress="deflate",
            predictor=3,
        )
        with rasterio.open(OUT / f"{system_index}.tif", "w", **profile) as dst:
            dst.write(np.moveaxis(data, -1, 0))
            for band, name in enumerate(BANDS + ("clear",), start=1):
                dst.set_band_description(band, name)
            dst.update_tags(
                ACQUISITION_TIME=when.isoformat() + "Z",
                SYSTEM_INDEX=system_index,
                MGRS_TILE=TILE,
                PRODUCT="Sentinel-2 L1C, top-of-atmosphere reflectance x 10000",
                QA_BAND_clear="s2cloudless clear probability 1 - CLP (not Cloud Score+)",
                SOURCE="sentinel-hub/eo-learn example_data TestEOPatch (MIT); "
                "contains modified Copernicus Sentinel data (2015)",
            )
            dst.update_tags(len(BANDS) + 1, DESCRIPTION="s2cloudless clear probability 1 - CLP, 0..1")
        print(f"wrote {system_index}.tif  clear>=0.60: {np.mean(clear >= 0.6):.1%}")
    shutil.copy(source / "LICENSE", OUT / "LICENSE-eo-learn.txt")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "eo-learn")

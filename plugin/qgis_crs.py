"""A QGIS CRS as ``plugin/core`` takes it: the one conversion every part of the QGIS side uses."""

from typing import Optional

from qgis.core import QgsCoordinateReferenceSystem


def crs_for_core(crs: QgsCoordinateReferenceSystem) -> Optional[str]:
    """A CRS as rasterio reads it: ``EPSG:nnnn`` when it has one, else WKT; None when invalid."""
    if not crs.isValid():
        return None
    if crs.authid().upper().startswith("EPSG:"):
        return crs.authid()
    # USER:/IGNF: ids mean nothing to PROJ outside QGIS: pass the definition itself.
    return crs.toWkt(QgsCoordinateReferenceSystem.WktVariant.WKT_PREFERRED)

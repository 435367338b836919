"""The default CRS of an Earth Engine composite: the UTM zone of the AOI's centre."""

from cloudscore_composite.plugin.core.earthengine.utm import utm_crs


def test_utm_zone_of_the_aoi_centre():
    assert utm_crs((14.55, 45.86, 14.56, 45.87), "EPSG:4326").to_epsg() == 32633  # the demo patch, tile 33TVL
    assert utm_crs((-58.5, -34.7, -58.3, -34.5), "EPSG:4326").to_epsg() == 32721  # Buenos Aires
    assert utm_crs((465181.0, 5079244.0, 466180.0, 5080254.0), "EPSG:32633").to_epsg() == 32633
    assert utm_crs((179.9, 0.1, 180.0, 0.2), None).to_epsg() == 32660

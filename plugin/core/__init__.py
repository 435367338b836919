"""The plugin's engine: pure Python (numpy, rasterio, requests); never imports qgis or Qt."""

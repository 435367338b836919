"""`make package`: the zip, its metadata for upload, and the QGIS plugin repository's scans as a gate."""

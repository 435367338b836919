"""The README's shell examples, run verbatim (no pytest-qgis: they start qgis_process themselves)."""

"""Earth Engine as a scene source: Sentinel-2 scenes and Cloud Score+ scores over the REST API (no ee library)."""

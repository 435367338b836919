"""Processing algorithms of the ``cloudscore`` provider."""

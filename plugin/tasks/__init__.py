"""Background tasks (QgsTask) of the dock: scene search, fetched scores, the composite."""

"""The dock panel: its widget, the panels of its form, the AOI and the map tools."""

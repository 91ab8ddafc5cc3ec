"""Conventions and the red/black board (issue 19, R-60 to R-65)."""

"""Sub-districts, communities, estates, buildings, units, owners; the roll and its import."""

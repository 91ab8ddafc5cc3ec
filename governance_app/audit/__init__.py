"""The append-only, hash-chained audit log: one chain per estate, one for the platform."""

"""Backups with a manifest of every chain's head, their check, and restore into an empty database."""

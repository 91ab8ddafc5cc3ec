"""Assemblies' votes: items, ballots, the tally, trackers and audit bundles.

``rules`` and ``bundle`` are pure (standard library only) so that the
``governance-audit`` command can re-count a vote without Flask or a database.
"""

"""Residents' proposals (issue 18): an owner's idea, co-signed by owners, answered by the committee,
funded, voted on, delivered as a project and rated (R-70, R-71)."""

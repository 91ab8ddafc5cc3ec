"""The voting tests' estate (9 voters) and its committee, for jobs run inline or by a worker."""
from tests.support.voting_world import committee, estate, owner_of  # noqa: F401 (fixtures)
from tests.support.voting_world import draft_vote  # noqa: F401,E402

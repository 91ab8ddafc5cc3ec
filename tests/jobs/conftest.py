"""The voting tests' estate (9 voters) and its committee, for jobs run inline or by a worker."""
from tests.voting_site.conftest import committee, estate, owner_of  # noqa: F401 (fixtures)
from tests.voting_site.conftest import clock, draft_vote  # noqa: F401,E402

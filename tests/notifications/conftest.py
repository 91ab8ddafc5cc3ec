from tests.voting_site.conftest import clock, committee, draft_vote, estate, open_vote, owner_of  # noqa: F401

from tests.support.voting_world import committee, draft_vote, estate, open_vote, owner_of  # noqa: F401

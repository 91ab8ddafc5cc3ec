"""``flask voting ...``: operator commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from . import services
from .models import Vote, VoteState

voting_cli = AppGroup("voting", help="Votes of the owners' assemblies.")


@voting_cli.command("tick")
def tick() -> None:
    """Open and close votes whose time has come (run every minute from cron or a timer).
    Pages do the same when they are visited; whether a ballot counts never depends on it."""
    changed = 0
    for vote in db.session.scalars(select(Vote).where(Vote.state.in_([VoteState.NOTICED, VoteState.OPEN]))):
        before = vote.state
        services.advance(vote)
        changed += vote.state != before
    click.echo(f"{changed} vote(s) changed stage")

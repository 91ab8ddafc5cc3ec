"""``flask voting ...``: operator commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from .tasks import open_and_close

voting_cli = AppGroup("voting", help="Votes of the owners' assemblies.")


@voting_cli.command("tick")
def tick() -> None:
    """Open and close votes whose time has come. Celery beat does this every minute (README,
    production); this command is for a machine without it."""
    changed = open_and_close()
    click.echo(f"{changed} vote(s) changed stage")

"""``flask funds ...``: operator work on the estates' accounts."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from . import services

funds_cli = AppGroup("funds", help="The estates' accounts.")


@funds_cli.command("remove-unconfirmed-uploads")
def remove_unconfirmed_uploads() -> None:
    """Remove bank files not confirmed within 24 hours of their upload (run it hourly from cron
    or the scheduler; each upload also removes them)."""
    removed = services.remove_stale_bank_uploads()
    db.session.commit()
    click.echo(f"{removed} unconfirmed bank upload(s) removed")

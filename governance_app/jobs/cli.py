"""``flask jobs ...``: the job system from the command line."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from ..notifications.tasks import hourly

jobs_cli = AppGroup("jobs", help="Background jobs, the schedule and notifications.")


@jobs_cli.command("hourly")
def hourly_command() -> None:
    """Run the schedule's hourly work now (duties, reminders, expired files)."""
    click.echo(hourly())


@jobs_cli.command("sweep")
def sweep_command() -> None:
    """Remove job files past their 24 hours and fail jobs whose worker was lost."""
    from . import services

    removed, failed = services.sweep()
    db.session.commit()
    click.echo(f"{removed} file(s) removed, {failed} job(s) marked failed")

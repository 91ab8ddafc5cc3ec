"""``flask audit verify``: walk every chain and report the first broken link of each."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from . import services

audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("verify")
@click.option("--chain", default=None, help='One chain only, e.g. "estate:3" or "platform".')
def verify(chain: str | None) -> None:
    """Check every event's hash and link; exit 1 at the first break of any chain."""
    breaks = services.verify(chain)
    for found in breaks:
        where = f"event {found.event_id}" if found.event_id else "chain head"
        click.echo(f"BROKEN {found.chain} at seq {found.seq} ({where}): {found.reason}", err=True)
    if breaks:
        raise SystemExit(1)
    click.echo("audit log intact")

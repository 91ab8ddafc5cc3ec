"""``flask voting ...``: operator commands."""
from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask.cli import AppGroup

from ..audit.services import record
from ..core.progress_bar import ProgressBar
from ..extensions import db
from . import services
from .tasks import open_and_close

voting_cli = AppGroup("voting", help="Votes of the owners' assemblies.")


@voting_cli.command("tick")
def tick() -> None:
    """Open and close votes whose time has come. Celery beat does this every minute (README,
    production); this command is for a machine without it."""
    changed = open_and_close()
    click.echo(f"{changed} vote(s) changed stage")


@voting_cli.command("bundle")
@click.argument("vote_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="The JSON file to write, e.g. bundle.json.")
def bundle(vote_id: int, out: Path) -> None:
    """Write the audit bundle of a counted vote (the file supervisors and auditors download, for
    `governance-audit tally|verify FILE`), with a progress bar over its ballots. The export is
    recorded in the estate's audit log, as each download is."""
    vote = services.get_vote(vote_id)
    if vote is None:
        raise click.UsageError(f"no vote with id {vote_id}")
    if vote.result is None:
        raise click.ClickException(f"vote {vote_id} is not counted yet: its bundle holds the result; nothing was "
                                   f"written")
    with ProgressBar({"": "Ballots"}) as bar:
        data = services.audit_bundle(vote, bar)
    # The same bytes as the page's download (voting/routes.py audit_bundle).
    body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    record("vote.bundle_downloaded", estate_id=vote.estate_id, object_type="vote", object_id=vote.id,
           details={"command": "flask voting bundle"})
    partial = out.with_name(out.name + ".part")
    partial.write_bytes(body)
    os.replace(partial, out)  # the whole file under its name, or none
    try:
        db.session.commit()
    except Exception:
        out.unlink(missing_ok=True)  # no copy of the ballots whose export the audit log does not show
        raise
    click.echo(f"{out}: {len(body):,} bytes, {len(data['ballots'])} ballot(s), format {data['format']}")

"""``flask backup create|verify|restore DIR`` (see services for what a backup holds)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from . import services

backup_cli = AppGroup("backup", help="Back up, check and restore the database.")


def _summary(manifest: dict) -> str:
    state = manifest["state"]
    ballots = state["tables"].get("ballot", 0)
    return (f"{manifest['database']} at revision {','.join(state['revision']) or 'none'}, taken {manifest['created_at']}: "
            f"{len(state['audit_chains'])} audit chains, {len(state['vote_chains'])} votes ({ballots} ballots), "
            f"{len(state['stored_files'])} stored files")


def _report(report: services.Report, done: str) -> None:
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    if report.problems:
        raise SystemExit(1)
    click.echo(f"{done}: {_summary(report.manifest)}")
    click.echo("every table's rows, every audit chain, every vote's ballot chain and every stored file match "
               "the manifest")


@backup_cli.command("create")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def create(directory: Path) -> None:
    """Write a consistent backup and its manifest into DIRECTORY (new or empty)."""
    try:
        manifest = services.create(directory)
    except services.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backup written to {directory}: {_summary(manifest)}")


@backup_cli.command("verify")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--scratch-url", default=None,
              help="An empty database to restore into for the check (default: a temporary one beside the "
                   "configured database, dropped afterwards).")
def verify(directory: Path, scratch_url: str | None) -> None:
    """Restore DIRECTORY into a scratch database and check it against its manifest."""
    try:
        report = services.verify(directory, scratch_url)
    except services.BackupError as error:
        raise click.ClickException(str(error)) from error
    _report(report, "backup verified")


@backup_cli.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore(directory: Path) -> None:
    """Restore DIRECTORY into the configured database, which must be empty, then check it."""
    try:
        report = services.restore(directory)
    except services.BackupError as error:
        raise click.ClickException(str(error)) from error
    _report(report, "restored and checked")

"""``flask estates ...``: operator commands for the registry."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from ..core.progress_bar import ProgressBar
from ..extensions import db
from . import services, tasks
from .messages import describe

estates_cli = AppGroup("estates", help="Sub-districts, estates and the owners' roll.")
ROLL_STEPS = {"roll.checking": "Checking units", "roll.writing": "Writing the roll"}


@estates_cli.command("add")
@click.option("--sub-district", required=True, help="Sub-district name, e.g. 真如镇街道.")
@click.option("--community", required=True, help="Residents' committee (community) name.")
@click.option("--name", required=True, help="Estate name.")
@click.option("--address", default="", help="Estate address.")
def add_estate(sub_district: str, community: str, name: str, address: str) -> None:
    """Create an estate (and its sub-district and community if new); prints its id."""
    estate = services.ensure_estate(
        services.ensure_community(services.ensure_sub_district(sub_district), community), name, address)
    db.session.commit()
    click.echo(f"estate {estate.id}: {sub_district} / {community} / {name}")


@estates_cli.command("list")
def list_estates() -> None:
    """List estates with their ids."""
    for estate in services.list_estates():
        click.echo(f"{estate.id}\t{estate.community.sub_district.name} / {estate.community.name} / {estate.name}")


@estates_cli.command("import-roll")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--estate", "estate_id", type=int, required=True, help="Estate id (see `flask estates list`).")
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
def import_roll(file: Path, estate_id: int, dry_run: bool) -> None:
    """Import the owners' roll from a CSV (UTF-8 or GBK) or XLSX file, all or nothing."""
    estate = services.get_estate(estate_id)
    if estate is None:
        raise click.UsageError(f"no estate with id {estate_id}; see `flask estates list`")
    # The page's limit (MAX_UPLOAD_BYTES), before a byte is read: the reader stops at a roll's
    # row limit, and the file is never larger in memory than an upload can be.
    largest = current_app.config["MAX_CONTENT_LENGTH"]
    if file.stat().st_size > largest:
        raise click.ClickException(f"the file is larger than {largest:,} bytes (MAX_UPLOAD_BYTES), the most the "
                                   f"import page accepts; nothing was imported")
    content = file.read_bytes()
    # The bar hears what the page's job hears (tasks.progress_of): units checked, then the writing.
    with ProgressBar(ROLL_STEPS) as bar:
        if dry_run:
            report = services.check_roll_file(estate, content, file.name, tasks.progress_of(bar))
        else:
            report = services.import_roll(estate, content, file.name, tasks.progress_of(bar))
    if not report.ok:
        db.session.rollback()
        # No request to choose a language from (the locale selector reads its
        # cookie); operator output is in English like the rest of this command.
        with force_locale("en"):
            for problem in report.problems:
                click.echo(f"row {problem.row}, {problem.column or '-'}: {describe(problem)}", err=True)
        raise click.ClickException(f"{len(report.problems)} problem(s) found; nothing was imported")
    _echo_summary(report, dry_run)
    if not dry_run:
        db.session.commit()


def _echo_summary(report: services.ImportReport, dry_run: bool) -> None:
    click.echo(f"rows: {report.row_count}, units: {report.unit_count}, new: {report.new_units}, "
               f"changed: {report.changed_units}, unchanged: {report.unchanged_units}, "
               f"owners with new details: {report.changed_owners}")
    if report.missing_units:
        click.echo(f"{len(report.missing_units)} unit(s) of the estate are not in the file and were left "
                   f"unchanged: {', '.join(report.missing_units[:20])}")
    for change in report.changes[:50]:
        click.echo(f"  {change.unit}: {change.field}: {change.old or '-'} -> {change.new or '-'}")
    if len(report.changes) > 50:
        click.echo(f"  ... and {len(report.changes) - 50} more changes")
    if dry_run:
        click.echo("dry run: nothing was written")
    elif report.applied:
        click.echo(f"imported (import {report.roll_import_id})")
    else:
        click.echo("no changes: the roll already matches this file")

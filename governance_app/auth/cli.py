"""``flask auth ...``: accounts for staff, created by an operator."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from ..core.progress_bar import ProgressBar
from ..documents import services as documents
from ..estates.services import get_estate
from ..extensions import db
from ..jobs import services as jobs
from ..jobs.messages import failure_text
from . import services, tasks
from .messages import REASONS
from .models import Role, ScopeKind

auth_cli = AppGroup("auth", help="Accounts and roles.")
LETTER_STEPS = {"letters.issuing": "Issuing the codes", "letters.drawing": "Drawing the letters",
                "letters.binding": "Binding the letters"}


def _scope(value: str) -> tuple[ScopeKind, int | None]:
    if value == "platform":
        return ScopeKind.PLATFORM, None
    kind, _sep, number = value.partition(":")
    try:
        return ScopeKind(kind), int(number)
    except ValueError as error:
        raise click.BadParameter('use "platform", "sub_district:ID", "community:ID" or "estate:ID"') from error


@auth_cli.command("create-user")
@click.option("--login", required=True, help="Login name.")
@click.option("--name", "display_name", required=True, help="The person's name.")
@click.option("--role", type=click.Choice([r.value for r in Role if r != Role.OWNER]), required=True)
@click.option("--scope", required=True, help='"platform", "sub_district:ID", "community:ID" or "estate:ID".')
@click.password_option(help="First password; asked for when not given.")
def create_user(login: str, display_name: str, role: str, scope: str, password: str) -> None:
    """Create a staff account with one role; the person sets up TOTP at first sign-in."""
    kind, scope_id = _scope(scope)
    if kind != ScopeKind.PLATFORM and services.scope_sub_district(kind, scope_id) is None:
        raise click.BadParameter(f"no {kind.value} with id {scope_id}", param_hint="--scope")
    try:
        user = services.create_user(login, display_name, password, actor=None,
                                    grants=[(Role(role), kind, scope_id)])
    except services.AuthError as error:
        raise click.ClickException(str(REASONS.get(error.reason, error.reason))) from error
    db.session.commit()
    click.echo(f"user {user.id} ({user.login}) created as {role} over {scope}")


@auth_cli.command("letters")
@click.argument("estate_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="The PDF to write, e.g. letters.pdf.")
@click.option("--reissue", is_flag=True, help="Also owners holding an unused letter (it is revoked).")
def letters(estate_id: int, out: Path, reissue: bool) -> None:
    """Issue activation letters to the owners of an estate who have no account (and, unless
    --reissue, no unused letter) and write them as one PDF: the work of the page's job, with a
    progress bar. Codes are kept only once the file is written."""
    estate = get_estate(estate_id)
    if estate is None:
        raise click.UsageError(f"no estate with id {estate_id}; see `flask estates list`")
    try:
        with jobs.page_context(), ProgressBar(LETTER_STEPS) as bar:
            result = tasks.letters_pdf(estate, [], reissue, None, bar, processes=documents.pdf_processes())
    except jobs.JobError as error:
        db.session.rollback()
        with force_locale("en"):  # operator output is in English, as the other commands'
            raise click.ClickException(f"{failure_text(error.reason)} Nothing was written.") from error
    partial = out.with_name(out.name + ".part")
    partial.write_bytes(result.content)
    os.replace(partial, out)  # the whole file under its name, or none
    try:
        db.session.commit()
    except Exception:
        out.unlink(missing_ok=True)  # no letters whose codes were never kept
        raise
    click.echo(f"{out}: {len(result.content):,} bytes, activation letters for {estate.name}")

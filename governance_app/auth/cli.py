"""``flask auth ...``: accounts for staff, created by an operator."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from . import services
from .messages import REASONS
from .models import Role, ScopeKind

auth_cli = AppGroup("auth", help="Accounts and roles.")


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

"""Operator commands: ``flask doctor``, ``flask demo load`` and ``flask ops grants``."""
from __future__ import annotations

import ctypes.util
import shutil
import subprocess
from dataclasses import dataclass

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import text

from ..auth.totp import Totp
from ..demo import DEMO_PASSWORD, demo_letters, demo_totp_secret, demo_users, load_demo
from ..estates.services import list_estates
from ..extensions import db
from .progress_bar import ProgressBar

APT_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils chromium"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


def check_database() -> Check:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    url = db.engine.url.render_as_string(hide_password=True)
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = MigrationContext.configure(connection).get_current_heads()
    except Exception as error:  # any driver error means "not reachable"; we report it
        return Check("database", False, f"{url}: {error.__class__.__name__}: {error}",
                     "start the database or set DATABASE_URL")
    migrate: Migrate = current_app.extensions["migrate"].migrate
    heads = ScriptDirectory.from_config(migrate.get_config()).get_heads()
    if set(current) != set(heads):
        return Check("database", False, f"{url}: at {list(current) or 'no revision'}, head is {heads}",
                     "run: flask db upgrade")
    return Check("database", True, f"{url}: migrated to {heads[0]}")


def check_cjk_font() -> Check:
    fix = "apt-get install fonts-noto-cjk"
    if not shutil.which("fc-list"):
        return Check("CJK font", False, "fontconfig (fc-list) not found", "apt-get install fontconfig fonts-noto-cjk")
    found = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, check=False)
    families = sorted({line.split(",")[0] for line in found.stdout.splitlines() if line.strip()})
    if not families:
        return Check("CJK font", False, "no Simplified Chinese font known to fontconfig", fix)
    return Check("CJK font", True, ", ".join(families[:3]))


def check_library(name: str, package: str, soname: str) -> Check:
    path = ctypes.util.find_library(soname)
    if path is None:
        return Check(name, False, f"lib{soname} not found", f"apt-get install {package}")
    return Check(name, True, path)


def check_chromium() -> Check:
    path = shutil.which("chromium")
    if path is None:
        return Check("chromium", False, "not found (needed by the browser tests only)",
                     "apt-get install chromium", required=False)
    return Check("chromium", True, path, required=False)


def check_redis() -> Check | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except ImportError:
        return Check("redis", False, "REDIS_URL is set but the redis package is missing",
                     "pip install 'owners-governance[redis]'")
    except Exception as error:  # connection refused, timeouts, auth: all mean "not usable"
        return Check("redis", False, f"{url}: {error}", "start Redis or unset REDIS_URL")
    return Check("redis", True, url)


def run_checks() -> list[Check]:
    checks = [
        check_database(),
        check_cjk_font(),
        check_library("pango (PDF)", "libpango-1.0-0 libpangoft2-1.0-0", "pango-1.0"),
        check_library("harfbuzz subset (PDF)", "libharfbuzz-subset0", "harfbuzz-subset"),
        check_chromium(),
    ]
    redis_check = check_redis()
    if redis_check:
        checks.append(redis_check)
    for more in EXTRA_CHECKS:
        checks.extend(more())
    return checks


# Checks a package adds (the job system: its broker and workers), each returning a list of Check.
EXTRA_CHECKS: list = []


@click.command("doctor")
@with_appcontext
def doctor_command() -> None:
    """Check what the platform needs on this machine and say what to install."""
    checks = run_checks()
    for check in checks:
        mark = "ok  " if check.ok else ("MISSING" if check.required else "missing (optional)")
        click.echo(f"[{mark}] {check.name}: {check.detail}")
        if not check.ok:
            click.echo(f"        fix: {check.fix}")
    missing_packages = [c for c in checks if not c.ok and c.fix.startswith("apt-get")]
    if missing_packages:
        click.echo(f"\nAll Debian packages in one line:\n  sudo apt-get install {APT_PACKAGES}")
    if any(not c.ok and c.required for c in checks):
        raise SystemExit(1)


demo_cli = AppGroup("demo", help="Demo data for trying the platform out.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only when the database has no estate yet.")
def load_demo_command(if_empty: bool) -> None:
    """Load the invented demo sub-district and estates (idempotent; refused in production)."""
    if current_app.config["GOVERNANCE_ENV"] == "production":
        raise click.ClickException("demo data is never loaded in production")
    if if_empty and list_estates():
        click.echo("The database already has estates; demo not loaded.")
        return

    with ProgressBar() as bar:
        reports = load_demo(bar)
    for name, report in reports:
        state = f"{report.new_units} new, {report.changed_units} changed" if report.applied else "unchanged"
        click.echo(f"{name}: {report.unit_count} units ({state})")
    db.session.commit()


@demo_cli.command("logins")
@click.option("--url", default="http://127.0.0.1:5000", help="Where the site is served.")
def demo_logins_command(url: str) -> None:
    """Print the demo accounts (password, TOTP key and the code valid now) and letters."""
    import time

    users = demo_users()
    if not users:
        click.echo("No demo accounts: run `flask demo load` first.")
        return
    click.echo(f"\nThe site: {url}/   Every demo password: {DEMO_PASSWORD}")
    click.echo("Add the TOTP key to an authenticator app, or use the code shown (valid for 30 s):\n")
    now = int(time.time())
    for account, user in users:
        secret = demo_totp_secret(account.login)
        role = account.role.value if account.role else "owner"
        click.echo(f"  {account.login:<12} {role:<22} key {secret}  code now {Totp(secret).code_at(now)}")
    letters = demo_letters()
    if letters:
        click.echo(f"\nActivation letters for owners ({url}/activate): unit, code, last 4 of id document")
        for unit, code, last4 in letters:
            click.echo(f"  {unit:<8} {code}  {last4}")
    click.echo("")


ops_cli = AppGroup("ops", help="Operating the production database.")


@ops_cli.command("grants")
@click.option("--role", required=True, help="The PostgreSQL role the application connects as (not the owner).")
@click.option("--show", is_flag=True, help="Print the statements and change nothing.")
def grants_command(role: str, show: bool) -> None:
    """Give the application's role what it needs and no UPDATE or DELETE on ballots, the audit log,
    published statements and their entries, and issued documents. Run it as the tables' owner (the
    role that runs `flask db upgrade`), after every upgrade; it is idempotent."""
    from . import grants

    if show:
        preparer = db.engine.dialect.identifier_preparer
        for statement in grants.statements(preparer.quote(role), "public"):
            click.echo(statement + ";")
        return
    try:
        with db.engine.begin() as connection:
            done = grants.apply(connection, role)
    except grants.GrantError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{len(done)} statements run: {role} may no longer change {', '.join(grants.APPEND_ONLY)}, "
               f"nor {grants.PERIODS_FROZEN} rows of published periods")

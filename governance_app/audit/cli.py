"""``flask audit verify``: walk every chain and report the first broken link of each, then
compare the chains with their heads kept outside the database."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from . import services

audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("verify")
@click.option("--chain", default=None, help='One chain only, e.g. "estate:3" or "platform".')
@click.option("--head", "heads", nargs=3, multiple=True, metavar="CHAIN SEQ HASH",
              help="A head printed on paper, e.g. --head estate:3 412 9f2c51e0a7b4d388 (at least 16 characters "
                   "of the hash); repeatable.")
@click.option("--no-documents", is_flag=True, help="Do not compare with the heads the issued documents recorded.")
def verify(chain: str | None, heads: tuple[tuple[str, str, str], ...], no_documents: bool) -> None:
    """Check every event's hash and link, then that each head recorded by an issued document (and
    each --head typed from paper) is still in the log: a log rewritten whole, every hash
    recomputed, links up but no longer holds what paper already shows. Exit 1 at any break."""
    try:
        typed = [services.parse_anchor(*head) for head in heads]
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--head") from error
    breaks = services.verify(chain)
    for found in breaks:
        where = f"event {found.event_id}" if found.event_id else "chain head"
        click.echo(f"BROKEN {found.chain} at seq {found.seq} ({where}): {found.reason}", err=True)
    anchors = typed + ([] if no_documents else services.recorded_anchors())
    mismatches = services.verify_anchors(anchors, chain)
    for found in mismatches:
        click.echo(f"REWRITTEN {found.chain} at seq {found.seq}: {found.reason}", err=True)
    if breaks or mismatches:
        raise SystemExit(1)
    checked = sum(1 for anchor in anchors if chain is None or anchor.chain == chain)
    click.echo(f"audit log intact; {checked} recorded head(s) match")

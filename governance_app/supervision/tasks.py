"""Jobs of supervision (issue 16): the dashboard's rows as CSV or XLSX. A dashboard spans every
estate its reader supervises, hundreds in a sub-district, so the file is made by a job."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..auth.permissions import visible_estates
from ..core import clock
from ..estates.models import Estate
from ..extensions import db
from ..jobs import services as jobs
from ..jobs.messages import describe
from ..jobs.registry import Result, work
from . import export, views

DASHBOARD_EXPORT = "supervision_export"
FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
describe(DASHBOARD_EXPORT, _l("Estates under supervision (CSV or Excel)"), steps={
    "supervision.reading": _l("Reading the duties of every estate"),
    "supervision.rows": _l("Estate %(done)s of %(total)s"),
}, failures={"no_estates": _l("You no longer supervise any estate; nothing was made.")})


def start_export(fmt: str, community: int | None, kind: str | None, actor):
    """The job writing what the dashboard shows its starter (with its filters). Only its starter
    sees it: the rows are those of their own scope. The caller commits and dispatches."""
    return jobs.start(DASHBOARD_EXPORT, owner=actor,
                      params={"format": fmt, "community": community, "kind": kind})


def supervises_any(user) -> bool:
    query = visible_estates(user, "supervision.dashboard")
    return db.session.scalar(query.with_only_columns(Estate.id).limit(1)) is not None


@work(DASHBOARD_EXPORT)
def dashboard_export(job, progress) -> Result:
    fmt = job.params["format"]
    if not supervises_any(job.owner):
        raise jobs.JobError("no_estates")
    query = visible_estates(job.owner, "supervision.dashboard")
    progress(0, 0, "supervision.reading")
    today = clock.today()
    with jobs.in_starters_language(job):  # duties' titles and the columns' words
        rows, _headline, _communities = views.dashboard(query, today, community=job.params.get("community"),
                                                        kind=job.params.get("kind"))
        table = export.export_rows(rows, today, lambda done, total: progress(done, total, "supervision.rows"))
    content = export.table_csv(table) if fmt == "csv" else export.table_xlsx(table)
    return Result(content, f"supervision.{fmt}", FORMATS[fmt])

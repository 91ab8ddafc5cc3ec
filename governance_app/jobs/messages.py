"""What a job's page says, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.refusals import register_messages
from .services import JobError

KIND_TITLES: dict[str, object] = {}
STEP_TEXTS: dict[str, object] = {
    "": _l("Waiting for its turn"),
}
FAILURE_TEXTS: dict[str, object] = {
    "error": _l("Something went wrong on the server. Nothing was kept; you may start it again."),
    "worker_lost": _l("The job stopped before it finished. Nothing was kept; you may start it again."),
    "font_missing": _l("No Chinese font is installed on the server; the administrator must install fonts-noto-cjk."),
    "not_failed": _l("Only a job that failed can be started again."),
}
register_messages(JobError, FAILURE_TEXTS, fallback=FAILURE_TEXTS["error"])


def describe(kind: str, title, steps: dict | None = None, failures: dict | None = None) -> None:
    """Each package says, beside its ``@work``, what its kind of job is called, what each step
    says (``%(done)s``/``%(total)s`` available) and why it may fail (JobError reasons)."""
    KIND_TITLES[kind] = title
    STEP_TEXTS.update(steps or {})
    FAILURE_TEXTS.update(failures or {})


def kind_title(kind: str) -> str:
    return str(KIND_TITLES.get(kind, kind))


def step_text(step: str, done: int, total: int) -> str:
    template = STEP_TEXTS.get(step, STEP_TEXTS[""])
    return str(template) % {"done": done, "total": total}


def failure_text(reason: str | None) -> str:
    return str(FAILURE_TEXTS.get(reason or "error", FAILURE_TEXTS["error"]))

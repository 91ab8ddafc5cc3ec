"""What a job's page says, in the reader's language."""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from ..core.refusals import register_messages
from .services import JobError



class Outcome(NamedTuple):
    """What the page of a finished job that made no file says, and where the reader goes next."""

    text: str
    link: str
    link_text: str


KIND_TITLES: dict[str, object] = {}
OUTCOMES: dict[str, Callable] = {}
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


def describe(kind: str, title, steps: dict | None = None, failures: dict | None = None,
             outcome: Callable | None = None) -> None:
    """Each package says, beside its ``@work``, what its kind of job is called, what each step
    says (``%(done)s``/``%(total)s`` available) and why it may fail (JobError reasons); a kind
    whose work makes no file (it returns a ``Summary``) gives ``outcome(job, values) -> Outcome``,
    called when its page is shown, in the reader's language."""
    KIND_TITLES[kind] = title
    STEP_TEXTS.update(steps or {})
    FAILURE_TEXTS.update(failures or {})
    if outcome is not None:
        OUTCOMES[kind] = outcome


def outcome(job, values: dict | None) -> Outcome | None:
    said = OUTCOMES.get(job.kind)
    return said(job, values) if said is not None and values is not None else None


def kind_title(kind: str) -> str:
    return str(KIND_TITLES.get(kind, kind))


def step_text(step: str, done: int, total: int) -> str:
    template = STEP_TEXTS.get(step, STEP_TEXTS[""])
    return str(template) % {"done": done, "total": total}


def failure_text(reason: str | None) -> str:
    return str(FAILURE_TEXTS.get(reason or "error", FAILURE_TEXTS["error"]))

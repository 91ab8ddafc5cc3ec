"""Which function does each kind of job's work (registered by each package's ``tasks.py``), and
the other tasks a worker runs under a name (the schedule's, the mail's), registered by the package
that owns them: the job system knows them by name and imports none of those packages."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """What a job made: the file a person downloads."""

    content: bytes
    name: str
    mimetype: str


@dataclass(frozen=True)
class Summary:
    """What a job did when it makes no file (an import writes rows, not a file): a few numbers
    that its kind's ``done`` text shows (``jobs.messages.describe``). Kept with the job, in the
    database: numbers only, never a person's data."""

    values: dict


Progress = Callable[..., None]  # progress(done, total, step, **values)
_WORK: dict[str, Callable] = {}


def work(kind: str):
    """``@work("activation_letters")`` over ``def letters(job, progress) -> Result`` (or
    ``-> Summary`` for work that makes no file)."""
    def register(function: Callable) -> Callable:
        _WORK[kind] = function
        return function
    return register


def function_for(kind: str) -> Callable:
    return _WORK[kind]


_TASKS: dict[str, tuple[Callable, dict]] = {}


def task(name: str, **options):
    """``@task("governance.tick")`` over a function a worker runs under that name; ``options`` are
    Celery's (``bind=True`` passes the Celery task first, to retry)."""
    def register(function: Callable) -> Callable:
        _TASKS[name] = (function, options)
        return function
    return register


def tasks() -> dict[str, tuple[Callable, dict]]:
    """The registered tasks by name: (function, Celery's options)."""
    return dict(_TASKS)

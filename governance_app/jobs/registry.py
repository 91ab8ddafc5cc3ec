"""Which function does each kind of job's work (registered by each package's ``tasks.py``)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """What a job made: the file a person downloads."""

    content: bytes
    name: str
    mimetype: str


Progress = Callable[..., None]  # progress(done, total, step, **values)
_WORK: dict[str, Callable] = {}


def work(kind: str):
    """``@work("activation_letters")`` over ``def letters(job, progress) -> Result``."""
    def register(function: Callable) -> Callable:
        _WORK[kind] = function
        return function
    return register


def function_for(kind: str) -> Callable:
    return _WORK[kind]

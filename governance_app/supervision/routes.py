"""Pages of supervision: the dashboard, an estate's process and timeline, and each stage's form."""
from __future__ import annotations

from flask import Blueprint

from . import duties  # noqa: F401 (registers the package's duties with core.duties)
from . import permissions  # noqa: F401 (registers the package's actions)
from . import services  # noqa: F401 (connects the followers of voting's signals)

bp = Blueprint("supervision", __name__)

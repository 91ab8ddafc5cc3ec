"""Uploaded evidence (ballot scans, proxy authorities, invoices), stored by content hash."""
from . import messages as _messages  # noqa: F401 (a refused file's messages, registered on import)

"""Uploaded evidence (ballot scans, proxy authorities, invoices), stored by content hash."""

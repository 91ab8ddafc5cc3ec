"""The browser tests' server survives a browser that resets connections.

A phone browser cancels a script or stylesheet it no longer needs when the page moves on. Werkzeug
then leaves the open static file to the garbage collector, whose ResourceWarning failed whichever
browser test was running (CI, PostgreSQL pass). ``tests.e2e.conftest._Handler`` closes it.
"""
from __future__ import annotations

import gc
import socket
import struct
import sys
import time
from urllib.parse import urlsplit


def test_a_reset_connection_leaves_no_static_file_open(live_server, monkeypatch):
    leaked: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: leaked.append(repr(unraisable.exc_value)))
    address = urlsplit(live_server)
    for _ in range(200):
        client = socket.create_connection((address.hostname, address.port))
        # A request the server answers with a file while the client has more unread bytes on the way,
        # then a reset (linger 0) instead of an orderly close.
        client.sendall(b"GET /static/js/session.js HTTP/1.1\r\nHost: localhost\r\n\r\n" + b"x" * 100_000)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
    time.sleep(1)  # the server's threads finish the requests
    gc.collect()
    assert leaked == []

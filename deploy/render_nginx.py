#!/usr/bin/env python3
"""Render deploy/nginx/governance.conf.in into an nginx site (printed, or written with --output).

    python3 deploy/render_nginx.py --server-name vote.example.gov.cn \
        --certificate /etc/ssl/certs/vote.pem --key /etc/ssl/private/vote.key \
        --output /etc/nginx/sites-available/governance

Standard library only. Every value has a production default but the server name and the TLS files.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "governance.conf.in"
DEFAULT_STATIC = "/srv/governance/app/governance_app/static"


def render(*, server_name: str, certificate: str, key: str, upstream: str = "127.0.0.1:8000",
           static_root: str = DEFAULT_STATIC, max_upload_bytes: int = 16 * 1024 * 1024, https_port: int = 443,
           http_port: int = 80, listen_address: str = "", proxy_bind: str = "") -> str:
    def listen(port: int) -> str:
        if listen_address:
            return f"{listen_address}:{port}"
        return f"{port};\n    listen [::]:{port}"

    values = {
        "SERVER_NAME": server_name, "TLS_CERTIFICATE": certificate, "TLS_KEY": key, "UPSTREAM": upstream,
        "STATIC_ROOT": static_root.rstrip("/"), "MAX_UPLOAD_BYTES": str(max_upload_bytes),
        "HTTP_LISTEN": listen(http_port), "HTTPS_LISTEN": listen(https_port),
        "HTTPS_PORT_SUFFIX": "" if https_port == 443 else f":{https_port}",
        "PROXY_BIND": f"\n        proxy_bind {proxy_bind};" if proxy_bind else "",
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    # "listen 443;\n listen [::]:443 ssl http2" needs the options on both lines.
    if not listen_address:
        text = text.replace("listen @HTTPS_LISTEN@ ssl http2;", f"listen {https_port} ssl http2;\n"
                                                                  f"    listen [::]:{https_port} ssl http2;")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    if "@" in "".join(line.split("#")[0] for line in text.splitlines()):
        raise ValueError("a placeholder was left unfilled")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-name", required=True, help="the site's host name, as on the certificate")
    parser.add_argument("--certificate", required=True, help="TLS certificate (full chain), PEM")
    parser.add_argument("--key", required=True, help="TLS private key, PEM")
    parser.add_argument("--upstream", default="127.0.0.1:8000", help="gunicorn's address (default %(default)s)")
    parser.add_argument("--static-root", default=DEFAULT_STATIC, help="governance_app/static of the installed code")
    parser.add_argument("--max-upload-bytes", type=int,
                        default=int(os.environ.get("MAX_UPLOAD_BYTES", str(16 * 1024 * 1024))),
                        help="the application's MAX_UPLOAD_BYTES (default: from the environment, else 16 MiB)")
    parser.add_argument("--https-port", type=int, default=443)
    parser.add_argument("--http-port", type=int, default=80)
    parser.add_argument("--listen-address", default="", help="listen on this address only (default: all)")
    parser.add_argument("--proxy-bind", default="", help="the local address to connect to gunicorn from")
    parser.add_argument("--output", type=Path, help="write here instead of printing")
    args = parser.parse_args(argv)
    text = render(server_name=args.server_name, certificate=args.certificate, key=args.key, upstream=args.upstream,
                  static_root=args.static_root, max_upload_bytes=args.max_upload_bytes, https_port=args.https_port,
                  http_port=args.http_port, listen_address=args.listen_address, proxy_bind=args.proxy_bind)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

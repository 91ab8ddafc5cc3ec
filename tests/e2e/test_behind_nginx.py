"""The deployment of deploy/ (issue 21): nginx terminating TLS with a self-signed certificate in front
of gunicorn (2 workers, production settings) on a private PostgreSQL and Redis, all on free ports.

``nginx -t`` accepts the rendered site; then an owner signs in with a TOTP code and casts a ballot in
Chromium through nginx, showing that behind the proxy the cookies are Secure, the CSRF checks pass,
redirects stay on https and the proxy's port, and the client's address is the browser's (not the
proxy's, nor one the browser made up). /metrics counts the cast (gathered from both workers) and is
never served through nginx; an error page's request id is nginx's, and is in both logs.
"""
from __future__ import annotations

import datetime as dt
import gzip
import http.client
import ipaddress
import json
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Codes, sign_in_browser
from tests.ops import scene as scenes
from tests.ops.servers import PROJECT, Gunicorn, PrivatePostgres, PrivateRedis, free_port, http_request, wait_until

SECRET = "production-like-secret-key-for-the-nginx-test-0123456789"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
                   .not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "site.pem", folder / "site.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Nginx:
    """A private nginx (never the system's service): the site rendered by deploy/render_nginx.py into a
    minimal main configuration of its own, with its own pid, logs and temporary folders."""

    def __init__(self, folder: Path, upstream_port: int, max_upload: int):
        import importlib.util

        spec = importlib.util.spec_from_file_location("render_nginx", PROJECT / "deploy" / "render_nginx.py")
        renderer = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(renderer)
        self.folder = folder
        self.https_port, self.http_port = free_port(), free_port()
        cert, key = self_signed(folder)
        # nginx connects to gunicorn from 127.0.0.2, so that an application reading the socket's
        # address instead of X-Forwarded-For would be caught.
        site = renderer.render(server_name="127.0.0.1", certificate=str(cert), key=str(key),
                               upstream=f"127.0.0.1:{upstream_port}", static_root=str(PROJECT / "governance_app/static"),
                               max_upload_bytes=max_upload, https_port=self.https_port, http_port=self.http_port,
                               listen_address="127.0.0.1", proxy_bind="127.0.0.2")
        (folder / "site.conf").write_text(site, encoding="utf-8")
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / name).mkdir()
        user = "user root root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(f"""{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format withid '$remote_addr "$request" $status $request_id';
    access_log {folder}/access.log withid;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""", encoding="utf-8")
        self.command = [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")]
        self.process: subprocess.Popen | None = None

    def check(self) -> subprocess.CompletedProcess:
        return subprocess.run([*self.command, "-t"], capture_output=True, text=True, timeout=30)

    def start(self) -> None:
        self.process = subprocess.Popen([*self.command, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)

        def answers():
            if self.process.poll() is not None:
                raise RuntimeError((self.folder / "error.log").read_text(errors="replace"))
            try:
                http_request(self.http_port, "GET", "/", timeout=2)
                return True
            except OSError:
                return False

        wait_until(answers, 20, "nginx starting")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def access_log(self) -> str:
        return (self.folder / "access.log").read_text(errors="replace")


def https(port: int, method: str, path: str, body=None, headers=None) -> tuple[int, dict, bytes]:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def announced_body(port: int, length: int) -> str:
    """The answer to a request that announces a body of ``length`` bytes (and sends none)."""
    import socket

    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as connection:
        connection.sendall(f"POST /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {length}\r\n"
                           f"Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode())
        return connection.recv(4096).decode("latin-1")


@pytest.fixture(scope="module")
def deployment():
    if not os.path.exists(NGINX):
        message = "nginx not found: apt-get install nginx"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (the deployment test must run in CI)")
        pytest.skip(message)
    from flask_migrate import upgrade

    from governance_app import create_app
    from governance_app.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="governance-nginx-"))
    os.chmod(folder, 0o755)
    postgres, redis_server = PrivatePostgres(), PrivateRedis()
    started = []
    try:
        postgres.start()
        started.append(postgres)
        redis_server.start()
        database = postgres.create_database("site")
        keys = {"SECRET_KEY": SECRET, "ID_HASH_KEY": SECRET[::-1], "TOTP_ENCRYPTION_KEY": SECRET.upper()}
        app = create_app({"GOVERNANCE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database, **keys})
        with app.app_context():
            upgrade()
            built = scenes.build(4)
            db.session.remove()
            db.engine.dispose()
        metrics = folder / "metrics"
        metrics.mkdir()
        upstream_port = free_port()
        max_upload = 2 * 1024 * 1024
        nginx = Nginx(folder, upstream_port, max_upload)
        env = {**os.environ, "GOVERNANCE_ENV": "production", "DATABASE_URL": database, "REDIS_URL": redis_server.url,
               "TRUSTED_PROXIES": "1", "PROMETHEUS_MULTIPROC_DIR": str(metrics), "LOG_LEVEL": "INFO",
               "MAX_UPLOAD_BYTES": str(max_upload), "SITE_URL": f"https://127.0.0.1:{nginx.https_port}", **keys}
        web = Gunicorn(env, port=upstream_port)
        started.append(web)
        yield {"app": app, "scene": built, "nginx": nginx, "web": web, "base": f"https://127.0.0.1:{nginx.https_port}",
               "database": database}
    finally:
        for server in reversed(started):
            if isinstance(server, Gunicorn):
                server.stop()
        if "nginx" in locals():
            nginx.stop()
        redis_server.stop()
        postgres.destroy()
        shutil.rmtree(folder, ignore_errors=True)


def test_nginx_accepts_the_rendered_site(deployment):
    checked = deployment["nginx"].check()
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr


def test_an_owner_signs_in_and_casts_through_nginx(deployment, browser):
    from sqlalchemy import create_engine, text

    nginx, web, built = deployment["nginx"], deployment["web"], deployment["scene"]
    nginx.start()
    try:
        person = next(p for p in built.owners if p.voter not in built.voted)
        context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                      base_url=deployment["base"], locale="zh-CN", ignore_https_errors=True,
                                      extra_http_headers={"X-Forwarded-For": "203.0.113.7"})
        context.set_default_timeout(15_000)
        page = context.new_page()
        signed_in_at = time.time()
        sign_in_browser(page, person, password=scenes.PASSWORD, at=signed_in_at)
        assert page.url == f"{deployment['base']}/"  # the home page; the redirect kept https and the proxy's port
        cookies = {cookie["name"]: cookie for cookie in context.cookies()}
        assert cookies["session"]["secure"] and cookies["session"]["httpOnly"]
        assert cookies["session"]["sameSite"] == "Lax"
        page.goto(f"/votes/{built.open_vote}")
        page.get_by_role("link", name="现在投票").click()
        page.get_by_role("group", name="1. 使用维修资金更换水泵").get_by_label("同意").check()
        page.get_by_role("button", name="查看我的选择").click()
        page.get_by_label("身份验证器应用中的 6 位验证码").fill(Codes(person, used_at=signed_in_at).next())
        page.get_by_role("button", name="提交我的选票").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("您的选票已登记")
        assert page.url.startswith(f"{deployment['base']}/votes/{built.open_vote}/receipt")
        tracker = page.locator("#tracker").inner_text()
        # A form without its CSRF token is refused, with the request id nginx gave it.
        refused = page.request.post(f"{deployment['base']}/votes/{built.open_vote}/ballot/confirm",
                                    form={"voter": person.voter})
        assert refused.status == 400
        request_id = refused.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", request_id) and request_id in refused.text()
        context.close()

        engine = create_engine(deployment["database"])
        with engine.connect() as connection:
            ballot = connection.execute(text("SELECT tracker FROM ballot WHERE vote_id = :v AND voter = :p"),
                                        {"v": built.open_vote, "p": person.voter}).scalar_one()
            addresses = set(connection.execute(text(
                "SELECT ip FROM user_session WHERE user_id = :u AND user_agent <> 'ops-scene'"),
                {"u": person.user_id}).scalars())
            audited = set(connection.execute(text(
                "SELECT ip FROM audit_event WHERE actor_id = :u AND action = 'user.signed_in' AND ip <> ''"),
                {"u": person.user_id}).scalars())
        engine.dispose()
        assert ballot == tracker
        assert addresses == audited == {"127.0.0.1"}  # the browser's: not nginx's 127.0.0.2, not 203.0.113.7

        # The request id of the refused form is in nginx's access log and in the application's.
        assert request_id in nginx.access_log()
        logged = [line for line in web.json_lines() if line.get("request_id") == request_id]
        assert any(line.get("status") == 400 and line.get("remote_addr") == "127.0.0.1" for line in logged)

        # Prometheus reads gunicorn on loopback; both workers' figures are added up. Through nginx: 404.
        status, _headers, body = http_request(web.port, "GET", "/metrics")
        assert status == 200
        assert 'governance_casts_total{channel="online"} 1.0' in body
        assert https(nginx.https_port, "GET", "/metrics")[0] == 404
    finally:
        nginx.stop()


def test_the_proxy_redirects_caches_compresses_and_limits(deployment):
    nginx = deployment["nginx"]
    nginx.start()
    try:
        status, headers, _body = http_request(nginx.http_port, "GET", "/login?next=/account")
        assert (status, headers["location"]) == (301, f"{deployment['base']}/login?next=/account")
        status, headers, body = https(nginx.https_port, "GET", "/login", headers={"Accept-Encoding": "gzip"})
        assert status == 200 and "content-encoding" not in headers  # HTML is never compressed (BREACH)
        assert headers["strict-transport-security"].startswith("max-age=")
        stylesheet = re.search(rb'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', body).group(1).decode()
        status, headers, body = https(nginx.https_port, "GET", stylesheet, headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers["content-encoding"] == "gzip"
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        assert gzip.decompress(body) == (PROJECT / "governance_app/static/css/site.css").read_bytes()
        assert announced_body(nginx.https_port, 2 * 1024 * 1024 + 1).startswith("HTTP/1.1 413 ")
        status, _headers, body = https(nginx.https_port, "GET", "/readyz")
        checks = json.loads(body)["checks"]
        assert status == 200 and {name: checks[name] for name in ("database", "migrations", "redis")} == {
            "database": "ok", "migrations": "ok", "redis": "ok"}
        assert checks.get("celery_broker", "ok") == "ok"  # the broker is the same Redis (issue 16)
    finally:
        nginx.stop()

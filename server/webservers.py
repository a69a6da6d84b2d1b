"""Start real web servers serving a static copy of the site (`publish --static DIR`), on loopback only, each from a
private configuration in a folder of the caller's: Apache httpd (Debian `apache2`, modules loaded from
/usr/lib/apache2/modules, DIR/.htaccess obeyed) and nginx (Debian `nginx`, DIR/nginx.conf included). Used by
tests/web/test_static_site.py; the same way server/triplestores.py starts the triplestores."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from ccds_crosswalk.processes import free_port, stop

APACHE = Path("/usr/sbin/apache2")
APACHE_MODULES = Path("/usr/lib/apache2/modules")
# mod_rewrite and mod_headers for the rules, mod_mime for the types, mod_dir for DirectorySlash, authz for access
MODULES = ("mpm_event", "authz_core", "mime", "dir", "rewrite", "headers")


class ServerUnavailable(RuntimeError):
    """The web server is not installed or did not start; the message says which and why."""


@dataclass
class WebServer:
    name: str
    process: subprocess.Popen
    url: str
    folder: Path

    def stop(self) -> None:
        stop(self.process)


def _wait(server: WebServer, log: Path, seconds: float = 30) -> WebServer:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerUnavailable(f"{server.name} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            httpx.get(server.url + "/", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.stop()
    raise ServerUnavailable(f"{server.name} did not answer in {seconds} s")


def start_apache(document_root: Path, folder: Path, port: int | None = None) -> WebServer:
    """Apache serving `document_root` with its .htaccess (AllowOverride All), on `port` or a free one. Its children
    run as nobody, so the folder must be readable by everyone."""
    if not APACHE.exists():
        raise ServerUnavailable("Apache httpd is not installed: apt-get install apache2")
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    modules = "\n".join(f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so" for m in MODULES)
    config = folder / "httpd.conf"
    config.write_text(
        f"""ServerRoot {folder}
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
PidFile {folder}/httpd.pid
ErrorLog {folder}/error.log
LogLevel warn
{modules}
User nobody
Group nogroup
TypesConfig /dev/null
DocumentRoot {document_root}
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory {document_root}>
  AllowOverride All
  Require all granted
</Directory>
""",
        encoding="utf-8",
    )
    log = folder / "error.log"
    process = subprocess.Popen(
        [str(APACHE), "-f", str(config), "-DFOREGROUND"], stdout=subprocess.DEVNULL, stderr=log.open("wb")
    )
    return _wait(WebServer("apache", process, f"http://127.0.0.1:{port}", folder), log)


def start_nginx(include: Path, folder: Path) -> WebServer:
    """nginx with `include` (DIR/nginx.conf) in its http context, the server block's `listen 80` moved to a free
    loopback port (the one edit a deployment makes too)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise ServerUnavailable("nginx is not installed: apt-get install nginx")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = folder / "site.conf"
    site.write_text(include.read_text(encoding="utf-8").replace("listen 80;", f"listen 127.0.0.1:{port};"))
    temp = "\n".join(f"  {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi"))
    config = folder / "nginx.conf"
    config.write_text(
        f"""daemon off;
user root root;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
{temp}
  scgi_temp_path {folder}/scgi;
  include {site};
}}
""",
        encoding="utf-8",
    )
    log = folder / "stderr.log"
    process = subprocess.Popen(
        [binary, "-c", str(config), "-p", str(folder)], stdout=subprocess.DEVNULL, stderr=log.open("wb")
    )
    return _wait(WebServer("nginx", process, f"http://127.0.0.1:{port}", folder), log)

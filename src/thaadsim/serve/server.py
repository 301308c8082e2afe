"""Running the app: uvicorn on a host and port, a warning when the host is not loopback,
the browser opened on request."""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import webbrowser

from thaadsim.limits import check

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) is the loopback interface only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False
        return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def exposure_warning(host: str) -> str | None:
    """The warning printed when the server listens beyond this machine (None: loopback)."""
    if is_loopback(host):
        return None
    return (f"warning: thaadsim serve listens on {host}, not only on this machine: anyone "
            "who can reach it can start runs (each bounded by the server's limits) and read "
            "every result; there is no login. Use the default --host 127.0.0.1 unless you "
            "mean it.")


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, open_browser: bool = False,
          workers: int = 2) -> None:
    """Serve the app with uvicorn until Ctrl-C."""
    import uvicorn

    from thaadsim.serve.app import LOCAL_HOSTS, make_app

    check("port", port, "--port")
    check("serve_workers", workers, "--workers")
    warning = exposure_warning(host)
    if warning is not None:
        print(warning, file=sys.stderr)
    allowed = [*LOCAL_HOSTS] if warning is None else ["*"]
    app = make_app(workers=workers, allowed_hosts=allowed)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    print(f"thaadsim serve: {url} (Ctrl-C stops it)", file=sys.stderr)
    if open_browser:
        threading.Timer(1.5, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)

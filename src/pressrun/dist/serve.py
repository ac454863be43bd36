"""Serve: ``build/dist`` over HTTP on 127.0.0.1 only, to check the site locally.

In: the dist folder and a port.  Out: a running server until interrupted.
"""

from __future__ import annotations

import functools
import logging
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..errors import ConfigError, InputError

HOST = "127.0.0.1"
log = logging.getLogger("pressrun.serve")


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".epub": "application/epub+zip",
                      ".ris": "application/x-research-info-systems", ".bib": "application/x-bibtex"}

    def log_message(self, format: str, *args) -> None:
        log.info("%s " + format, self.address_string(), *args)


def make_server(folder: Path, port: int) -> ThreadingHTTPServer:
    """A server of ``folder`` bound to 127.0.0.1:``port`` (0 picks a free port)."""
    if not (folder / "index.html").is_file():
        raise InputError("nothing to serve: run `pressrun dist` first", folder)
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        return ThreadingHTTPServer((HOST, port), handler)
    except OSError as error:
        raise ConfigError(f"cannot listen on {HOST}:{port}: {error.strerror}") from None

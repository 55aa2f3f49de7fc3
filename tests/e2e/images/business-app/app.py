"""A small business web app: the e2e's stand-in for an ERP or a shop.

Reads the DB_* variables the platform sets. Its health path answers 200 only after a real
query on its MySQL database succeeds; `/` names the app, its version and its database.

Faults for the monitoring e2e: SIGUSR1 wedges the process (its health path answers 503 until it
restarts, like a front end whose worker hung); with /tmp/stay-broken present it starts wedged,
so restarts do not help.
"""
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pymysql

APP = os.environ.get("APP_NAME", "app")
VERSION = os.environ.get("APP_VERSION", "0")
HEALTH_PATH = os.environ.get("HEALTH_PATH", "/healthz")
WEDGED = os.path.exists("/tmp/stay-broken")


def wedge(*_):
    global WEDGED
    WEDGED = True


def query(sql, args=None):
    conn = pymysql.connect(
        host=os.environ["DB_HOST"],
        port=int(os.environ.get("DB_PORT", "3306")),
        user=os.environ["DB_USER"],
        password=os.environ["DB_PASSWORD"],
        database=os.environ["DB_NAME"],
        connect_timeout=3,
    )
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()
    finally:
        conn.close()


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == HEALTH_PATH:
            if WEDGED:
                return self.reply(503, {"status": "unhealthy", "error": "wedged"})
            if "DB_HOST" not in os.environ:
                return self.reply(200, {"status": "ok", "database": None})
            try:
                row = query("SELECT DATABASE(), CURRENT_USER()")[0]
            except Exception as e:  # any failure to query is unhealthy
                return self.reply(503, {"status": "unhealthy", "error": type(e).__name__})
            return self.reply(200, {"status": "ok", "database": row[0]})
        return self.reply(200, {"app": APP, "version": VERSION, "database": os.environ.get("DB_NAME"), "path": self.path})

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


# As PID 1 the process gets no default SIGTERM action: without a handler every stop would wait
# out the container's whole stop grace period. A real app stops when asked; so does this one.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.signal(signal.SIGUSR1, wedge)
ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()

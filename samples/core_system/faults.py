"""Fault injection: slow responses, HTTP 500 on form POSTs, random notices.

``--fault-rate P``: each business form POST (everything except login/logout) fails with
HTTP 500 with probability P; half of those failures happen *after* the view ran, so the
registration is committed but the robot sees an error page — the case that makes naive
robots register twice. ``--slow-ms N``: every request waits a random 0..N ms.
``--notice-rate P``: an お知らせ modal covers the page on that share of page loads.
"""

from __future__ import annotations

import random
import threading
import time

from flask import Flask, g, render_template, request

from samples.core_system.config import CoreConfig

_EXEMPT_POSTS = ("/login", "/logout")
_NO_NOTICE_PREFIXES = ("/static/", "/api/", "/__inspect/")


class FaultInjector:
    def __init__(self, config: CoreConfig):
        self.config = config
        self.rng = random.Random(config.fault_seed)
        self.lock = threading.Lock()

    def chance(self, p: float) -> bool:
        if p <= 0:
            return False
        with self.lock:
            return self.rng.random() < p

    def delay(self) -> float:
        with self.lock:
            return self.rng.uniform(0, self.config.slow_ms) / 1000.0


def _error_page():
    return render_template("error.html", status=500,
                           title="システムエラー",
                           message="システムエラーが発生しました。しばらくしてから再度お試しください。"), 500


def install(app: Flask, config: CoreConfig) -> None:
    injector = FaultInjector(config)
    app.extensions["core_faults"] = injector

    @app.before_request
    def _inject_before():
        g.fault_after = False
        path = request.path
        if config.slow_ms > 0 and not path.startswith("/static/"):
            time.sleep(injector.delay())
        g.show_notice = (
            request.method == "GET"
            and not path.startswith(_NO_NOTICE_PREFIXES)
            and injector.chance(config.notice_rate)
        )
        if request.method == "POST" and path not in _EXEMPT_POSTS and injector.chance(config.fault_rate):
            if injector.chance(0.5):
                app.logger.info("fault injected before %s", path)
                return _error_page()
            g.fault_after = True
        return None

    @app.after_request
    def _inject_after(response):
        if g.get("fault_after"):
            app.logger.info("fault injected after %s (the request was processed)", request.path)
            body, status = _error_page()
            response = app.make_response((body, status))
        return response

"""Scheduler: APScheduler service, business-day calendar, jobs file, hours-saved ledger, reports.

Public API (light imports only; APScheduler is imported by ``scheduler.service`` on use)::

    from scheduler import record_run, set_baseline
"""

from scheduler.ledger import record_run, set_baseline

__all__ = ["record_run", "set_baseline"]

"""Scheduler: APScheduler service, business-day calendar, jobs file, hours-saved ledger, reports."""

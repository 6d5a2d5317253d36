"""Schedule rule families, one module each; ``RULE_KINDS`` is the registry used by the jobs file."""

from scheduler.rules.base import ADJUSTMENTS, DateRule, Occurrence
from scheduler.rules.cron import CRON_FIELDS, CronRule
from scheduler.rules.monthly import MonthlyRule
from scheduler.rules.weekly import WeeklyRule, parse_weekday
from scheduler.rules.yearly import YearlyRule

RULE_KINDS = ("cron", "monthly", "yearly", "weekly")

__all__ = [
    "ADJUSTMENTS",
    "CRON_FIELDS",
    "RULE_KINDS",
    "CronRule",
    "DateRule",
    "MonthlyRule",
    "Occurrence",
    "WeeklyRule",
    "YearlyRule",
    "parse_weekday",
]

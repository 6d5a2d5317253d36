"""Robot errors.

Hierarchy (all derive from ``yomikaki.errors.YomikakiError``)::

    RobotError
    ├── BusinessError        bad data / business rule ("既に申請済みです"): never retried
    └── SystemError_         timeout, HTTP 500, crash, unexpected dialog, logged out:
        │                    context reset + setup re-run + retry (one owner: the runner)
        └── SessionLost      the core system logged the robot out
    LeaseLost                another robot took the item over (this robot's lease lapsed):
                             stop without submitting and without recording a result
    ScenarioError            a scenario file is wrong (an ``InputError`` with a location)

Unknown exceptions raised while an item runs count as system errors.
"""

from __future__ import annotations

from yomikaki.errors import InputError, YomikakiError


class RobotError(YomikakiError):
    kind = "system_error"

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.code = code


class BusinessError(RobotError):
    """The item cannot be done as given; a person must look at the data."""

    kind = "business_error"


class SystemError_(RobotError):  # noqa: N801 - avoid shadowing the builtin SystemError
    """The application misbehaved; reset and retry."""

    kind = "system_error"


class SessionLost(SystemError_):
    pass


class LeaseLost(RobotError):
    """This robot no longer holds the item: another robot took it over after the lease lapsed.

    Raised before a click or key press (the actions that can submit a form), so the item is
    never submitted by two robots; the robot that holds the item now decides its outcome.
    """

    kind = "lease_lost"


class ScenarioError(InputError):
    """A scenario file problem, located ``file:line:column``."""


def classify(exc: BaseException) -> str:
    """``business_error`` or ``system_error`` for any exception raised by a step."""
    if isinstance(exc, BusinessError):
        return "business_error"
    return "system_error"

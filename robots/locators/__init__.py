"""Locators: how a scenario names a thing on the screen (see base.py)."""

from robots.locators.base import LOCATOR_KEYS, LocatorSpec, resolve, split_locator

__all__ = ["LOCATOR_KEYS", "LocatorSpec", "resolve", "split_locator"]

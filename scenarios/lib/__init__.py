"""Helpers used by the shipped scenarios (``python:`` steps) and by their sample data."""

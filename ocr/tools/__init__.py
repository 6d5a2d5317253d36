"""Wrappers around external programs, one module per program (flags, timeouts, errors)."""

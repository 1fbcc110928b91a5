"""Outbound networking: every request to an address a caller chose goes through the egress guard."""

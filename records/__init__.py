"""Consultation records: what is stored (masked of identifying data), the RCP
report rebuilt from it, and the purge of old records."""

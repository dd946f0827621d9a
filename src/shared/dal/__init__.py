"""Data access: the job store."""

"""Integration tests of the API Lambda against moto."""

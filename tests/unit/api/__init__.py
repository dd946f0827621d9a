"""Unit tests of the API Lambda."""

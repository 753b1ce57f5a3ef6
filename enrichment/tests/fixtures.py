"""Pytest fixtures shared by every app's tests (loaded from the root conftest.py)."""

"""Reporting: figures (plots), image layouts and tables."""

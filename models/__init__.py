"""Data layer: settings, tortoise-orm models, the visibility rule and the queries built on it.

This package imports neither ``server`` nor ``federation``.
"""

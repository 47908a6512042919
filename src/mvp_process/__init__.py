"""mvp-process: CI gates, pull-request policy and Heroku deploys for small teams."""

from __future__ import annotations

__version__ = "0.1.0"

GATE_NAMES: tuple[str, ...] = ("flake8", "black", "tests", "coverage", "diff-coverage")
"""The gate names of the contract, in the order they are reported."""

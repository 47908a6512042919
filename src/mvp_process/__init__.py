"""mvp-process: CI gates, pull-request policy and Heroku deploys for small teams."""

from __future__ import annotations

# The one place the version is written: pyproject.toml reads it from here.
__version__ = "1.0.0"

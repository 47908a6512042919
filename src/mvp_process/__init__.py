"""mvp-process: CI gates, pull-request policy and Heroku deploys for small teams."""

from __future__ import annotations

__version__ = "0.1.0"

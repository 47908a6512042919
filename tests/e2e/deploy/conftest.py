"""Fixtures of the deploy tests: fake Heroku, TLS files, the real CLI in a repo."""

from support.deploy_env import deploy_env, fake, tls  # noqa: F401

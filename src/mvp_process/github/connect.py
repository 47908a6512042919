"""Build the real GitHub client (PyGithub) from the environment.

Only the CLI constructs clients; the core and the adapter receive them. The
client is lazy (objects are fetched when read, so posting a status is one
request), has a timeout, and retries with backoff through PyGithub's
`GithubRetry`: 5xx and 429 (honouring `Retry-After`), and GitHub's 403 rate
limits (waiting for `X-RateLimit-Reset`, but never longer than
`MAX_RATE_LIMIT_WAIT`; past that it stops with a clear error). PyGithub's
default throttle between writes (1 s) is off: a run writes a handful of
statuses and one comment, and secondary limits are retried anyway.
"""

from __future__ import annotations

from github import Auth, Github, GithubRetry

from mvp_process import __version__
from mvp_process.github.api import ACTIONS_BOT, GitHubRepo
from mvp_process.config import GitHubEnv
from mvp_process.errors import ConfigError

# GitHub's token formats: `ghs_` is a GitHub App installation token (the
# workflow's GITHUB_TOKEN); `ghp_`/`github_pat_` are personal access tokens.
INSTALLATION_PREFIX = "ghs_"
TIMEOUT = 20
RETRIES = 3
BACKOFF = 0.5
SECONDARY_RATE_WAIT = 60.0
MAX_RATE_LIMIT_WAIT = 90.0
TOKEN_HINT = (
    "in the workflow, add `env: GITHUB_TOKEN: ${{ github.token }}` to the step "
    "(the composite action does this); locally, use --offline"
)


def retry(total: int = RETRIES, backoff: float | None = None) -> GithubRetry:
    """Retries with exponential backoff; the last failed answer is kept, not
    replaced by a generic "too many retries", so the error names GitHub's reason."""
    return GithubRetry(
        total=total,
        backoff_factor=BACKOFF if backoff is None else backoff,
        raise_on_status=False,
        secondary_rate_wait=SECONDARY_RATE_WAIT,
        max_rate_limit_wait=MAX_RATE_LIMIT_WAIT,
    )


def github_repo(
    env: GitHubEnv, *, timeout: int = TIMEOUT, retries: GithubRetry | None = None
) -> GitHubRepo:
    """The adapter for `GITHUB_REPOSITORY`; a `ConfigError` names what is missing."""
    if not env.token:
        raise ConfigError("GITHUB_TOKEN is not set", hint=TOKEN_HINT)
    if not env.repository or env.repository.count("/") != 1:
        raise ConfigError(
            f"GITHUB_REPOSITORY must be owner/name, got {env.repository!r}",
            hint="GitHub Actions sets it; set it yourself when running elsewhere",
        )
    client = Github(
        base_url=env.api_url,
        auth=Auth.Token(env.token),
        timeout=timeout,
        retry=retries or retry(),
        user_agent=f"mvp-process/{__version__}",
        seconds_between_requests=None,
        seconds_between_writes=None,
        lazy=True,
    )
    installation = env.token.startswith(INSTALLATION_PREFIX)

    def login() -> str:  # an installation token would be refused GET /user
        return ACTIONS_BOT if installation else str(client.get_user().login)

    return GitHubRepo(
        client.get_repo(env.repository), env.repository, env.api_url, login
    )

"""What `check` compares: HEAD, the base branch, and their merge-base.

Every repository state a user can fix (detached HEAD, unknown base, shallow
clone) is found here, before any gate runs, and explained as a `GitError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mvp_process.check.measure import untracked_python
from mvp_process.git import Git
from mvp_process.config import Config
from mvp_process.errors import GitError

DEFAULT_CANDIDATES = ("origin/main", "main", "origin/master", "master")


@dataclass(frozen=True)
class Target:
    """What is checked: HEAD, plus the uncommitted work in the folder.

    `untracked`: Python files git does not ignore and nobody committed yet;
    they are part of the diff, as they are of the test run. `dirty`: the
    figures include work that is not in HEAD (said in every report).
    """

    head: str
    branch: str | None
    base_ref: str
    merge_base: str
    dirty: bool = False
    untracked: tuple[str, ...] = ()


def base_candidates(git: Git, explicit: str | None, pr_base: str | None) -> list[str]:
    """Refs to try, best first: an explicit base, the PR's base, origin/HEAD, main..."""
    if explicit:
        return [explicit] if "/" in explicit else [explicit, f"origin/{explicit}"]
    if pr_base:
        return [f"origin/{pr_base}", pr_base]
    remote_head = git.default_remote_branch()
    return ([remote_head] if remote_head else []) + list(DEFAULT_CANDIDATES)


def resolve_base(git: Git, explicit: str | None, pr_base: str | None) -> str:
    """The base branch's ref name, or a `GitError` saying how to get it."""
    candidates = base_candidates(git, explicit, pr_base)
    for ref in candidates:
        if git.rev_parse(ref):
            return ref
    wanted = explicit or pr_base
    shallow = " (this clone is shallow)" if git.is_shallow() else ""
    if wanted:
        raise GitError(
            f"base branch '{wanted}' not found{shallow}",
            hint=f"fetch it (`git fetch origin {wanted.removeprefix('origin/')}`), "
            "use `fetch-depth: 0` in actions/checkout, or pass --base REF",
        )
    raise GitError(
        f"no base branch found: tried {', '.join(candidates)}{shallow}",
        hint="pass --base REF, set `base` in [tool.mvp-process], "
        "or fetch the default branch (`git fetch origin`)",
    )


def resolve(
    git: Git,
    config: Config,
    explicit_base: str | None,
    note: Callable[[str], None] = lambda _: None,
) -> Target:
    """Find HEAD, base and merge-base; deepen a shallow clone once if needed."""
    head = git.head_sha()
    branch = git.current_branch()
    if branch is None and not config.github.actions:
        raise GitError(
            "HEAD is detached: check works on a branch",
            hint="switch to your branch (`git switch <branch>`), "
            "or create one (`git switch -c <issue>-<slug>`)",
        )
    pr_base = config.github.base_ref if config.github.actions else None
    base_ref = resolve_base(git, explicit_base or config.base, pr_base)
    merge_base = git.merge_base_deepening(head, base_ref, note)
    if merge_base is None:
        shallow = git.is_shallow()
        raise GitError(
            f"HEAD and {base_ref} have no common ancestor"
            + (" in this shallow clone" if shallow else ""),
            hint=(
                "use `fetch-depth: 0` in actions/checkout (or `git fetch --unshallow`)"
                if shallow
                else "pass --base with a branch this one was created from"
            ),
        )
    untracked = tuple(f for f in untracked_python(git) if f.startswith(git.prefix))
    return Target(
        head=head,
        branch=branch,
        base_ref=base_ref,
        merge_base=merge_base,
        dirty=bool(untracked) or git.has_tracked_changes(),
        untracked=untracked,
    )

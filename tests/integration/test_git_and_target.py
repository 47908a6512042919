"""The git wrapper and base/merge-base resolution, on real repositories."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from mvp_process.git import Git
from mvp_process.config import Config, GitHubEnv
from mvp_process.check.target import base_candidates, resolve, resolve_base
from mvp_process.errors import GitError
from support.repo import Repo


def test_discover_from_a_subfolder(repo: Repo) -> None:
    repo.commit("one", {"pkg/a.py": "A = 1\n"})
    git = Git.discover(repo.path / "pkg")
    assert git.root == repo.path


def test_discover_rejects_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="is not a folder"):
        Git.discover(tmp_path / "nope")


def test_discover_without_git_on_path(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GitError, match="git is not installed"):
        Git.discover(tmp_path)


def test_empty_repository_has_no_head(repo: Repo) -> None:
    with pytest.raises(GitError, match="no commits yet"):
        Git(repo.path).head_sha()


def test_refs_history_and_messages(repo: Repo) -> None:
    first = repo.commit("first", {"a.py": "A = 1\n"})
    repo.switch("7-topic", create=True)
    second = repo.commit("Second\n\nCloses #7", {"a.py": "A = 2\n"})
    git = Git(repo.path)
    assert git.rev_parse("main") == first
    assert git.rev_parse("HEAD") == second
    assert git.rev_parse("no-such-ref") is None
    assert git.rev_parse("--all") is None
    assert git.current_branch() == "7-topic"
    assert git.merge_base("HEAD", "main") == first
    assert git.first_parent_ancestors(second, 5) == [second, first]
    assert git.commit_messages(first, second) == ["Second\n\nCloses #7"]
    assert git.remotes() == ["origin"]
    assert git.is_shallow() is False
    assert git.common_dir() == repo.path / ".git"
    assert git.default_remote_branch() is None
    repo.git("switch", "-q", "--detach")
    assert git.current_branch() is None


def test_diff_against_includes_uncommitted_work(repo: Repo) -> None:
    base = repo.commit("first", {"a.py": "A = 1\n"})
    (repo.path / "a.py").write_text("A = 1\nB = 2\n")
    diff = Git(repo.path).diff_against(base)
    assert "+B = 2" in diff and "diff --git a/a.py b/a.py" in diff


def test_untracked_files_join_the_diff_and_the_index_is_untouched(
    repo: Repo,
) -> None:
    base = repo.commit("first", {"a.py": "A = 1\n"})
    repo.write({"new.py": "N = 1\nM = 2\n", "odd\tname [1].py": "X = 1\n"})
    git = Git(repo.path)
    index = (repo.path / ".git" / "index").read_bytes()
    diff = git.diff_against(base, ["new.py", "odd\tname [1].py"])
    assert "+++ b/new.py\n@@ -0,0 +1,2 @@\n+N = 1\n+M = 2\n" in diff
    assert 'diff --git "a/odd\\tname [1].py" "b/odd\\tname [1].py"\n' in diff
    assert diff.endswith("@@ -0,0 +1 @@\n+X = 1\n")
    assert (repo.path / ".git" / "index").read_bytes() == index
    assert repo.git("status", "--porcelain").splitlines() == [
        "?? new.py",
        '?? "odd\\tname [1].py"',
    ]
    assert git.diff_against(base) == "\n"  # without them: nothing changed


def test_untracked_files_join_the_diff_of_a_repository_without_an_index(
    repo: Repo,
) -> None:
    base = repo.commit("first", {"a.py": "A = 1\n"})
    (repo.path / ".git" / "index").unlink()
    (repo.path / "new.py").write_text("N = 1\n")
    diff = Git(repo.path).diff_against(base, ["new.py"])
    assert diff.endswith("+++ b/new.py\n@@ -0,0 +1 @@\n+N = 1\n")
    assert not (repo.path / ".git" / "index").exists()


def test_ls_files_keeps_names_git_would_quote(repo: Repo) -> None:
    repo.commit("first", {"tab\there.py": "A = 1\n", "é.py": "B = 1\n"})
    assert sorted(Git(repo.path).ls_files()) == ["tab\there.py", "é.py"]


def test_archive_holds_exactly_the_commit(repo: Repo, tmp_path: Path) -> None:
    sha = repo.commit("first", {"a.py": "A = 1\n", "sub/b.txt": "b\n"})
    (repo.path / "untracked.txt").write_text("not in the commit")
    dest = tmp_path / "src.tar.gz"
    Git(repo.path).archive(sha, dest)
    with tarfile.open(dest) as tar:
        names = sorted(m.name for m in tar.getmembers() if m.isfile())
    assert names == ["a.py", "sub/b.txt"]


def test_worktree_add_and_remove(repo: Repo, tmp_path: Path) -> None:
    sha = repo.commit("first", {"a.py": "A = 1\n"})
    repo.commit("second", {"a.py": "A = 2\n"})
    git = Git(repo.path)
    tree = tmp_path / "tree"
    git.worktree_add(tree, sha)
    assert (tree / "a.py").read_text() == "A = 1\n"
    git.worktree_remove(tree)
    assert not tree.exists()
    assert str(tree) not in repo.git("worktree", "list")


def test_unshallow_failure_says_fetch_depth(repo: Repo) -> None:
    repo.commit("first", {"a.py": "A = 1\n"})
    with pytest.raises(GitError) as info:
        Git(repo.path).unshallow("nowhere")
    assert "fetch-depth: 0" in str(info.value)


@pytest.fixture
def two_branches(repo: Repo) -> Repo:
    repo.commit("first", {"a.py": "A = 1\n"})
    repo.push("main")
    repo.git("remote", "set-head", "origin", "main")
    repo.switch("12-work", create=True)
    repo.commit("work", {"a.py": "A = 2\n"})
    return repo


def test_base_candidates(two_branches: Repo) -> None:
    git = Git(two_branches.path)
    assert base_candidates(git, "develop", None) == ["develop", "origin/develop"]
    assert base_candidates(git, "upstream/dev", None) == ["upstream/dev"]
    assert base_candidates(git, None, "release") == ["origin/release", "release"]
    assert base_candidates(git, None, None)[:2] == ["origin/main", "origin/main"]


def test_resolve_prefers_origin_head(two_branches: Repo) -> None:
    target = resolve(Git(two_branches.path), Config(), None)
    assert target.base_ref == "origin/main"
    assert target.branch == "12-work"
    assert target.merge_base == two_branches.sha("main")
    assert target.head == two_branches.sha()


def test_resolve_uses_configured_base(two_branches: Repo) -> None:
    two_branches.git("branch", "develop", "main")
    target = resolve(Git(two_branches.path), Config(base="develop"), None)
    assert target.base_ref == "develop"


def test_pr_base_in_actions_and_detached_head_allowed(two_branches: Repo) -> None:
    two_branches.git("switch", "-q", "--detach")
    config = Config(github=GitHubEnv(actions=True, base_ref="main"))
    target = resolve(Git(two_branches.path), config, None)
    assert target.base_ref == "origin/main"
    assert target.branch is None


def test_unknown_pr_base(two_branches: Repo) -> None:
    config = Config(github=GitHubEnv(actions=True, base_ref="gone"))
    with pytest.raises(GitError, match="base branch 'gone' not found"):
        resolve_base(Git(two_branches.path), None, config.github.base_ref)


def test_unrelated_histories(two_branches: Repo) -> None:
    two_branches.git("switch", "-q", "--orphan", "other")
    two_branches.commit("unrelated", {"b.py": "B = 1\n"})
    with pytest.raises(GitError) as info:
        resolve(Git(two_branches.path), Config(), "main")
    assert "have no common ancestor" in info.value.message
    assert "pass --base" in info.value.hint

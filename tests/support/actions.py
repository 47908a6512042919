"""Run mvp-process as GitHub Actions runs it: env, event payload, step files.

Payloads are GitHub's published examples (`tests/data/github-webhooks/`),
rewritten to describe the test's own repository on the fake GitHub: its
name, the PR number, branches and commit SHAs; everything else stays as
GitHub sent it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.cli import Outcome, run_cli
from support.fake_github import FakeGitHub

WEBHOOKS = Path(__file__).parents[1] / "data" / "github-webhooks"
EXAMPLE_REPO = "Codertocat/Hello-World"
REPO = "octo-org/hello-world"
TOKEN = "ghs_0123456789abcdefSECRETtokenVALUE"
KEEP = object()


def payload(name: str, **changes: Any) -> dict[str, Any]:
    """A webhook example, moved to REPO, with `changes` applied.

    Pull-request changes: number, body, head_ref, head_sha, base_ref, base_sha;
    push changes: after, ref, default_branch.
    """
    text = (WEBHOOKS / f"{name}.json").read_text(encoding="utf-8")
    owner, repo = REPO.split("/")
    text = text.replace(EXAMPLE_REPO, REPO).replace('"Hello-World"', f'"{repo}"')
    data: dict[str, Any] = json.loads(text.replace('"Codertocat"', f'"{owner}"'))
    pr = data.get("pull_request")
    if pr is not None:
        if "number" in changes:
            data["number"] = pr["number"] = changes["number"]
        if changes.get("body", KEEP) is not KEEP:
            pr["body"] = changes["body"]
        for end in ("head", "base"):
            if f"{end}_ref" in changes:
                pr[end]["ref"] = changes[f"{end}_ref"]
                pr[end]["label"] = f"{owner}:{changes[f'{end}_ref']}"
            if f"{end}_sha" in changes:
                pr[end]["sha"] = changes[f"{end}_sha"]
    for key in ("after", "ref"):
        if key in changes:
            data[key] = changes[key]
    if "default_branch" in changes:
        data["repository"]["default_branch"] = changes["default_branch"]
    return data


@dataclass
class Actions:
    """The files and variables of one Actions step."""

    root: Path
    fake: FakeGitHub
    monkeypatch: pytest.MonkeyPatch

    @property
    def summary(self) -> Path:
        return self.root / "step_summary.md"

    @property
    def output(self) -> Path:
        return self.root / "github_output"

    @property
    def temp(self) -> Path:
        return self.root / "runner_temp"

    def start(
        self,
        event_name: str,
        event: dict[str, Any],
        *,
        sha: str,
        token: str | None = TOKEN,
        ref_name: str = "main",
        base_ref: str = "",
        head_ref: str = "",
    ) -> None:
        """Set the environment of a step (fresh summary and output files)."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / "event.json"
        path.write_text(json.dumps(event), encoding="utf-8")
        self.summary.write_text("", encoding="utf-8")
        self.output.write_text("", encoding="utf-8")
        env = {
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(path),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": self.fake.url,
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_SHA": sha,
            "GITHUB_REF_NAME": ref_name,
            "GITHUB_BASE_REF": base_ref,
            "GITHUB_HEAD_REF": head_ref,
            "GITHUB_RUN_ID": "4242",
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_OUTPUT": str(self.output),
            "RUNNER_TEMP": str(self.temp),
        }
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)
        if token is None:
            self.monkeypatch.delenv("GITHUB_TOKEN", raising=False)
        else:
            self.monkeypatch.setenv("GITHUB_TOKEN", token)

    def run(
        self, cwd: Path, args: list[str], capsys: pytest.CaptureFixture[str]
    ) -> Outcome:
        report = self.root / "report.json"
        report.unlink(missing_ok=True)
        wants_json = args[:1] == ["check"]
        return run_cli(
            cwd, args, self.monkeypatch, capsys, report if wants_json else None
        )

    def everything_written(self, outcome: Outcome) -> str:
        """All text the step left anywhere, to look for secrets in.

        `::add-mask::` lines are left out: they are how a step asks the runner
        to mask a value, and the runner consumes them instead of logging them.
        """
        out = "\n".join(
            line
            for line in outcome.out.splitlines()
            if not line.startswith("::add-mask::")
        )
        parts = [out, outcome.err, self.summary.read_text(encoding="utf-8")]
        parts.append(self.output.read_text(encoding="utf-8"))
        if outcome.report is not None:
            parts.append(json.dumps(outcome.report))
        for repo in self.fake.repos.values():
            parts += [c.body for c in repo.comments.values()]
            parts += [json.dumps(s) for sts in repo.statuses.values() for s in sts]
        return "\n".join(parts)

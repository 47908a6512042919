"""`python -m mvp_process deploy` end to end: real CLI, real git, fake Heroku."""

from __future__ import annotations

from support.deploy_env import API_KEY, PRODUCTION, STAGING, DeployEnv
from support.deploy_env import deploy_env, fake, tls  # noqa: F401
from support.fake_heroku import Command


def test_clean_staging_deploy(deploy_env: DeployEnv) -> None:
    env = deploy_env
    sha = env.project(
        {"migrate-command": "python manage.py migrate"}, branch="staging"
    )
    app = env.fake.world.apps[STAGING]
    app.commands["python manage.py migrate"] = Command("Applying 0001_initial... OK\n", 0)
    code = env.run()
    assert code == 0, env.last_out + env.last_err
    print(env.last_out)
    assert env.outputs()["release"] == "v3"
    assert env.outputs()["backup"] == "b001"
    assert env.outputs()["app-url"] == app.web_url
    builds = env.fake.requests("POST", f"/apps/{STAGING}/builds")
    assert len(builds) == 1
    blob = builds[0].body["source_blob"]
    assert blob["version"] == sha
    assert blob["checksum"].startswith("SHA256:")
    assert not env.fake.requests(path=f"/apps/{PRODUCTION}/.*", method="POST")
    assert API_KEY not in env.everything()
    assert env.fake.files_auth_seen == []

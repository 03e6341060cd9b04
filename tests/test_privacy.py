"""Data rights from the command line, as an operator runs them: `pageheat forget`,
`pageheat app delete`, `pageheat app policy` and `pageheat expire`; and the retention
job that `serve` runs."""

from __future__ import annotations

import json
import time

from pageheat.app import Pageheat
from pageheat.privacy import RetentionJob
from pageheat.store.base import Query
from tests.conftest import make_settings
from tests.store.test_contract import click, env, view
from tests.test_cli import run

DAY = 86_400_000


def seed(data, now: int) -> tuple[str, str]:
    ph = Pageheat(make_settings(data))
    try:
        shop = ph.meta.create_app("Shop", ["https://shop.example"]).key
        blog = ph.meta.create_app("Blog", ["https://blog.example"]).key
        ph.store.write([
            env(app=shop, batch="1", visitor="alice", events=[view("a1", t=now), click("a1", t=now)]),
            env(app=shop, batch="2", visitor="bob", events=[view("b1", t=now - 40 * DAY)]),
            env(app=blog, batch="3", visitor="alice", events=[view("a2", t=now)]),
        ])  # fmt: skip
    finally:
        ph.close()
    return shop, blog


def visitors(data, key: str) -> int:
    ph = Pageheat(make_settings(data))
    try:
        return ph.store.stats(Query(app=key))["visitors"]
    finally:
        ph.close()


def test_forget_a_visitor_in_every_app(tmp_path):
    shop, blog = seed(tmp_path, int(time.time() * 1000))
    r = run("forget", "alice", "--data", str(tmp_path))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["visitor"] == "alice"
    assert out["rows"]["pageviews"] == 2 and out["rows"]["interactions"] == 1
    assert visitors(tmp_path, shop) == 1 and visitors(tmp_path, blog) == 0


def test_forget_in_one_app_only(tmp_path):
    shop, blog = seed(tmp_path, int(time.time() * 1000))
    r = run("forget", "alice", "--app", blog, "--data", str(tmp_path))
    assert json.loads(r.stdout)["rows"]["pageviews"] == 1
    assert visitors(tmp_path, shop) == 2 and visitors(tmp_path, blog) == 0
    assert run("forget", "x", "--app", "nope", "--data", str(tmp_path)).returncode != 0


def test_app_delete_removes_the_app_and_its_events(tmp_path):
    shop, blog = seed(tmp_path, int(time.time() * 1000))
    r = run("app", "delete", shop, "--yes", "--data", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rows"]["pageviews"] == 2
    listed = [
        json.loads(line)["key"]
        for line in run("app", "list", "--data", str(tmp_path)).stdout.splitlines()
    ]
    assert listed == [blog]
    assert visitors(tmp_path, shop) == 0 and visitors(tmp_path, blog) == 1
    assert run("app", "delete", shop, "--yes", "--data", str(tmp_path)).returncode != 0


def test_retention_policy_and_expire(tmp_path):
    shop, blog = seed(tmp_path, int(time.time() * 1000))
    r = run(
        "app", "policy", shop, "--retention-days", "30", "--bots", "keep", "--data", str(tmp_path)
    )
    assert json.loads(r.stdout) == {"key": shop, "retention_days": 30, "keep_bots": True,
                                    "own": {"retention_days": 30, "keep_bots": True}}  # fmt: skip
    r = run("expire", "--data", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[shop]["pageviews"] == 1  # bob's view, 40 days old
    assert visitors(tmp_path, shop) == 1
    assert visitors(tmp_path, blog) == 1  # no retention: kept forever
    r = run("app", "policy", shop, "--retention-days", "default", "--data", str(tmp_path),
            env_extra={"PAGEHEAT_RETENTION_DAYS": "7"})  # fmt: skip
    assert json.loads(r.stdout)["retention_days"] == 7
    assert (
        run("app", "policy", shop, "--retention-days", "-3", "--data", str(tmp_path)).returncode
        != 0
    )


def test_the_retention_job_applies_the_instance_setting(tmp_path):
    now = int(time.time() * 1000)
    shop, _blog = seed(tmp_path, now)
    ph = Pageheat(make_settings(tmp_path, retention_days=30))
    try:
        job = RetentionJob(ph, every_s=3600).start()
        deadline = time.monotonic() + 10
        while job.last is None and time.monotonic() < deadline:
            time.sleep(0.05)
        job.stop()
        assert job.last is not None and job.last[shop]["pageviews"] == 1
        assert ph.store.stats(Query(app=shop))["visitors"] == 1
    finally:
        ph.close()

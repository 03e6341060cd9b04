"""Accounts: users made with the CLI sign in with a password, get a session and its CSRF
token, make API tokens (scoped or not), and lose them when they leave."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from pageheat.app import Pageheat
from pageheat.cli import cli
from pageheat.web.server import build_app
from tests.conftest import TOKEN, make_settings

PASSWORD = "correct horse battery"


@pytest.fixture
def web(ph):
    with TestClient(build_app(ph)) as c:
        yield c


def make_user(ph, name: str = "ana", *extra: str) -> dict:
    """Through the real command, as an operator would."""
    r = CliRunner().invoke(
        cli, ["user", "create", name, "--password-stdin", "--data", str(ph.data_dir), *extra],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def sign_in(c, user: str = "ana", password: str = PASSWORD) -> str:
    r = c.post("/login", json={"user": user, "password": password})
    assert r.status_code == 204, r.text
    return c.cookies["pageheat_csrf"]


def test_a_user_signs_in_with_a_password_and_gets_a_hardened_session(ph, web):
    assert make_user(ph) == {"user": "ana", "admin": True}
    r = web.post("/login", json={"user": "ana", "password": PASSWORD})
    assert r.status_code == 204
    cookies = {c.split("=", 1)[0]: c for c in r.headers.get_list("set-cookie")}
    session, csrf = cookies["pageheat_session"], cookies["pageheat_csrf"]
    assert "HttpOnly" in session and "SameSite=strict" in session
    assert "HttpOnly" not in csrf and "SameSite=strict" in csrf  # the dashboard reads it
    me = web.get("/api/v1/me").json()
    assert me["user"] == {"name": "ana", "admin": True}
    assert me["csrf"] == web.cookies["pageheat_csrf"] and me["via"] == "session"
    # the password is kept as an argon2id hash, never as given
    with ph.meta.engine.connect() as con:
        stored = con.exec_driver_sql("select password_hash from users").scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_wrong_passwords_and_unknown_users_get_the_same_answer(ph, web):
    make_user(ph)
    for user, password in (("ana", "wrong password"), ("nobody", PASSWORD)):
        r = web.post("/login", json={"user": user, "password": password})
        assert r.status_code == 401
        assert r.json()["error"] == "wrong user name or password"
    assert "pageheat_session" not in web.cookies
    assert web.get("/api/v1/me").status_code == 401


def test_guessing_passwords_is_slowed_down(tmp_path):
    # the default burst of 10; a slow refill, so that a loaded machine's slow password
    # checks do not earn a guess back while the test runs
    ph = Pageheat(make_settings(tmp_path / "data", login_retries_per_min=0.01))
    make_user(ph)
    with TestClient(build_app(ph)) as web:
        for _ in range(11):  # signing in right is not counted (11: past the 10 a guesser has)
            sign_in(web)
        codes = [web.post("/login", json={"user": "ana", "password": f"guess-{i}"}).status_code
                 for i in range(12)]  # fmt: skip
        r = web.post("/login", json={"user": "ana", "password": PASSWORD})
    ph.close()
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "too many wrong sign-in attempts" in r.json()["error"]


def test_the_admin_token_still_signs_in_and_still_works_as_a_bearer(ph, web):
    assert web.post("/login", json={"token": "wrong"}).status_code == 401
    assert web.post("/login", json={"token": TOKEN}).status_code == 204
    assert web.get("/api/v1/me").json()["user"] == {"name": "admin", "admin": True}
    with TestClient(build_app(ph)) as bare:
        r = bare.get("/api/v1/apps", headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200


def test_logout_ends_the_session_on_the_server(ph, web):
    make_user(ph)
    csrf = sign_in(web)
    stolen = web.cookies["pageheat_session"]
    assert web.post("/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    with TestClient(build_app(ph)) as thief:
        thief.cookies.set("pageheat_session", stolen)
        r = thief.get("/api/v1/apps")
        assert r.status_code == 401 and "sign in again" in r.json()["error"]


def test_api_tokens_are_shown_once_scoped_and_revocable(ph, web):
    make_user(ph)
    shop = ph.meta.create_app("Shop", ["https://shop.example"])
    blog = ph.meta.create_app("Blog", ["https://blog.example"])
    csrf = sign_in(web)
    h = {"X-CSRF-Token": csrf}
    r = web.post("/api/v1/tokens", json={"name": "CI", "apps": [shop.key]}, headers=h)
    assert r.status_code == 201
    made = r.json()
    assert made["token"].startswith("phk_") and made["apps"] == [shop.key]
    listed = web.get("/api/v1/tokens").json()["tokens"]
    assert [t["name"] for t in listed] == ["CI"] and "token" not in listed[0]
    bad = web.post("/api/v1/tokens", json={"name": "x", "apps": ["nope"]}, headers=h)
    assert bad.status_code == 400 and "apps" in bad.json()["error"]

    with TestClient(build_app(ph)) as script:
        auth = {"Authorization": f"Bearer {made['token']}"}
        assert [a["key"] for a in script.get("/api/v1/apps", headers=auth).json()["apps"]] == [
            shop.key
        ]
        assert script.get(f"/api/v1/apps/{shop.key}/views", headers=auth).status_code == 200
        r = script.get(f"/api/v1/apps/{blog.key}/views", headers=auth)
        assert r.status_code == 403 and blog.key in r.json()["error"]
        # an API token needs no CSRF token (no browser sends it by itself) ...
        r = script.patch(f"/api/v1/apps/{shop.key}", json={"name": "Shop EU"}, headers=auth)
        assert r.status_code == 200 and r.json()["name"] == "Shop EU"
        # ... and may not make more tokens
        assert script.post("/api/v1/tokens", json={"name": "y"}, headers=auth).status_code == 403
        assert web.delete(f"/api/v1/tokens/{made['id']}", headers=h).status_code == 204
        assert script.get("/api/v1/apps", headers=auth).status_code == 401
    assert web.delete(f"/api/v1/tokens/{made['id']}", headers=h).status_code == 404


def test_a_viewer_reads_but_does_not_change_apps(ph, web):
    assert make_user(ph, "vic", "--viewer") == {"user": "vic", "admin": False}
    shop = ph.meta.create_app("Shop", [])
    csrf = sign_in(web, "vic")
    h = {"X-CSRF-Token": csrf}
    assert web.get(f"/api/v1/apps/{shop.key}").status_code == 200
    assert web.post("/api/v1/apps", json={"name": "X"}, headers=h).status_code == 403
    r = web.patch(f"/api/v1/apps/{shop.key}", json={"name": "Y"}, headers=h)
    assert r.status_code == 403 and "vic may read apps" in r.json()["error"]
    assert web.delete(f"/api/v1/apps/{shop.key}", headers=h).status_code == 403
    # saving a heatmap is not changing the app
    r = web.post(f"/api/v1/apps/{shop.key}/saved", headers=h,
                 json={"name": "Home", "params": {"view": "/"}})  # fmt: skip
    assert r.status_code == 201 and r.json()["created_by"] == "vic"


def test_the_user_commands(ph):
    make_user(ph)
    run = CliRunner()
    data = ["--data", str(ph.data_dir)]
    again = run.invoke(cli, ["user", "create", "ana", "--password-stdin", *data], input="x" * 9)
    assert again.exit_code != 0 and "already exists" in again.output
    short = run.invoke(cli, ["user", "create", "bo", "--password-stdin", *data], input="short\n")
    assert short.exit_code != 0 and "at least 8 characters" in short.output
    listed = run.invoke(cli, ["user", "list", *data])
    assert [json.loads(x)["user"] for x in listed.output.splitlines()] == ["ana"]

    # The commands run in another process: the server sees what they change once its
    # session cache time has passed, which here is at once.
    ph.meta.accounts.cache_s = 0.0
    with TestClient(build_app(ph)) as web:
        sign_in(web)
        r = run.invoke(cli, ["user", "password", "ana", "--password-stdin", *data],
                       input="a new long password\n")  # fmt: skip
        assert r.exit_code == 0, r.output
        assert web.get("/api/v1/me").status_code == 401  # a new password ends sessions
        assert web.post("/login", json={"user": "ana", "password": PASSWORD}).status_code == 401
        sign_in(web, password="a new long password")

        token = json.loads(run.invoke(cli, ["user", "token", "ana", *data]).output)["token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert web.get("/api/v1/apps", headers=auth).status_code == 200
        assert run.invoke(cli, ["user", "delete", "ana", *data]).exit_code == 0
        assert web.get("/api/v1/apps", headers=auth).status_code == 401
        assert web.get("/api/v1/me").status_code == 401

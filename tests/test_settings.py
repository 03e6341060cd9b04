"""Settings are declared once; the documentation is generated from the declaration."""

import ipaddress
import re
from pathlib import Path

import pytest

from pageheat.settings import SETTINGS, Settings, SettingsError, as_markdown
from pageheat.web.server import build_app

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def test_docs_list_every_setting_exactly_as_declared():
    assert DOC.read_text() == as_markdown(), "run: pageheat settings --markdown > docs/settings.md"
    for s in SETTINGS:
        assert f"`{s.env}`" in DOC.read_text()


def test_environment_overrides_and_types():
    s = Settings.load(environ={"PAGEHEAT_PORT": "9000", "PAGEHEAT_CLIP_PERCENTILE": "99"})
    assert s.port == 9000 and s.clip_percentile == 99.0
    with pytest.raises(SettingsError, match="PAGEHEAT_PORT"):
        Settings.load(environ={"PAGEHEAT_PORT": "many"})
    with pytest.raises(SettingsError, match="unknown"):
        Settings.load({"no_such": 1}, environ={})


def test_the_docs_name_only_settings_that_exist():
    """A renamed setting leaves no old name in a guide (an unknown PAGEHEAT_ variable is
    ignored, so a stale guide would fail silently)."""
    declared = {s.env for s in SETTINGS}
    for page in DOC.parent.glob("*.md"):
        named = set(re.findall(r"PAGEHEAT_[A-Z0-9_]+", page.read_text()))
        assert named <= declared, f"{page.name}: {sorted(named - declared)}"


def test_the_documented_nginx_tells_pageheat_the_scheme_and_is_trusted():
    """docs/deploy.md: nginx sends X-Forwarded-Proto (without it the session cookie is
    never Secure behind TLS) and appends to X-Forwarded-For, from an address that the
    documented PAGEHEAT_TRUSTED_PROXIES trusts."""
    from pageheat.web.server import trusted_proxies

    deploy = (DOC.parent / "deploy.md").read_text()
    nginx = deploy.split("```nginx", 1)[1].split("```", 1)[0]
    assert re.search(r"proxy_set_header X-Forwarded-Proto \$scheme;", nginx)
    assert re.search(r"proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;", nginx)
    assert re.search(r"proxy_set_header Host \$host;", nginx)
    env = dict(re.findall(r"^(PAGEHEAT_\w+)=(.*)$", deploy, re.M))
    trusted = [ipaddress.ip_network(n) for n in trusted_proxies(env["PAGEHEAT_TRUSTED_PROXIES"])]
    upstreams = re.findall(r"server (\d+\.\d+\.\d+\.\d+):\d+;", nginx)
    # nginx connects to the upstreams from their side of loopback: from 127.0.0.1
    assert upstreams and all(ipaddress.ip_address(u).is_loopback for u in upstreams)
    assert any(ipaddress.ip_address("127.0.0.1") in n for n in trusted)


# -- caches and throttles are settings that take effect ----------------------------------


def test_meta_cache_s_is_how_soon_another_process_change_applies(tmp_path):
    from pageheat.meta import MetaStore

    url = f"sqlite:///{tmp_path / 'meta.sqlite'}"
    patient, eager, other = MetaStore(url, cache_s=3600), MetaStore(url, cache_s=0), MetaStore(url)
    try:
        key = other.create_app("Shop", ["https://shop.example"]).key
        assert patient.app(key).view_rules == eager.app(key).view_rules == ()
        other.add_view_rule(key, "/p/*", "Product")  # another process changes the app
        assert eager.app(key).view_rules == (("/p/*", "Product"),)
        assert patient.app(key).view_rules == ()  # still its copy, for the hour it was told
    finally:
        for m in (patient, eager, other):
            m.close()


def test_sign_in_throttle_and_session_length_are_settings(tmp_path):
    from fastapi.testclient import TestClient

    from pageheat.app import Pageheat
    from tests.conftest import TOKEN, make_settings

    ph = Pageheat(make_settings(tmp_path / "data", login_burst=3, login_session_days=2))
    try:
        with TestClient(build_app(ph)) as c:
            ok = c.post("/login", json={"token": TOKEN})
            codes = [c.post("/login", json={"token": f"guess-{i}"}).status_code for i in range(5)]
    finally:
        ph.close()
    assert "Max-Age=172800" in ok.headers["set-cookie"]  # two days
    assert codes == [401, 401, 401, 429, 429]

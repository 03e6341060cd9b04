"""Settings are declared once; the documentation is generated from the declaration."""

from pathlib import Path

import pytest

from pageheat.settings import SETTINGS, Settings, SettingsError, as_markdown

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

"""Apps and their allowed origins."""

import pytest

from pageheat.meta import MetaStore, normalise_origin


@pytest.mark.parametrize(
    ("given", "kept"),
    [("https://Shop.Example/", "https://shop.example"), ("http://localhost:8001", "http://localhost:8001"),
     ("https://shop.example:443", "https://shop.example"), ("*", "*")],
)  # fmt: skip
def test_origins_are_normalised(given, kept):
    assert normalise_origin(given) == kept


@pytest.mark.parametrize("bad", ["shop.example", "ftp://shop.example", "https://", ""])
def test_bad_origins_are_refused(bad):
    with pytest.raises(ValueError, match="must look like"):
        normalise_origin(bad)


def test_app_allows_only_its_origins(tmp_path):
    meta = MetaStore(f"sqlite:///{tmp_path / 'meta.sqlite'}")
    app = meta.create_app("Shop", ["https://shop.example", "https://shop.example/"])
    assert app.origins == ("https://shop.example",)
    assert app.allows("https://SHOP.example")
    assert not app.allows("https://evil.example")
    assert not app.allows("https://shop.example.evil.example")
    again = MetaStore(f"sqlite:///{tmp_path / 'meta.sqlite'}")
    assert again.app(app.key) == app
    assert again.app("nope") is None
    meta.close()
    again.close()

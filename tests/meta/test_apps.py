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


def test_view_rules_are_kept_in_order_and_checked(tmp_path):
    url = f"sqlite:///{tmp_path / 'meta.sqlite'}"
    meta = MetaStore(url)
    key = meta.create_app("Shop", ["https://shop.example"]).key
    meta.add_view_rule(key, "/product/*", "Product page")
    meta.add_view_rule(key, "/blog/**", "Blog")
    app = meta.add_view_rule(key, "/product/*", "Product")  # same pattern: renamed in place
    assert app.view_rules == (("/product/*", "Product"), ("/blog/**", "Blog"))
    again = MetaStore(url)  # another process sees them
    assert again.app(key).view_rules == app.view_rules
    assert again.list_apps()[0].view_rules == app.view_rules
    assert meta.remove_view_rule(key, "/blog/**").view_rules == (("/product/*", "Product"),)
    for pattern, name in [("product/*", "x"), ("/a b", "x"), ("/x", ""), ("/x", "n" * 257)]:
        with pytest.raises(ValueError, match="rule"):
            meta.add_view_rule(key, pattern, name)
    with pytest.raises(ValueError, match="twice"):
        meta.set_view_rules(key, [("/x", "a"), ("/x", "b")])
    with pytest.raises(LookupError):
        meta.set_view_rules("nope", [])
    assert meta.set_view_rules(key, []).view_rules == ()
    meta.close()
    again.close()


def test_a_database_from_before_view_rules_opens_and_takes_them(tmp_path):
    import sqlite3

    path = tmp_path / "meta.sqlite"
    con = sqlite3.connect(path)  # the apps table as the first release made it
    con.execute("CREATE TABLE apps (key VARCHAR(64) PRIMARY KEY, name VARCHAR(200) NOT NULL,"
                " origins JSON NOT NULL, created_ms BIGINT NOT NULL)")  # fmt: skip
    con.execute("""INSERT INTO apps VALUES ('k1', 'Old', '["https://old.example"]', 1)""")
    con.commit()
    con.close()
    meta = MetaStore(f"sqlite:///{path}")
    assert meta.app("k1").view_rules == ()
    assert meta.set_view_rules("k1", [("/p/*", "Product")]).view_rules == (("/p/*", "Product"),)
    meta.close()


def test_app_keys_never_start_with_a_dash_which_the_cli_would_read_as_an_option():
    from pageheat.meta.store import new_key

    keys = [new_key() for _ in range(3000)]  # 1 in 64 random keys would start with "-"
    assert not [k for k in keys if k.startswith("-")]
    assert len(set(keys)) == 3000 and all(len(k) == 16 for k in keys)

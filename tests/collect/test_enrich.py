"""View names: an explicit name, else the app's first matching rule, else the folded path."""

from __future__ import annotations

import pytest

from pageheat.collect.enrich import glob_regex, view_name


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/product/*", "/product/42", True),
        ("/product/*", "/product/", True),
        ("/product/*", "/product", False),
        ("/product/*", "/product/42/reviews", False),  # * stays inside one segment
        ("/product/**", "/product/42/reviews", True),
        ("/docs/**/edit", "/docs/a/b/edit", True),
        ("/p?/x", "/p1/x", True),
        ("/p?/x", "/p//x", False),
        ("/a.b/(x)", "/a.b/(x)", True),  # everything else is literal
        ("/a.b/(x)", "/axb/(x)", False),
        ("/Product/*", "/product/1", False),  # case-sensitive
    ],
)  # fmt: skip
def test_rule_patterns_are_globs_on_the_path(pattern, path, matches):
    assert bool(glob_regex(pattern).fullmatch(path)) is matches


def test_the_first_matching_rule_names_the_view_else_the_path_is_folded():
    rules = (("/product/*/reviews", "Reviews"), ("/product/**", "Product page"))
    assert view_name("/product/42/reviews", rules) == "Reviews"
    assert view_name("/product/42?ref=x#top", rules) == "Product page"
    assert view_name("/users/123", rules) == "/users/?"
    assert view_name("/users/123") == "/users/?"

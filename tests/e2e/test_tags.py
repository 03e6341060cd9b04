"""Tags, clicks on what is not clickable and compare's noise marks, end to end in real
Chromium: a page that calls ``pageheat.tag('variant', …)`` from its URL, the real tracker
and collector, the API's ``tag.variant`` filter, and the dashboard's picker, insights
and compare panel.

The script: two visitors of variant A click "Add to cart" twice each; two of variant B
click "Details" once each, and one of them the headline, which is not clickable. So
A's map has 4 clicks and B's 3; "Add to cart" falls from 4 of 4 clicks to 0 of 3 (a
change the two-proportion test calls real: z = 2.6) and the headline rises from 0 of 4
to 1 of 3 (z = 1.2: noise).
"""

from __future__ import annotations

import re

import pytest

from tests.browsing import sign_in, until, visit

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Tags</title>
<script src="{server}/pageheat.js" data-app="{key}" defer></script>
<script>
  document.addEventListener("DOMContentLoaded", () => {{
    pageheat.tag("variant", new URLSearchParams(location.search).get("variant") || "none");
  }});
</script>
<style>
  body {{ margin: 0; font: 16px sans-serif; }}
  h1 {{ margin: 40px; height: 60px; }}
  button {{ display: block; width: 200px; height: 60px; margin: 40px; }}
</style>
</head><body>
<h1 id="hero">Spring sale</h1>
<button id="a" type="button">Add to cart</button>
<button id="b" type="button">Details</button>
</body></html>"""


def test_a_tag_reaches_the_store_filters_maps_and_compares(browser, live_server, site):
    key = live_server.create_app("Tags", [site.url])
    url = site.page("tags.html", PAGE.format(server=live_server.url, key=key))
    visit(browser, f"{url}?variant=A", 1440, ["#a", "#a"])
    visit(browser, f"{url}?variant=A", 1440, ["#a", "#a"])
    visit(browser, f"{url}?variant=B", 1440, ["#b", "#hero"])
    visit(browser, f"{url}?variant=B", 1440, ["#b"])

    api = live_server.api()
    base = f"/api/v1/apps/{key}"
    params = {"view": "/tags.html", "width": "desktop"}

    def total(**filters) -> int:
        r = api.get(f"{base}/heatmap", params={**params, "format": "json", **filters})
        r.raise_for_status()
        return r.json()["total"]

    with api:
        assert until(lambda: total() == 7), total()
        assert total(**{"tag.variant": "A"}) == 4
        assert total(**{"tag.variant": "B"}) == 3
        assert total(**{"tag.variant": "B"}, kind="inert") == 1
        tags = api.get(f"{base}/tags", params=params).json()["tags"]
        assert tags == [{"key": "variant", "page_views": 4}]

    context, page, problems = sign_in(browser, live_server)
    page.goto(f"{live_server.url}/apps/{key}/heatmap?view=%2Ftags.html&width=desktop"
              "&tag.variant=A")  # fmt: skip
    tile = ".tile[data-stat=total-clicks] .tile-value"
    page.wait_for_function(f"() => document.querySelector('{tile}')?.textContent === '4'")
    chip = page.locator('.filter-chip[data-filter="tag.variant"]')
    assert chip.inner_text().replace("\n", "").startswith("Tag variant: A")

    # the picker lists the tag key; its values come with their page views
    page.click("[data-testid=add-filter]")
    page.click('[data-testid=filter-tags] button[data-filter="tag.variant"]')
    rows = page.locator("[data-testid=filter-values] .value-row")
    rows.first.wait_for()
    assert [r.get_attribute("data-value") for r in rows.all()] == ["A", "B"]
    page.locator('.value-row[data-value="A"] input').uncheck()
    page.locator('.value-row[data-value="B"] input').check()
    page.click("[data-testid=apply-filter]")
    page.wait_for_url(re.compile(r"tag\.variant=B"))
    page.wait_for_function(f"() => document.querySelector('{tile}')?.textContent === '3'")
    inert = page.locator('[data-testid=inert-elements] li[data-selector="#hero"]')
    assert "Spring sale" in inert.inner_text()
    assert page.locator("dd[data-stat=inert-clicks]").inner_text().startswith("1 ")

    # compare the variants: the real change is plain, the noise greyed and labelled
    chip.locator(".filter-chip-x").click()
    page.wait_for_function(f"() => document.querySelector('{tile}')?.textContent === '7'")
    page.click("[data-testid=compare-toggle]")
    page.wait_for_url(re.compile(r"compare=period"))
    page.click("[data-testid=compare-bar] button[data-compare=segment]")
    seg = "[data-testid=compare-bar] select[data-side=seg]"
    page.wait_for_selector(f'{seg} option[value="tag.variant"]', state="attached")
    page.select_option(seg, "tag.variant")
    page.wait_for_selector("[data-testid=compare-bar] select[data-side=a] option[value=A]",
                           state="attached")  # fmt: skip
    page.select_option("[data-testid=compare-bar] select[data-side=a]", "A")
    page.select_option("[data-testid=compare-bar] select[data-side=b]", "B")
    page.wait_for_url(re.compile(r"seg=tag\.variant&seg\.a=A&seg\.b=B"))
    changes = page.locator("[data-testid=action-changes]")
    real = changes.locator('li[data-selector="#a"]')
    real.wait_for()
    assert real.get_attribute("data-significant") == "true"
    assert real.locator("[data-testid=noise]").count() == 0
    noise = changes.locator('li[data-selector="#hero"]')
    assert noise.get_attribute("data-significant") == "false"
    assert noise.locator("[data-testid=noise]").inner_text() == "noise"
    assert "could be chance" in (noise.get_attribute("title") or "")
    assert not problems, problems
    context.close()

"""Page views as the tracker reports them: the view event, ids, leave, names, tags, SPAs."""

import pytest

pytestmark = pytest.mark.browser


def test_view_event_describes_the_page(page, capture, pages):
    url = f"{pages.url}/shop.html?utm_source=news&utm_medium=email&utm_campaign=spring&ref=x"
    page.goto(url + "#reviews")
    [view] = capture.wait_events("view")
    [batch] = capture.batches
    assert batch["app"] == "shop-app"
    assert batch["sdk"] == "pageheat-js/0.1"
    assert all(1 <= len(batch[k]) <= 64 for k in ("batch", "visitor", "session"))
    assert view["url"] == url  # the #fragment (tokens live there) is not sent
    assert view["path"] == "/shop.html"
    assert view["title"] == "Blue mug — Shop"
    assert (view["vw"], view["vh"], view["dw"], view["dpr"]) == (1280, 800, 1280, 1)
    assert view["dh"] > 3000
    assert view["utm"] == {"source": "news", "medium": "email", "campaign": "spring"}
    assert view["lang"] == "en-US"
    assert view["tz"]
    assert view["tags"] == {}
    assert "name" not in view
    assert isinstance(view["t"], int)
    assert 1 <= len(view["v"]) <= 64


def test_visitor_and_session_persist_across_pages(page, capture, pages):
    page.goto(f"{pages.url}/shop.html")
    capture.wait_events("view")
    page.goto(f"{pages.url}/next.html")
    first, second = capture.wait_events("view", 2)
    assert first["v"] != second["v"]
    assert len({(b["visitor"], b["session"]) for b in capture.batches}) == 1
    assert len({b["batch"] for b in capture.batches}) == len(capture.batches)
    stored = page.evaluate("[localStorage.pageheat_vid, localStorage.pageheat_sid]")
    assert stored[0] == capture.batches[0]["visitor"]
    assert stored[1].split(":")[0] == capture.batches[0]["session"]


def test_leave_on_navigation_reports_visible_time_and_depth(page, capture, pages):
    page.goto(f"{pages.url}/shop.html")
    [view] = capture.wait_events("view")
    page.mouse.wheel(0, 1200)
    page.wait_for_function("scrollY >= 1200")
    page.wait_for_timeout(300)
    page.goto(f"{pages.url}/next.html")
    [leave] = capture.wait(lambda: [e for e in capture.events("leave") if e["v"] == view["v"]])
    assert 300 <= leave["vis"] < 60_000
    assert leave["depth"] >= 1200 + 800 - 1
    assert leave["dh"] == view["dh"]


def test_data_view_names_the_first_view(page, capture, pages):
    page.goto(f"{pages.url}/named.html")
    [view] = capture.wait_events("view")
    assert view["name"] == "Product page"
    assert view["path"] == "/named.html"


def test_start_view_and_tags(page, capture, pages):
    page.goto(f"{pages.url}/named.html")
    [first] = capture.wait_events("view")
    page.evaluate("""() => {
        pageheat.tag("env", "staging");
        pageheat.tag("version", 123);
        pageheat.startView("Checkout");
    }""")
    _, second = capture.wait_events("view", 2)
    assert second["name"] == "Checkout"
    assert second["tags"] == {"env": "staging", "version": "123"}
    assert second["v"] != first["v"]
    [leave] = capture.wait_events("leave")
    assert leave["v"] == first["v"]
    assert leave["vis"] > 0


def test_spa_navigation_starts_a_view_when_the_path_changes(page, capture, pages):
    page.goto(f"{pages.url}/spa.html")
    capture.wait_events("view")
    page.click("#to-step2")
    _, second = capture.wait_events("view", 2)
    assert second["path"] == "/spa/step2"
    assert second["referrer"] == f"{pages.url}/spa.html"
    assert "name" not in second
    page.click("#same-path")  # replaceState to ?tab=2: same path, same view
    page.go_back()  # popstate back to /spa.html
    capture.wait_events("view", 3)
    sent = capture.leave()
    views = [e for e in sent if e["k"] == "view"]
    assert [v["path"] for v in views] == ["/spa.html", "/spa/step2", "/spa.html"]
    assert [e["v"] for e in sent if e["k"] == "leave"] == [v["v"] for v in views]


def test_explicit_views_turn_automatic_spa_views_off(page, capture, pages):
    page.goto(f"{pages.url}/spa.html")
    capture.wait_events("view")
    page.evaluate("pageheat.startView('Wizard')")
    page.click("#to-step2")
    capture.wait_events("click")
    views = [e for e in capture.leave() if e["k"] == "view"]
    assert [v.get("name") for v in views] == [None, "Wizard"]


def test_goal_names_the_current_view_and_keeps_its_value(page, capture, pages):
    page.goto(f"{pages.url}/shop.html")
    [view] = capture.wait_events("view")
    page.evaluate("""() => {
        pageheat.goal("signup");
        pageheat.goal("order", 42.5);
        pageheat.goal("order", "12");
        pageheat.goal("odd", NaN);
        pageheat.goal("", 1);
        pageheat.goal("x".repeat(300), 1e13);
    }""")
    goals = [e for e in capture.leave() if e["k"] == "goal"]  # the view's last word
    # every batch was checked against the wire schema and the collector's decoder
    assert [(g["name"], g.get("value")) for g in goals] == [
        ("signup", None), ("order", 42.5), ("order", 12), ("odd", None), ("x" * 128, None),
    ]  # fmt: skip
    assert {g["v"] for g in goals} == {view["v"]}

"""The API docs page (Swagger UI from Vouch's own static files) works in Chromium under the site's
Content-Security-Policy: the page renders the API and the browser reports no violation. (Swagger UI is not Vouch's
page, so it is not held to the journeys' axe and size checks.)"""


def test_the_api_docs_page_runs_under_the_content_security_policy(browser, live_server, transactional_db):
    context = browser.new_context()
    try:
        page = context.new_page()
        refused: list[str] = []
        page.on(
            "console",
            lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
        )
        response = page.goto(f"{live_server.url}/api/v1/docs")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe" not in policy
        page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
        page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)  # the operations, from openapi.json
        page.locator(".swagger-ui .opblock-summary").first.click()  # opening one runs more of its code
        page.wait_for_timeout(300)
        assert refused == []
    finally:
        context.close()

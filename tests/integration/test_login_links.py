"""POST /api/v1/session/link: the admin gets a one-time login link that signs a browser in."""


async def test_before_any_user_the_link_leads_to_setting_the_admin_password(hub):
    made = await hub.client.post("/api/v1/session/link", headers=hub.auth)
    url = made.json()["url"]
    first = await hub.client.get(url[url.index("/login?") :], follow_redirects=False)
    assert first.headers["location"].startswith("/?setup=")


async def test_admin_gets_a_login_link_that_signs_the_dashboard_in_once(hub):
    user = {"name": "root", "role": "admin", "password": "a long password"}
    assert (await hub.client.post("/api/v1/users", json=user, headers=hub.auth)).status_code == 201
    made = await hub.client.post("/api/v1/session/link", headers=hub.auth)
    assert made.status_code == 201
    url = made.json()["url"]
    assert url.startswith("http://127.0.0.1:")
    path = url[url.index("/login?") :]
    first = await hub.client.get(path, follow_redirects=False)
    assert first.status_code in (302, 303)
    assert "tcf_session" in first.cookies
    assert (await hub.client.get(path, follow_redirects=False)).status_code == 401


async def test_login_links_need_the_admin(hub):
    assert (await hub.client.post("/api/v1/session/link")).status_code == 401
    created = await hub.client.post(
        "/api/v1/tokens", json={"name": "agent", "scope": "ingest"}, headers=hub.auth
    )
    scoped = {"Authorization": f"Bearer {created.json()['token']}"}
    assert (await hub.client.post("/api/v1/session/link", headers=scoped)).status_code == 403

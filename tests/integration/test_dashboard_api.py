"""What the dashboard needs from the server: GET /api/v1/about and deep links to its views."""

import psutil
import pytest
from litestar.testing import AsyncTestClient

from hub import __version__
from hub.api.routes import WEB_DIST


async def test_about_gives_version_uptime_and_store_size(make_hub, clock):
    app = make_hub()
    async with AsyncTestClient(app=app) as client:
        token = app.state.hub.admin_token
        assert (await client.get("/api/v1/about")).status_code == 401
        response = await client.get("/api/v1/about", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        body = response.json()
        assert body["version"] == __version__
        assert body["started_at"] == psutil.Process().create_time()
        assert body["store_backend"] == "sqlite"
        assert body["store_bytes"] > 0
        assert body["uptime_seconds"] == 0.0  # the manual clock is before the process start
        clock.advance(body["started_at"] - clock.now().timestamp() + 90)
        later = await client.get("/api/v1/about", headers={"Authorization": f"Bearer {token}"})
        assert later.json()["uptime_seconds"] == pytest.approx(90)


@pytest.mark.skipif(not (WEB_DIST / "index.html").is_file(), reason="dashboard not built")
@pytest.mark.parametrize(
    "path",
    [
        "/alerts/12",
        "/hosts/box",
        "/services/api",
        "/containers/db",
        "/settings",
        "/users",
        "/account",
    ],
)
async def test_deep_links_load_the_dashboard(make_hub, path):
    app = make_hub()
    async with AsyncTestClient(app=app) as client:
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert '<div id="app">' in response.text
        assert response.headers["cache-control"] == "no-cache"


async def test_unknown_api_and_asset_paths_stay_404(make_hub):
    app = make_hub()
    async with AsyncTestClient(app=app) as client:
        token = app.state.hub.admin_token
        headers = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/api/v1/nothing", headers=headers)).status_code == 404
        assert (await client.get("/assets/missing.js")).status_code == 404

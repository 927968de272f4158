"""The HTTP surface: Litestar app, controllers, auth, SSE and the static PWA."""

from hub.api.routes import build_api

__all__ = ["build_api"]

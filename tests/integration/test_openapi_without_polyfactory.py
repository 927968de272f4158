"""The one-file binary leaves polyfactory out (packaging/tcf-hub.spec); the OpenAPI schema,
which the app builds at start-up, must not need it (a ResponseSpec generating examples did)."""

import subprocess
import sys
import textwrap


def test_the_schema_builds_without_polyfactory(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        sys.modules["polyfactory"] = None  # import polyfactory now raises ImportError
        from hub.app import create_app
        from hub.store import upgrade
        from tests.helpers import hub_settings
        app = create_app(hub_settings(Path({str(tmp_path)!r}), "", ""), migrate=upgrade)
        print(len(app.openapi_schema.paths))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) > 40

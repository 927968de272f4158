"""The packaging files parse and say what the README promises (the image cannot be built on
machines without registry access, so its Dockerfile is checked here instruction by instruction)."""

import configparser
import re
import shlex
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def instructions(path):
    """(INSTRUCTION, arguments) pairs of a Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            yield word.upper(), rest.strip()


def stages(path):
    """The Dockerfile's stages: name → its instructions (FROM first)."""
    found, current = {}, None
    for word, rest in instructions(path):
        if word == "FROM":
            parts = rest.split()
            current = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else "final"
            found[current] = []
        assert current is not None, f"{word} before FROM"
        found[current].append((word, rest))
    return found


def test_dockerfile_is_multi_stage_with_a_non_root_runtime():
    built = stages(PACKAGING / "Dockerfile")
    assert list(built) == ["frontend", "build", "final"]
    final = dict(built["final"])
    assert final["USER"] == "tcf"
    assert "--uid 10001" in final["RUN"]
    assert final["VOLUME"] == '["/data"]'
    assert "/healthz" in final["HEALTHCHECK"]
    assert final["HEALTHCHECK"].split()[-1].endswith('"]')  # exec form, parses as JSON
    assert final["CMD"] == '["tcf-hub", "serve", "--insecure-bind"]'
    env = dict(pair.split("=", 1) for pair in shlex.split(final["ENV"]))
    assert env["TCF_HUB_HOST"] == "0.0.0.0"
    assert env["TCF_HUB_DATA_DIR"] == "/data"


def test_dockerfile_copies_only_what_exists_and_is_in_the_build_context():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for stage, steps in stages(PACKAGING / "Dockerfile").items():
        for word, rest in steps:
            if word != "COPY":
                continue
            *sources, _target = rest.split()
            if sources[0].startswith("--from="):
                assert sources[0].removeprefix("--from=") in {"frontend", "build"}, stage
                continue
            for source in sources:
                assert (ROOT / source).exists(), f"{stage}: COPY {source}"
                assert source.rstrip("/") not in ignored, f"{stage}: {source} is ignored"


def test_the_image_takes_the_dashboard_from_where_vite_writes_it():
    vite = (ROOT / "frontend" / "vite.config.ts").read_text()
    assert 'outDir: "../hub/web/dist"' in vite  # from WORKDIR /src/frontend: /src/hub/web/dist
    steps = dict(stages(PACKAGING / "Dockerfile")["frontend"])
    assert steps["WORKDIR"] == "/src/frontend"
    build_copies = [r for w, r in stages(PACKAGING / "Dockerfile")["build"] if w == "COPY"]
    assert "--from=frontend /src/hub/web/dist/ hub/web/dist/" in build_copies


def test_compose_watches_the_host_docker_socket_and_keeps_data_in_a_volume():
    compose = yaml.safe_load((PACKAGING / "compose.yml").read_text())
    hub = compose["services"]["hub"]
    assert (PACKAGING / hub["build"]["context"] / hub["build"]["dockerfile"]).is_file()
    assert "/var/run/docker.sock:/var/run/docker.sock:ro" in hub["volumes"]
    assert "hub-data:/data" in hub["volumes"]
    assert "hub-data" in compose["volumes"]
    assert all(port.startswith("127.0.0.1:") for port in hub["ports"])


def test_desktop_entry_runs_the_launcher():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(PACKAGING / "tcf-hub.desktop")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"] == "tcf-hub open"
    assert desktop["Icon"] == "tcf-hub"
    assert desktop["Terminal"] == "false"


def test_user_unit_runs_the_installed_binary():
    unit = (PACKAGING / "tcf-hub.service").read_text()
    assert "ExecStart=%h/.local/bin/tcf-hub serve" in unit
    assert "WantedBy=default.target" in unit


def test_install_script_is_valid_posix_sh():
    checked = subprocess.run(["sh", "-n", str(PACKAGING / "install.sh")], capture_output=True)
    assert checked.returncode == 0, checked.stderr

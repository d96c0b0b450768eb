"""The server recipe of deploy/ run as written: the webserver and the daemon started from the systemd units' command
lines, on loopback, with the instance of deploy/dagster.yaml in a real PostgreSQL; the reference-uploads sensor
turned on (the UI's toggle) ticks, its run succeeds, both services stop cleanly on SIGTERM, and the nightly
backup script saves both databases."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVER_ROOT = "/opt/clms"  # where the units expect the clone; here, this checkout
TICKS = """query ($selector: SensorSelector!) { sensorOrError(sensorSelector: $selector) {
  ... on Sensor { sensorState { status ticks(limit: 5) { status runIds } } } } }"""
START = """mutation ($selector: SensorSelector!) { startSensor(sensorSelector: $selector) {
  ... on Sensor { sensorState { status } } ... on PythonError { message } } }"""
RUNS = """query { runsOrError(filter: {pipelineName: "reference_job"}) { ... on Runs { results { runId status } } } }"""


def unit_service(name: str) -> tuple[dict[str, str], list[str]]:
    """The ``Environment=`` settings and the ``ExecStart=`` command line of a unit in deploy/systemd."""
    text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
    environment = dict(item.split("=", 1) for line in re.findall(r"^Environment=(.*)$", text, re.M)
                       for item in shlex.split(line))
    return environment, shlex.split(re.search(r"^ExecStart=(.*)$", text, re.M).group(1))


def command_line(args: list[str], env: dict[str, str]) -> list[str]:
    """``${VAR}`` expanded as systemd does, and the server's clone and virtual environment mapped to this checkout."""
    expanded = [re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], arg) for arg in args]
    venv_bin = str(Path(sys.executable).parent)
    return [arg.replace(f"{SERVER_ROOT}/.venv/bin", venv_bin).replace(SERVER_ROOT, str(ROOT)) for arg in expanded]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    response = requests.post(f"http://127.0.0.1:{port}/graphql", json={"query": query, "variables": variables or {}},
                             timeout=30)
    response.raise_for_status()
    return response.json()["data"]


def wait_for(what: str, check, timeout: float, services: list[subprocess.Popen]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for service in services:
            assert service.poll() is None, f"{service.args[0]} exited with {service.returncode} while waiting: {what}"
        result = check()
        if result:
            return result
        time.sleep(1)
    raise AssertionError(f"timed out waiting: {what}")


def stop(service: subprocess.Popen) -> int:
    """What ``systemctl stop`` does first: SIGTERM, then wait."""
    service.send_signal(signal.SIGTERM)
    try:
        return service.wait(timeout=60)
    except subprocess.TimeoutExpired:
        service.kill()
        service.wait()
        raise AssertionError(f"{service.args[0]} did not stop within 60 s of SIGTERM") from None


@pytest.fixture
def server_env(postgres_server, tmp_path):
    """The environment of /etc/clms/clms.env for this test: Dagster's database and the warehouse in PostgreSQL,
    an empty uploads folder, and the instance of deploy/dagster.yaml in a fresh DAGSTER_HOME."""
    postgres_server.create_database("clms_dagster")
    warehouse_url = postgres_server.create_database("clms_warehouse")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    (tmp_path / "reference_uploads").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "CLMS_"))}
    env.update({
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(postgres_server.port), "DAGSTER_PG_USER": "postgres",
        "DAGSTER_PG_PASSWORD": "unused-trust-auth", "DAGSTER_PG_DB": "clms_dagster",
        "CLMS_WAREHOUSE_URL": warehouse_url, "CLMS_PSEUDONYM_KEY": os.environ["CLMS_PSEUDONYM_KEY"],
        "CLMS_DATA_DIR": str(tmp_path / "var"), "CLMS_REFERENCE_DIR": str(tmp_path / "reference_uploads"),
        "CLMS_REPORTS_DIR": str(tmp_path / "reports"),
        "CLMS_SOURCE": "demo", "PYTHONPATH": str(ROOT),
    })
    return env


@pytest.mark.postgres
def test_webserver_and_daemon_run_a_sensor_run_on_postgres(server_env, tmp_path):
    web_env, web_args = unit_service("clms-webserver.service")
    daemon_env, daemon_args = unit_service("clms-daemon.service")
    assert web_env["CLMS_UI_HOST"] == "127.0.0.1"
    port = free_port()
    web_env = {**web_env, **server_env, "CLMS_UI_PORT": str(port)}
    daemon_env = {**daemon_env, **server_env}
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in ("webserver", "daemon")}
    services = [
        subprocess.Popen(command_line(web_args, web_env), env=web_env, cwd=tmp_path, stdout=logs["webserver"],
                         stderr=subprocess.STDOUT),
        subprocess.Popen(command_line(daemon_args, daemon_env), env=daemon_env, cwd=tmp_path, stdout=logs["daemon"],
                         stderr=subprocess.STDOUT),
    ]
    try:
        def serving():
            try:
                return requests.get(f"http://127.0.0.1:{port}/server_info", timeout=5).ok
            except requests.ConnectionError:
                return False

        wait_for("the webserver answers", serving, 180, services)
        selector = {"repositoryLocationName": "clms", "repositoryName": "__repository__",
                    "sensorName": "reference_uploads"}
        started = graphql(port, START, {"selector": selector})["startSensor"]
        assert started["sensorState"]["status"] == "RUNNING", started

        def ticked_run():
            state = graphql(port, TICKS, {"selector": selector})["sensorOrError"]["sensorState"]
            assert state["status"] == "RUNNING"
            return next((tick for tick in state["ticks"] if tick["status"] == "SUCCESS" and tick["runIds"]), None)

        tick = wait_for("a sensor tick that requests a run", ticked_run, 120, services)

        def finished():
            runs = {run["runId"]: run["status"] for run in graphql(port, RUNS)["runsOrError"]["results"]}
            status = runs.get(tick["runIds"][0])
            return status if status in ("SUCCESS", "FAILURE", "CANCELED") else None

        assert wait_for("the sensor's run finishes", finished, 180, services) == "SUCCESS"
    finally:
        codes = [stop(service) for service in services]
        for log in logs.values():
            log.close()
    assert codes == [0, 0], (tmp_path / "daemon.log").read_text()[-3000:]

    backups = tmp_path / "backups"
    subprocess.run([str(DEPLOY / "backup.sh")], env={**server_env, "CLMS_BACKUP_DIR": str(backups)}, check=True,
                   capture_output=True, timeout=120)
    assert sorted(p.name.split("-")[0] for p in backups.glob("*.backup")) == ["dagster", "warehouse"]


def test_every_setting_of_the_instance_is_in_the_example_environment():
    wanted = set(re.findall(r"env: (\w+)", (DEPLOY / "dagster.yaml").read_text(encoding="utf-8")))
    example = (DEPLOY / "clms.env.example").read_text(encoding="utf-8")
    assert wanted and wanted <= set(re.findall(r"^(\w+)=", example, re.M))

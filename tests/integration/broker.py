"""Runs the real mqwarden binary for a test.

`start_broker(config=..., allow_anonymous=...)` starts one on a free port,
optionally with a TOML configuration (text), waits until it accepts
connections and returns a RunningBroker (host, port). The configuration may
name more listeners with placeholder ports "@PORT1@", "@PORT2@"...: each gets
a free port, found in RunningBroker.ports[1], [2]... On teardown each broker
gets SIGTERM and must exit with status 0 within 10 s: a crash or a hang fails
the test (unless the test killed it on purpose with `kill()`). Its log (stderr, at debug level) is printed at teardown, so pytest
shows it with a failing test. `policy_broker(policy_text, ...)` starts one enforcing a policy."""
import dataclasses
import json
import pathlib
import signal
import socket
import subprocess
import time

import pytest

HOST = "127.0.0.1"
STOP_TIMEOUT = 10.0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclasses.dataclass
class RunningBroker:
    host: str
    port: int
    process: subprocess.Popen
    log_path: pathlib.Path
    killed: bool = False
    ports: dict = dataclasses.field(default_factory=dict)  # placeholder number -> port

    def log(self):
        return self.log_path.read_text(errors="replace")

    def kill(self):
        """SIGKILL, as a crash would end it: no shutdown code runs. Teardown expects no exit status then."""
        self.process.kill()
        self.process.wait()
        self.killed = True

    def stop(self):
        """SIGTERM; returns the exit status, or None if it did not exit in time (then it is killed)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


def wait_until_listening(process, port, log_path, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"mqwarden exited with status {process.returncode} while starting:\n"
                                 + log_path.read_text(errors="replace"))
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise AssertionError(f"mqwarden does not accept connections on port {port} after {timeout} s:\n"
                         + log_path.read_text(errors="replace"))


def fill_port_placeholders(config):
    """The configuration with each "@PORTn@" replaced by a free port, and the ports by n."""
    ports = {}
    for number in range(1, 10):
        placeholder = f"@PORT{number}@"
        if config is not None and placeholder in config:
            ports[number] = free_port()
            config = config.replace(placeholder, str(ports[number]))
    return config, ports


def launch(binary, directory, config=None, allow_anonymous=True, extra_args=()):
    """Starts mqwarden with its log in `directory`; returns a RunningBroker once it listens."""
    config, ports = fill_port_placeholders(config)
    port = free_port()
    index = len(list(directory.glob("mqwarden-*.log")))
    log_path = directory / f"mqwarden-{index}.log"
    args = [str(binary), "-p", str(port), "--threads", "2", "-v"]
    if config is not None:
        config_path = directory / f"mqwarden-{index}.toml"
        config_path.write_text(config)
        args += ["-c", str(config_path)]
    if allow_anonymous:
        args.append("--allow-anonymous")
    args += list(extra_args)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    broker = RunningBroker(HOST, port, process, log_path, ports=ports)
    try:
        for listening in [port, *ports.values()]:
            wait_until_listening(process, listening, log_path)
    except AssertionError:
        broker.stop()
        raise
    return broker


@pytest.fixture
def start_broker(mqwarden_binary, tmp_path):
    started = []

    def start(config=None, allow_anonymous=True, extra_args=()):
        broker = launch(mqwarden_binary, tmp_path, config, allow_anonymous, extra_args)
        started.append(broker)
        return broker

    yield start

    problems = []
    for broker in started:
        status = broker.stop()
        print(f"--- mqwarden log (port {broker.port}, exit status {status}) ---")
        print(broker.log())
        if status is None:
            problems.append(f"mqwarden on port {broker.port} did not stop within {STOP_TIMEOUT} s of SIGTERM")
        elif status != 0 and not broker.killed:
            problems.append(f"mqwarden on port {broker.port} exited with status {status} after SIGTERM")
    assert not problems, "; ".join(problems)


@pytest.fixture
def policy_broker(start_broker, tmp_path):
    """`policy_broker(policy_text, config="", identities=None)`: a broker enforcing the policy; `config` follows
    the [policy] section (its keys, then other sections). Called again, the same policy on a new broker."""

    def start(policy, config="", identities=None, watch_interval="100 ms"):
        policy_path = tmp_path / "broker.policy"
        policy_path.write_text(policy)
        lines = ["[policy]", f'files = ["{policy_path}"]', f'watch_interval = "{watch_interval}"']
        if identities is not None:
            identity_path = tmp_path / "identities.json"
            identity_path.write_text(json.dumps(identities))
            lines.append(f'identity_file = "{identity_path}"')
        broker = start_broker("\n".join(lines) + "\n" + config)
        broker.policy_path = policy_path
        return broker

    return start


@pytest.fixture
def broker(start_broker):
    """A broker with the default configuration and anonymous access allowed."""
    return start_broker()

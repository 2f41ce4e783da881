"""The mqwarden command line: version, help, errors, and serving on the port given."""
import signal
import socket
import subprocess

import wire
from broker import free_port, wait_until_listening


def run(binary, *args):
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=30)


def test_version_prints_the_project_version(mqwarden_binary):
    result = run(mqwarden_binary, "--version")
    assert result.returncode == 0
    assert result.stdout.startswith("mqwarden ")
    assert result.stdout.split()[1].count(".") == 2


def test_help_describes_the_program(mqwarden_binary):
    result = run(mqwarden_binary, "--help")
    assert result.returncode == 0
    assert "MQTT broker" in result.stdout
    assert "--version" in result.stdout


def test_unknown_option_is_an_error(mqwarden_binary):
    result = run(mqwarden_binary, "--no-such-option")
    assert result.returncode != 0
    assert "no-such-option" in result.stderr


def test_listens_on_the_port_given_with_p_and_stops_cleanly_on_sigterm(mqwarden_binary, tmp_path):
    port = free_port()
    log_path = tmp_path / "mqwarden.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([str(mqwarden_binary), "-p", str(port), "--allow-anonymous"], stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        wait_until_listening(process, port, log_path)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(wire.connect("cli", version=wire.V311))
            assert sock.recv(4) == bytes([0x20, 0x02, 0x00, 0x00])  # CONNACK accepted
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0, log_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert f"listening on 127.0.0.1:{port}" in log_path.read_text()

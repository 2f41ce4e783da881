"""The mqwarden command line: version, help, and an honest refusal to serve
clients while the broker core is not part of the build."""
import subprocess


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


def test_without_a_broker_core_it_says_so_and_fails(mqwarden_binary):
    result = run(mqwarden_binary)
    assert result.returncode == 1
    assert "not part of this build" in result.stderr

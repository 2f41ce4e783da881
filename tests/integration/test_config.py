"""The configuration: --check-config on good and bad files, the command-line
options in --help, and the example file and the reference staying in step."""
import pathlib
import subprocess
import tomllib

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPOSITORY / "examples" / "mqwarden.toml"
REFERENCE = REPOSITORY / "docs" / "configuration.md"


def run(binary, *args):
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=30)


def write(tmp_path, text):
    path = tmp_path / "mqwarden.toml"
    path.write_text(text)
    return path


def test_the_defaults_are_a_valid_configuration(mqwarden_binary):
    result = run(mqwarden_binary, "--check-config")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "configuration OK\n"


def test_a_good_file_passes(mqwarden_binary, tmp_path):
    path = write(tmp_path, '[[listeners]]\naddress = "0.0.0.0"\nport = 1884\n'
                           '[limits]\nmax_packet_size = "1 MiB"\n[log]\nlevel = "debug"\n')
    result = run(mqwarden_binary, "-c", str(path), "--check-config")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "configuration OK\n"


def test_the_example_file_passes(mqwarden_binary):
    result = run(mqwarden_binary, "--config", str(EXAMPLE), "--check-config")
    assert result.returncode == 0, result.stderr
    assert "configuration OK" in result.stdout


def test_a_bad_value_is_reported_with_file_line_and_column(mqwarden_binary, tmp_path):
    path = write(tmp_path, "[limits]\nmax_connections = 0\n")
    result = run(mqwarden_binary, "-c", str(path), "--check-config")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (f"mqwarden: config error: {path}:2:19: "
                             "limits.max_connections: 0 is out of range 1..1000000\n")


def test_every_error_of_a_file_is_reported(mqwarden_binary, tmp_path):
    path = write(tmp_path, '[limit]\n[log]\nlevel = "warn"\n[[listeners]]\nport = 70000\n')
    result = run(mqwarden_binary, "-c", str(path), "--check-config")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines == [
        f'mqwarden: config error: {path}:1:2: unknown section "limit"; did you mean "limits"?',
        f'mqwarden: config error: {path}:3:9: log.level: "warn" is not one of "error", "warning", "info", '
        '"debug"; did you mean "warning"?',
        f"mqwarden: config error: {path}:5:8: listeners[0].port: 70000 is out of range 1..65535",
    ]


def test_a_syntax_error_is_reported_with_its_line(mqwarden_binary, tmp_path):
    path = write(tmp_path, "[limits]\nmax_connections = = 3\n")
    result = run(mqwarden_binary, "-c", str(path), "--check-config")
    assert result.returncode == 2
    assert result.stderr.startswith(f"mqwarden: config error: {path}:2:19: ")


def test_a_bad_file_also_stops_the_broker_from_starting(mqwarden_binary, tmp_path):
    path = write(tmp_path, "[broker]\nthreads = 1000\n")
    result = run(mqwarden_binary, "-c", str(path))
    assert result.returncode == 2
    assert "broker.threads: 1000 is out of range 0..256" in result.stderr


def test_a_missing_file_is_an_error(mqwarden_binary, tmp_path):
    path = tmp_path / "absent.toml"
    result = run(mqwarden_binary, "-c", str(path), "--check-config")
    assert result.returncode == 2
    assert result.stderr == (f"mqwarden: config error: {path}: cannot read the configuration file: "
                             "No such file or directory\n")


@pytest.mark.parametrize("args", [["-p", "0"], ["--port", "65536"], ["--bind", "localhost"], ["--threads", "257"]])
def test_a_bad_override_is_refused(mqwarden_binary, args):
    result = run(mqwarden_binary, *args, "--check-config")
    assert result.returncode != 0
    assert "configuration OK" not in result.stdout


def test_good_overrides_pass(mqwarden_binary, tmp_path):
    result = run(mqwarden_binary, "-p", "1884", "--bind", "::1", "-v", "--allow-anonymous",
                 "--persistence", str(tmp_path), "--threads", "2", "--check-config")
    assert result.returncode == 0, result.stderr


def test_help_mentions_every_option(mqwarden_binary):
    result = run(mqwarden_binary, "--help")
    assert result.returncode == 0
    for option in ["-c,--config", "-p,--port", "--bind", "-v,--verbose", "--allow-anonymous", "--persistence",
                   "--threads", "--policy", "--check-config", "--version", "docs/configuration.md"]:
        assert option in result.stdout, option


def keys_of(table, prefix=""):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from keys_of(value, f"{prefix}{key}.")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for element in value:
                yield from keys_of(element, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def test_the_reference_documents_every_key_of_the_example():
    example = EXAMPLE.read_text()
    # the keys the example leaves commented out, because they have no default value
    optional = ["listeners.name", "auth.password_file", "policy.identity_file", "policy.pseudonym_key_file",
                "policy.acl_file"]
    keys = set(keys_of(tomllib.loads(example))) | set(optional)
    reference = REFERENCE.read_text()
    for key in sorted(keys):
        section, name = key.rsplit(".", 1)
        assert f"`{name}`" in reference, f"{key} is not in docs/configuration.md"
    for key in optional:
        assert f"# {key.rsplit('.', 1)[1]} = " in example, f"{key} is not in examples/mqwarden.toml"


@pytest.mark.parametrize("source, message", [
    ('topic = "gps/#/x"', 'context_sources[0].topic: "gps/#/x" is not a topic filter'),
    ('topic = "$share/g/gps/+"', "context_sources[0].topic: a context source cannot be a shared subscription"),
    ('name = "position"', "context_sources[0]: a context source needs a topic"),
    ('topic = "t"\nentity_level = 2\nentity_field = "id"', "entity_level and entity_field exclude each other"),
    ('topic = "t"\nvalue = "x"', "context_sources[0].value: a position is read from latitude and longitude"),
    ('topic = "t"\nkind = "number"\nvalue = "x"', 'needs a name'),
    ('topic = "t"\nname = "room temp"', '"room temp" is not a name'),
    ('topic = "t"\nkind = "number"\nname = "t"\nlatitude = "a"', 'context_sources[0].latitude: applies only to'),
    ('topic = "t"\nentity_level = 0', "context_sources[0].entity_level: 0 is out of range 1..64"),
])
def test_a_bad_context_source_is_reported(mqwarden_binary, tmp_path, source, message):
    path = write(tmp_path, "[[context_sources]]\n" + source + "\n")
    result = run(mqwarden_binary, "-c", str(path), "--check-config")
    assert result.returncode == 2
    assert message in result.stderr, result.stderr


def test_context_sources_pass(mqwarden_binary, tmp_path):
    path = write(tmp_path, '[context]\nmax_entities = 1000\n'
                           '[[context_sources]]\ntopic = "gps/+"\nentity_level = 2\nmax_age = "30 s"\n'
                           '[[context_sources]]\nname = "battery"\ntopic = "status/#"\nentity_field = "device"\n'
                           'kind = "number"\nvalue = "battery.level"\n')
    result = run(mqwarden_binary, "-c", str(path), "--check-config")
    assert result.returncode == 0, result.stderr

"""`mqwarden policy check`: policy files checked without a broker, with errors and warnings at
file:line:column, the offending line and a caret, and the exit status scripts can rely on."""
import pathlib
import subprocess

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "policies"


def policy(binary, *args):
    return subprocess.run([str(binary), "policy", *args], capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.policy")))
def test_every_example_policy_checks_clean(mqwarden_binary, example):
    result = policy(mqwarden_binary, "check", str(EXAMPLES / example))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("policy OK: 1 file(s)")


def test_error_is_shown_at_its_place_and_fails(mqwarden_binary, tmp_path):
    path = tmp_path / "typo.policy"
    path.write_text('rule r {\n  on tentative publish\n  where topik == "a"\n  then allow\n}\n')
    result = policy(mqwarden_binary, "check", str(path))
    assert result.returncode == 1
    assert f"{path}:3:9: error: unknown name 'topik'" in result.stderr
    assert "   |         ^~~~~" in result.stderr
    assert "did you mean 'topic'?" in result.stderr
    assert result.stdout == ""


def test_files_are_checked_together_as_one_policy(mqwarden_binary, tmp_path):
    """A template in one file configured in another; and a name declared in both files is an error."""
    (tmp_path / "templates.policy").write_text(
        'template only_from(device) {\n  rule {\n    on tentative publish\n    where client.id == device\n'
        '    then allow\n  }\n}\n')
    (tmp_path / "site.policy").write_text('configure only_from(device = "sensor-1")\n')
    together = policy(mqwarden_binary, "check", str(tmp_path / "templates.policy"), str(tmp_path / "site.policy"))
    assert together.returncode == 0, together.stderr
    alone = policy(mqwarden_binary, "check", str(tmp_path / "site.policy"))
    assert alone.returncode == 1 and "only_from" in alone.stderr


def test_warnings_do_not_fail_the_check(mqwarden_binary, tmp_path):
    path = tmp_path / "unused.policy"
    path.write_text('template unused(device) {\n  rule {\n    on tentative publish\n    where client.id == device\n'
                    '    then deny\n  }\n}\n')
    result = policy(mqwarden_binary, "check", str(path))
    assert result.returncode == 0
    assert "warning" in result.stderr and "1 warning(s)" in result.stdout


def test_quiet_prints_nothing_for_a_good_policy(mqwarden_binary):
    result = policy(mqwarden_binary, "check", "--quiet", str(EXAMPLES / "connect_flood.policy"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_missing_file_is_a_usage_error(mqwarden_binary, tmp_path):
    result = policy(mqwarden_binary, "check", str(tmp_path / "absent.policy"))
    assert result.returncode not in (0, 1)
    assert "absent.policy" in result.stderr


def test_policy_needs_a_command(mqwarden_binary):
    result = policy(mqwarden_binary)
    assert result.returncode != 0 and "subcommand" in result.stderr.lower()

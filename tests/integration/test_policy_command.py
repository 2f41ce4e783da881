"""`mqwarden policy check`: policy files checked without a broker, with errors and warnings at
file:line:column, the offending line and a caret, and the exit status scripts can rely on."""
import json
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


def test_what_the_broker_would_refuse_at_load_fails_the_check(mqwarden_binary, tmp_path):
    path = tmp_path / "history_in_situation.policy"
    path.write_text('situation pinged = within(1 s, actual ping)\n'
                    'rule r { on tentative publish if situation pinged then allow }\n')
    result = policy(mqwarden_binary, "check", str(path))
    assert result.returncode == 1
    assert f"{path}:1:20: error: " in result.stderr and "temporal-in-filter" in result.stderr
    assert result.stdout == ""
    path.write_text('rule r { on tentative publish if count(within 36500 d, actual ping) > 1 then deny }\n')
    result = policy(mqwarden_binary, "check", str(path))
    assert result.returncode == 1
    assert f"{path}:1:34: error: 'count' cannot be monitored" in result.stderr and "out-of-range" in result.stderr


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


# `mqwarden policy test` and `explain` (docs/policy-tools.md).

def _policy_of(cases_file):
    """examples/policies/NAME[.VARIANT].cases.json is run against NAME.policy."""
    return EXAMPLES / (cases_file.split(".")[0] + ".policy")


@pytest.mark.parametrize("cases", sorted(p.name for p in EXAMPLES.glob("*.cases.json")))
def test_every_example_cases_file_passes(mqwarden_binary, cases):
    path = EXAMPLES / cases
    count = len(json.loads(path.read_text())["cases"])
    result = policy(mqwarden_binary, "test", str(_policy_of(cases)), "--cases", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"{count} passed, 0 failed"


def test_every_example_policy_has_cases():
    covered = {_policy_of(p.name).name for p in EXAMPLES.glob("*.cases.json")}
    assert covered == {p.name for p in EXAMPLES.glob("*.policy")}


def test_failing_expectation_exits_1_and_names_the_case_and_the_mismatch(mqwarden_binary, tmp_path):
    cases = tmp_path / "wrong.cases.json"
    cases.write_text(json.dumps({
        "start": "2026-03-02T08:00:00Z",
        "cases": [
            {"name": "a guest is delayed", "event": {
                "activity": "deliver", "client": {"id": "tracker"}, "subscriber": {"id": "v", "roles": ["guest"]},
                "topic": "gps/tracker", "payload": {"lat": 46.06789, "lon": 11.12345}},
             "expect": {"delay": "5 min"}},
            {"name": "a guest is delayed 4 minutes (wrong)", "event": {
                "activity": "deliver", "client": {"id": "tracker"}, "subscriber": {"id": "v", "roles": ["guest"]},
                "topic": "gps/tracker", "payload": {"lat": 46.06789, "lon": 11.12345}},
             "expect": {"delay": "4 min", "verdict": "deny"}},
        ]}))
    result = policy(mqwarden_binary, "test", str(EXAMPLES / "delay_gps.policy"), "--cases", str(cases))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"FAIL {cases}: a guest is delayed 4 minutes (wrong)" in result.stdout
    assert "  delay: expected 240000 ms, got 300000 ms" in result.stdout
    assert "  verdict: expected deny, got allow" in result.stdout
    assert "FAIL" not in result.stdout.replace(f"FAIL {cases}: a guest is delayed 4 minutes", "")
    assert result.stdout.strip().splitlines()[-1] == "1 passed, 1 failed"


@pytest.mark.parametrize("content, message", [
    ({"cases": [{"name": "x", "event": {"activity": "ping", "tme": 1}}]}, "cases[0]: event: unknown key 'tme'"),
    ({"cases": [{"name": "x", "event": {"activity": "ping"}, "expect": {"verdit": "allow"}}]},
     "cases[0]: expect: unknown key 'verdit'"),
    ({"cases": [{"name": "x", "event": {"activity": "ping"}}], "contxt": {}}, "cases file: unknown key 'contxt'"),
    ({"start": "2026-03-02 08:00", "cases": [{"name": "x", "event": {"activity": "ping"}}]},
     "start: '2026-03-02 08:00' is not a UTC time"),
    ({"cases": [{"name": "x", "event": {"activity": "ping", "time": "yesterday"}}]},
     "cases[0]: time: 'yesterday' is not a UTC time"),
    ({"cases": [{"name": "x", "after": "1 fortnight", "event": {"activity": "ping"}}]}, "cases[0].after:"),
])
def test_malformed_cases_file_exits_2_naming_the_key(mqwarden_binary, tmp_path, content, message):
    cases = tmp_path / "bad.cases.json"
    cases.write_text(json.dumps(content))
    result = policy(mqwarden_binary, "test", str(EXAMPLES / "connect_flood.policy"), "--cases", str(cases))
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert result.stdout == ""


def test_explain_shows_the_anonymised_payload(mqwarden_binary):
    event = {"activity": "deliver", "client": {"id": "p"}, "subscriber": {"id": "s", "roles": ["carer"]},
             "topic": "identity/alice",
             "payload": {"fullName": "Alice Smith", "email": "a@x.org", "lat": 46.06789, "lon": 11.12345}}
    result = policy(mqwarden_binary, "explain", str(EXAMPLES / "anonymise_identity.policy"), "--event", json.dumps(event))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "verdict: allow (no rule gave one: the activity's default)"
    assert lines[1].startswith("rule anonymise_identity: then branch, ")
    assert "edit: pseudonymise payload.email" in lines
    # The pseudonym is HMAC-SHA256 under the default key "mqwarden-policy-test", first 16 bytes in hex.
    assert ('payload after the edits: {"email":"3585a883fd51cbc7adc285c2fb49eedf","fullName":"anonymous",'
            '"lat":46.07,"lon":11.12}') in lines


def test_explain_for_an_admin_changes_nothing(mqwarden_binary):
    event = {"activity": "deliver", "client": {"id": "p"}, "subscriber": {"id": "s", "roles": ["admin"]},
             "topic": "identity/alice", "payload": {"fullName": "Alice Smith"}}
    result = policy(mqwarden_binary, "explain", str(EXAMPLES / "anonymise_identity.policy"), "--event", json.dumps(event))
    assert result.returncode == 0, result.stderr
    assert "no rule matched" in result.stdout and "payload after the edits" not in result.stdout


def test_explain_with_a_bad_event_exits_2(mqwarden_binary):
    result = policy(mqwarden_binary, "explain", str(EXAMPLES / "connect_flood.policy"), "--event", '{"activity": "pong"}')
    assert result.returncode == 2
    assert "--event: unknown activity 'pong'" in result.stderr


# `mqwarden policy acl`: a Mosquitto acl_file as policy rules.

SITE_ACL = """# the site's ACL
topic read public/#
user alice
topic sensors/#
topic deny sensors/secret
pattern readwrite devices/%c/#
"""


def test_acl_prints_policy_rules_that_check_and_decide_as_mosquitto(mqwarden_binary, tmp_path):
    acl = tmp_path / "acl.conf"
    acl.write_text(SITE_ACL)
    result = policy(mqwarden_binary, "acl", str(acl))
    assert result.returncode == 0, result.stderr
    assert f"topic matches \"sensors/#\"  # {acl}:4: topic sensors/#" in result.stdout
    translated = tmp_path / "acl.policy"
    translated.write_text(result.stdout)
    checked = policy(mqwarden_binary, "check", str(translated))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("policy OK: 1 file(s), 4 rule(s)")

    def explain(event):
        decided = policy(mqwarden_binary, "explain", str(translated), "--event", json.dumps(event))
        assert decided.returncode == 0, decided.stderr
        return decided.stdout.splitlines()[0]

    publish = {"activity": "publish", "client": {"id": "c1", "username": "alice"}, "topic": "sensors/lab"}
    assert explain(publish) == "verdict: allow (no rule gave one: the activity's default)"
    assert explain({**publish, "topic": "sensors/secret"}) == 'verdict: deny, reason "denied by the ACL"'
    assert explain({**publish, "client": {"id": "c1", "username": "bob"}}) == \
        'verdict: deny, reason "not allowed by the ACL"'
    assert explain({**publish, "client": {"id": "dev1"}, "topic": "devices/dev1/state"}).startswith("verdict: allow")
    assert explain({**publish, "client": {"id": "+"}, "topic": "devices/dev1/state"}).startswith("verdict: deny")
    deliver = {"activity": "deliver", "client": {"id": "p"}, "subscriber": {"id": "s"}, "topic": "public/news"}
    assert explain(deliver).startswith("verdict: allow")
    assert explain({**deliver, "subscriber": {"id": "s", "username": "alice"}}).startswith("verdict: deny")


def test_acl_error_names_the_line_and_column_and_exits_1(mqwarden_binary, tmp_path):
    acl = tmp_path / "acl.conf"
    acl.write_text("user alice\ntopic red sensors/#\n")
    result = policy(mqwarden_binary, "acl", str(acl))
    assert result.returncode == 1
    assert f"{acl}:2:7: error: unknown access 'red': write read, write, readwrite or deny" in result.stderr
    assert result.stdout == ""


def test_acl_of_a_missing_file_is_a_usage_error(mqwarden_binary, tmp_path):
    result = policy(mqwarden_binary, "acl", str(tmp_path / "absent.conf"))
    assert result.returncode not in (0, 1)
    assert "absent.conf" in result.stderr

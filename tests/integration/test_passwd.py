"""`mqwarden passwd`: password files in the format of Mosquitto's mosquitto_passwd.

Hashes that mqwarden writes are checked with an independent implementation of
Mosquitto's construction (Python's hashlib); files that the real mosquitto_passwd
writes must be accepted and edited by mqwarden, and the other way round."""
import base64
import hashlib
import os
import pty
import select
import shutil
import stat
import subprocess
import time

import pytest

MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd")
needs_mosquitto_passwd = pytest.mark.skipif(
    MOSQUITTO_PASSWD is None,
    reason="mosquitto_passwd is not installed (Debian package `mosquitto`; scripts/install-deps.sh installs it)")


def passwd(binary, *args, stdin=None):
    return subprocess.run([str(binary), "passwd", *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


def entries(path):
    """username -> hash text, for every `user:hash` line."""
    result = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            user, _, hash_text = line.partition(":")
            result[user] = hash_text
    return result


def mosquitto_check(hash_text, password):
    """Mosquitto's verification, written independently: $7$ is PBKDF2-HMAC-SHA512
    over the 12-byte salt, $6$ is SHA-512 of password || salt."""
    fields = hash_text.split("$")
    if fields[1] == "7":
        iterations, salt, digest = int(fields[2]), base64.b64decode(fields[3]), base64.b64decode(fields[4])
        computed = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    else:
        assert fields[1] == "6", hash_text
        salt, digest = base64.b64decode(fields[2]), base64.b64decode(fields[3])
        computed = hashlib.sha512(password.encode() + salt).digest()
    assert len(salt) == 12 and len(digest) == 64, hash_text
    return computed == digest


def test_create_in_batch_mode_writes_a_mosquitto_pbkdf2_hash(mqwarden_binary, tmp_path):
    path = tmp_path / "passwd"
    result = passwd(mqwarden_binary, "-c", "-b", path, "alice", "s3cret pw")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    hashes = entries(path)
    assert list(hashes) == ["alice"]
    assert hashes["alice"].startswith("$7$10000$")
    assert mosquitto_check(hashes["alice"], "s3cret pw")
    assert not mosquitto_check(hashes["alice"], "s3cret")


def test_iterations_option_sets_the_pbkdf2_count(mqwarden_binary, tmp_path):
    path = tmp_path / "passwd"
    assert passwd(mqwarden_binary, "-c", "-b", "--iterations", "101", path, "alice", "pw").returncode == 0
    assert entries(path)["alice"].startswith("$7$101$")
    assert mosquitto_check(entries(path)["alice"], "pw")


def test_update_replaces_one_user_and_keeps_the_others_and_comments(mqwarden_binary, tmp_path):
    path = tmp_path / "passwd"
    assert passwd(mqwarden_binary, "-c", "-b", path, "alice", "one").returncode == 0
    path.write_text("# lab users\n" + path.read_text())
    assert passwd(mqwarden_binary, "-b", path, "bob", "two").returncode == 0
    bob_line = path.read_text().splitlines()[2]
    assert passwd(mqwarden_binary, "-b", path, "alice", "three").returncode == 0
    lines = path.read_text().splitlines()
    assert lines[0] == "# lab users"
    assert lines[1].startswith("alice:") and lines[2] == bob_line
    hashes = entries(path)
    assert mosquitto_check(hashes["alice"], "three") and mosquitto_check(hashes["bob"], "two")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_delete_removes_the_user_and_fails_for_an_unknown_one(mqwarden_binary, tmp_path):
    path = tmp_path / "passwd"
    assert passwd(mqwarden_binary, "-c", "-b", path, "alice", "one").returncode == 0
    assert passwd(mqwarden_binary, "-b", path, "bob", "two").returncode == 0
    assert passwd(mqwarden_binary, "-D", path, "alice").returncode == 0
    assert list(entries(path)) == ["bob"]
    result = passwd(mqwarden_binary, "-D", path, "alice")
    assert result.returncode == 1
    assert "user 'alice' is not in" in result.stderr


def test_password_is_one_line_of_stdin_when_it_is_not_a_terminal(mqwarden_binary, tmp_path):
    path = tmp_path / "passwd"
    result = passwd(mqwarden_binary, "-c", path, "alice", stdin="from stdin\n")
    assert result.returncode == 0, result.stderr
    assert mosquitto_check(entries(path)["alice"], "from stdin")
    result = passwd(mqwarden_binary, "-c", path, "alice", stdin="")
    assert result.returncode == 1
    assert "no password on standard input" in result.stderr


def run_on_terminal(binary, args, lines):
    """Runs `mqwarden passwd ARGS` with a pseudo-terminal as stdin; types each
    line after the next prompt appears. Returns (exit status, stderr, what the
    terminal echoed)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([str(binary), "passwd", *args], stdin=terminal, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    os.close(terminal)
    stderr, echoed = b"", b""
    try:
        for line in lines:
            prompts = stderr.count(b"assword: ")
            deadline = time.monotonic() + 30
            while stderr.count(b"assword: ") == prompts and time.monotonic() < deadline:
                ready, _, _ = select.select([process.stderr, controller], [], [], 1)
                if process.stderr in ready:
                    stderr += os.read(process.stderr.fileno(), 4096)
                if controller in ready:
                    echoed += os.read(controller, 4096)
            os.write(controller, line.encode() + b"\n")
        _, rest = process.communicate(timeout=60)
        stderr += rest
        while select.select([controller], [], [], 0.2)[0]:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            echoed += chunk
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
    return process.returncode, stderr.decode(), echoed.decode()


def test_password_is_read_twice_from_the_terminal_without_echo(mqwarden_binary, tmp_path):
    path = tmp_path / "passwd"
    status, stderr, echoed = run_on_terminal(mqwarden_binary, ["-c", str(path), "alice"],
                                             ["typed secret", "typed secret"])
    assert status == 0, stderr
    assert "Password: " in stderr and "Reenter password: " in stderr
    assert "typed secret" not in echoed
    assert mosquitto_check(entries(path)["alice"], "typed secret")


def test_mismatched_terminal_passwords_change_nothing(mqwarden_binary, tmp_path):
    path = tmp_path / "passwd"
    assert passwd(mqwarden_binary, "-c", "-b", path, "alice", "before").returncode == 0
    status, stderr, _ = run_on_terminal(mqwarden_binary, [str(path), "alice"], ["first", "second"])
    assert status == 1
    assert "the passwords do not match" in stderr
    assert mosquitto_check(entries(path)["alice"], "before")


@pytest.mark.parametrize("args, message", [
    (["-c", "-D", "{file}", "alice"], "-c and -D cannot be used together"),
    (["{file}", "alice", "hunter2"], "needs -b"),
    (["-b", "{file}", "alice"], "-b needs PASSWORD"),
    (["-b", "{missing}", "alice", "hunter2"], "does not exist (use -c to create it)"),
    (["-b", "{file}", "al:ice", "hunter2"], "contains ':'"),
    (["-b", "{broken}", "alice", "hunter2"], ":2: expected 'username:hash'"),
])
def test_errors_fail_with_a_message_that_never_shows_the_password(mqwarden_binary, tmp_path, args, message):
    (tmp_path / "file").write_text("")
    (tmp_path / "broken").write_text("# users\nhunter2\n")
    names = {name: str(tmp_path / name) for name in ("file", "missing", "broken")}
    result = passwd(mqwarden_binary, *[arg.format(**names) for arg in args])
    assert result.returncode != 0
    assert message in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


def test_help_describes_the_options(mqwarden_binary):
    result = passwd(mqwarden_binary, "--help")
    assert result.returncode == 0
    for text in ("-c,--create", "-b,--batch", "-D,--delete", "--iterations", "FILE", "USERNAME", "PASSWORD"):
        assert text in result.stdout


@needs_mosquitto_passwd
def test_files_written_by_mosquitto_passwd_are_updated_by_mqwarden(mqwarden_binary, tmp_path):
    path = tmp_path / "passwd"
    subprocess.run([MOSQUITTO_PASSWD, "-c", "-b", path, "alice", "alice pw"], check=True, timeout=60)
    subprocess.run([MOSQUITTO_PASSWD, "-H", "sha512", "-b", path, "carol", "carol pw"], check=True, timeout=60)
    original = path.read_text().splitlines()
    assert entries(path)["carol"].startswith("$6$")

    result = passwd(mqwarden_binary, "-b", path, "bob", "bob pw")
    assert result.returncode == 0, result.stderr
    lines = path.read_text().splitlines()
    assert lines[:2] == original, "mosquitto's lines are kept as they were"
    hashes = entries(path)
    assert mosquitto_check(hashes["alice"], "alice pw")
    assert mosquitto_check(hashes["carol"], "carol pw")
    assert mosquitto_check(hashes["bob"], "bob pw")


@needs_mosquitto_passwd
def test_files_written_by_mqwarden_are_edited_by_mosquitto_passwd(mqwarden_binary, tmp_path):
    path = tmp_path / "passwd"
    assert passwd(mqwarden_binary, "-c", "-b", path, "alice", "alice pw").returncode == 0
    assert passwd(mqwarden_binary, "-b", path, "bob", "bob pw").returncode == 0
    subprocess.run([MOSQUITTO_PASSWD, "-b", path, "bob", "new bob pw"], check=True, timeout=60)
    subprocess.run([MOSQUITTO_PASSWD, "-D", path, "alice"], check=True, timeout=60)
    hashes = entries(path)
    assert list(hashes) == ["bob"]
    assert mosquitto_check(hashes["bob"], "new bob pw")
    # and mqwarden reads mosquitto's rewrite back
    assert passwd(mqwarden_binary, "-b", path, "carol", "carol pw").returncode == 0
    assert list(entries(path)) == ["bob", "carol"]

"""07 auth: anonymous access (off by default), username and password checked
against a password file in mosquitto_passwd's format (MQTT 3.1.1 3.1.3.4-5,
3.2.2.3; 5.0 3.1.3.5-6, 3.2.2.2). Enhanced authentication (AUTH) is not
implemented yet; its refusal is tested in test_01_connect."""
import shutil
import subprocess

import pytest

import wire
from clients import MosquittoSub, both_versions, mosquitto_pub, needs_mosquitto_clients
from wire import RawClient, V311, V5

PASSWORD = "correct horse"


@pytest.fixture
def password_file(mqwarden_binary, tmp_path):
    path = tmp_path / "passwd"
    for user, password in (("alice", PASSWORD), ("bob", "bob's secret")):
        args = [str(mqwarden_binary), "passwd", "-b", "--iterations", "1000"]
        if not path.exists():
            args.append("-c")
        subprocess.run(args + [str(path), user, password], check=True, capture_output=True, timeout=30)
    return path


@pytest.fixture
def secured(start_broker, password_file):
    """A broker with a password file and anonymous access off (the default)."""
    return start_broker(f'[auth]\npassword_file = "{password_file}"\n', allow_anonymous=False)


def refusal(broker, version, **connect_kwargs):
    """The CONNACK reason code of a CONNECT that must be refused; checks that the broker then closes."""
    with RawClient(broker, version) as raw:
        raw.send(wire.connect("someone", version=version, **connect_kwargs))
        packets = raw.read_until_closed()
    assert [p.type for p in packets] == [wire.CONNACK], packets
    connack = wire.parse_connack(packets[0], version)
    assert connack.session_present is False  # [MQTT-3.2.2-4] (v5 [MQTT-3.2.2-6])
    return connack.reason


@pytest.mark.parametrize("version, code", [(V311, 5), (V5, 0x87)], ids=["v311", "v5"])
def test_anonymous_client_is_refused_by_default(start_broker, version, code):
    """allow_anonymous is false by default: 3.1.1 return code 5 (not authorized), v5 0x87 Not authorized."""
    broker = start_broker(allow_anonymous=False)
    assert refusal(broker, version) == code


@pytest.mark.parametrize("version, code", [(V311, 5), (V5, 0x87)], ids=["v311", "v5"])
def test_anonymous_client_is_refused_with_a_password_file(secured, version, code):
    assert refusal(secured, version) == code


@both_versions
def test_right_password_is_accepted(secured, client_factory, protocol):
    client = client_factory("alice-client", protocol, on=secured)
    assert client.connect(username="alice", password=PASSWORD) == 0
    client.subscribe("auth/t", 1)
    client.publish("auth/t", b"authenticated", qos=1)
    assert client.expect_one().payload == b"authenticated"


@pytest.mark.parametrize("version, code", [(V311, 4), (V5, 0x86)], ids=["v311", "v5"])
def test_bad_password_is_refused(secured, version, code):
    """3.1.1 return code 4 (bad user name or password), v5 0x86."""
    assert refusal(secured, version, username="alice", password="wrong horse") == code


@pytest.mark.parametrize("version, code", [(V311, 4), (V5, 0x86)], ids=["v311", "v5"])
def test_unknown_user_is_refused(secured, version, code):
    assert refusal(secured, version, username="mallory", password=PASSWORD) == code


@pytest.mark.parametrize("version, code", [(V311, 4), (V5, 0x86)], ids=["v311", "v5"])
def test_username_without_password_is_refused(secured, version, code):
    assert refusal(secured, version, username="alice") == code


def test_another_users_password_is_refused(secured):
    assert refusal(secured, V5, username="alice", password="bob's secret") == 0x86


def test_allow_anonymous_with_a_password_file_still_checks_given_credentials(start_broker, password_file):
    broker = start_broker(f'[auth]\npassword_file = "{password_file}"\nallow_anonymous = true\n',
                          allow_anonymous=False)
    with RawClient(broker, V5) as raw:
        assert raw.connect("anonymous").reason == 0
    with RawClient(broker, V5) as raw:
        assert raw.connect("bob-client", username="bob", password="bob's secret").reason == 0
    assert refusal(broker, V5, username="bob", password="nope") == 0x86


def test_password_never_appears_in_the_log(secured):
    with RawClient(secured, V5) as raw:
        assert raw.connect("logged", username="alice", password=PASSWORD).reason == 0
    refusal(secured, V5, username="alice", password="a wrong password")
    log = secured.log()
    assert PASSWORD not in log and "a wrong password" not in log


def test_refused_client_is_not_connected(secured, connected, client_factory):
    """A refused client can neither subscribe nor publish: its connection is gone after CONNACK."""
    client = client_factory("refused", V311, on=secured)
    assert client.connect(username="alice", password="wrong") == 4
    client.wait_disconnected()


MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd")


@pytest.mark.skipif(MOSQUITTO_PASSWD is None, reason="mosquitto_passwd is not installed")
@pytest.mark.parametrize("hash_option", [[], ["-H", "sha512"]], ids=["pbkdf2-sha512", "sha512"])
def test_password_file_written_by_mosquitto_passwd_is_accepted(start_broker, tmp_path, hash_option):
    path = tmp_path / "mosquitto-passwd"
    subprocess.run([MOSQUITTO_PASSWD, "-c", "-b", *hash_option, str(path), "carol", "carol pw"], check=True,
                   capture_output=True, timeout=30)
    broker = start_broker(f'[auth]\npassword_file = "{path}"\n', allow_anonymous=False)
    with RawClient(broker, V311) as raw:
        assert raw.connect("carol-client", username="carol", password="carol pw").reason == 0
    assert refusal(broker, V311, username="carol", password="carol") == 4


@needs_mosquitto_clients
@pytest.mark.parametrize("version", ["mqttv311", "mqttv5"])
def test_mosquitto_clients_with_username_and_password(secured, version):
    sub = MosquittoSub(secured, ["-V", version, "-u", "alice", "-P", PASSWORD, "-t", "auth/cli", "-C", "1",
                                 "-q", "1"])
    result = mosquitto_pub(secured, "-V", version, "-u", "bob", "-P", "bob's secret", "-t", "auth/cli",
                           "-m", "via cli", "-q", "1")
    assert result.returncode == 0, result.stderr
    assert sub.messages() == ["auth/cli|1|0|via cli"]


@needs_mosquitto_clients
@pytest.mark.parametrize("version, code", [("mqttv311", 4), ("mqttv5", 0x86)])
def test_mosquitto_pub_with_a_bad_password_fails(secured, version, code):
    """mosquitto_pub exits with the CONNACK's reason code."""
    result = mosquitto_pub(secured, "-V", version, "-u", "bob", "-P", "wrong", "-t", "auth/cli", "-m", "x")
    assert result.returncode == code, result.stderr


@needs_mosquitto_clients
@pytest.mark.parametrize("version, code", [("mqttv311", 5), ("mqttv5", 0x87)])
def test_mosquitto_pub_without_credentials_is_not_authorized(secured, version, code):
    result = mosquitto_pub(secured, "-V", version, "-t", "auth/cli", "-m", "x")
    assert result.returncode == code, result.stderr


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_without_a_password_file_a_user_name_is_anonymous(start_broker, version):
    """As with Mosquitto: with anonymous access allowed and no password file, a client that
    sends a user name (existing devices often do) is accepted as anonymous."""
    broker = start_broker()  # allow_anonymous, no password file
    with RawClient(broker, version) as raw:
        assert raw.connect("named", username="device", password=b"anything").reason == 0


@pytest.mark.parametrize("version, code", [(V311, 4), (V5, 0x86)], ids=["v311", "v5"])
def test_without_a_password_file_or_anonymous_access_a_user_name_is_refused(start_broker, version, code):
    broker = start_broker(allow_anonymous=False)
    with RawClient(broker, version) as raw:
        assert raw.connect("named", username="device", password=b"anything").reason == code

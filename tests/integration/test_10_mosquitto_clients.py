"""10 interoperability with Mosquitto's own clients, mosquitto_pub and
mosquitto_sub (Debian's mosquitto-clients), in both protocol versions."""
import pytest

from clients import MosquittoSub, mosquitto_pub, mosquitto_sub, needs_mosquitto_clients

pytestmark = needs_mosquitto_clients

VERSIONS = pytest.mark.parametrize("version", ["mqttv311", "mqttv5"])


@VERSIONS
@pytest.mark.parametrize("qos", [0, 1, 2])
def test_mosquitto_pub_to_mosquitto_sub(broker, version, qos):
    sub = MosquittoSub(broker, ["-V", version, "-t", "cli/+/t", "-q", str(qos), "-C", "1"])
    result = mosquitto_pub(broker, "-V", version, "-t", "cli/x/t", "-m", f"hello at {qos}", "-q", str(qos))
    assert result.returncode == 0, result.stderr
    assert sub.messages() == [f"cli/x/t|{qos}|0|hello at {qos}"]


@VERSIONS
def test_mosquitto_pub_many_lines_at_qos_2(broker, version):
    """mosquitto_pub -l sends each line of its input as a message, in order."""
    sub = MosquittoSub(broker, ["-V", version, "-t", "cli/lines", "-q", "2", "-C", "50"])
    lines = "".join(f"line {i}\n" for i in range(50))
    result = mosquitto_pub(broker, "-V", version, "-t", "cli/lines", "-q", "2", "-l", input=lines)
    assert result.returncode == 0, result.stderr
    assert sub.messages() == [f"cli/lines|2|0|line {i}" for i in range(50)]


@VERSIONS
def test_mosquitto_pub_retained_reaches_a_later_mosquitto_sub(broker, version):
    result = mosquitto_pub(broker, "-V", version, "-t", "cli/retained", "-m", "kept", "-q", "1", "-r")
    assert result.returncode == 0, result.stderr
    sub = MosquittoSub(broker, ["-V", version, "-t", "cli/retained", "-q", "1", "-C", "1"])
    assert sub.messages() == ["cli/retained|1|1|kept"]


@VERSIONS
def test_mosquitto_pub_null_message_clears_the_retained_message(broker, version):
    assert mosquitto_pub(broker, "-V", version, "-t", "cli/clear", "-m", "kept", "-r").returncode == 0
    assert mosquitto_pub(broker, "-V", version, "-t", "cli/clear", "-n", "-r").returncode == 0
    sub = MosquittoSub(broker, ["-V", version, "-t", "cli/clear", "-C", "1"], timeout=1)
    assert sub.messages() == []


def test_mosquitto_v5_user_properties_and_content_type(broker):
    sub = MosquittoSub(broker, ["-V", "mqttv5", "-t", "cli/props", "-C", "1"], line_format="%C|%P|%p")
    result = mosquitto_pub(broker, "-V", "mqttv5", "-t", "cli/props", "-m", "{}", "-D", "publish",
                           "content-type", "application/json", "-D", "publish", "user-property", "room", "lab")
    assert result.returncode == 0, result.stderr
    assert sub.messages() == ["application/json|room:lab|{}"]


def test_mosquitto_v5_and_v311_clients_exchange_messages(broker):
    sub = MosquittoSub(broker, ["-V", "mqttv311", "-t", "cli/mixed", "-q", "1", "-C", "1"])
    assert mosquitto_pub(broker, "-V", "mqttv5", "-t", "cli/mixed", "-m", "from v5", "-q", "1").returncode == 0
    assert sub.messages() == ["cli/mixed|1|0|from v5"]


@VERSIONS
def test_mosquitto_sub_persistent_session_gets_messages_sent_while_offline(broker, version):
    """mosquitto_sub -c (clean session 0; -x gives v5 a session expiry) with a fixed client id."""
    session = ["-V", version, "-i", "cli-persistent", "-c", "-q", "1", "-t", "cli/offline"]
    if version == "mqttv5":
        session += ["-x", "300"]
    MosquittoSub(broker, session + ["-C", "1"], timeout=1).messages()  # subscribes, then times out
    assert mosquitto_pub(broker, "-V", version, "-t", "cli/offline", "-m", "queued", "-q", "1").returncode == 0
    # started again: its session delivers the queued message right after CONNACK
    again = mosquitto_sub(broker, "-F", "%t|%q|%p", *session, "-C", "1")
    assert again.stdout.splitlines() == ["cli/offline|1|queued"], again.stderr

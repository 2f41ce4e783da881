"""TLS listeners: paho and mosquitto_sub/pub over TLS 1.2 and 1.3, mutual TLS
(a good client certificate, none, a revoked one), the certificate's CN as the
username, a certificate reload on SIGHUP without dropping connections, and
garbage on a TLS port."""
import signal
import socket
import ssl
import time

import paho.mqtt.client as mqtt
import pytest

import wire
from clients import TIMEOUT, Client, MosquittoSub, mosquitto_pub, needs_mosquitto_clients
from tls_certificates import CertificateAuthority


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    authority = CertificateAuthority(tmp_path_factory.mktemp("ca"))
    authority.server = authority.issue("server", "/CN=server-a", server=True)
    authority.device = authority.issue("device-1", "/CN=device-1/O=Acme")
    authority.revoked = authority.issue("device-2", "/CN=device-2")
    authority.crl = authority.revoke(authority.revoked[0])
    return authority


def tls_config(ca, *, protocol="mqtts", extra=""):
    cert, key = ca.server
    return f"""
[[listeners]]
port = 1883

[[listeners]]
port = @PORT1@
protocol = "{protocol}"
cert_file = "{cert}"
key_file = "{key}"
{extra}
"""


def mutual_tls(ca, extra=""):
    return tls_config(ca, extra=f'ca_file = "{ca.ca}"\nrequire_certificate = true\n{extra}')


class TlsClient(Client):
    """The paho client of clients.py, over TLS to the broker's listener @PORT1@."""

    def __init__(self, broker, ca, client_cert=None, **kwargs):
        super().__init__(broker, **kwargs)
        certfile, keyfile = client_cert or (None, None)
        self.client.tls_set(ca_certs=str(ca.ca), certfile=certfile and str(certfile), keyfile=keyfile and str(keyfile))
        self.tls_port = broker.ports[1]

    def connect(self, **kwargs):
        port, self.broker.port = self.broker.port, self.tls_port
        try:
            return super().connect(**kwargs)
        finally:
            self.broker.port = port


@pytest.fixture
def tls_client(request):
    made = []

    def make(broker, ca, **kwargs):
        client = TlsClient(broker, ca, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.stop()


def client_context(ca, client_cert=None, version=None):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(str(ca.ca))
    if client_cert:
        context.load_cert_chain(str(client_cert[0]), str(client_cert[1]))
    if version:
        context.minimum_version = context.maximum_version = version
    return context


def connack_over_tls(port, context, connect=None):
    """Connects, sends CONNECT and returns the CONNACK's return code, or None when the broker ends the
    connection first (a refused handshake or certificate). Also returns the negotiated version."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                version = tls.version()
                tls.sendall(connect or wire.connect("c", version=wire.V311))
                data = tls.recv(4)
                return (data[3] if len(data) == 4 and data[0] == 0x20 else None), version
    except (ssl.SSLError, ConnectionError, socket.timeout):
        return None, None


def round_trip(publisher, subscriber, topic="tls/t", payload=b"over tls"):
    assert subscriber.subscribe(topic, 1) == [1]
    publisher.publish(topic, payload, qos=1)
    assert subscriber.expect_one().payload == payload


def test_paho_publishes_and_receives_over_tls(start_broker, ca, tls_client):
    broker = start_broker(tls_config(ca))
    subscriber, publisher = tls_client(broker, ca, client_id="sub"), tls_client(broker, ca, client_id="pub")
    assert subscriber.connect() == 0 and publisher.connect() == 0
    round_trip(publisher, subscriber, payload=b"x" * 100_000)  # several TLS records
    assert "listening on 127.0.0.1:" in broker.log() and "(TLS)" in broker.log()


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3], ids=["tls1.2", "tls1.3"])
def test_tls_1_2_and_1_3_are_accepted(start_broker, ca, version):
    broker = start_broker(tls_config(ca))
    code, negotiated = connack_over_tls(broker.ports[1], client_context(ca, version=version))
    assert code == 0
    assert negotiated == {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]


def test_a_minimum_of_tls_1_3_refuses_tls_1_2(start_broker, ca):
    broker = start_broker(tls_config(ca, extra='min_tls_version = "1.3"'))
    assert connack_over_tls(broker.ports[1], client_context(ca, version=ssl.TLSVersion.TLSv1_2)) == (None, None)
    assert connack_over_tls(broker.ports[1], client_context(ca, version=ssl.TLSVersion.TLSv1_3))[0] == 0
    assert "TLS handshake failed" in broker.log()


@needs_mosquitto_clients
def test_mosquitto_clients_over_tls(start_broker, ca):
    broker = start_broker(tls_config(ca))
    tls_port = broker.ports[1]
    broker.port = tls_port  # MosquittoSub and mosquitto_pub use broker.port
    subscriber = MosquittoSub(broker, ["--cafile", str(ca.ca), "-t", "tls/m", "-C", "1", "-V", "mqttv5"],
                              line_format="%t|%p")
    result = mosquitto_pub(broker, "--cafile", str(ca.ca), "-t", "tls/m", "-m", "hello", "-q", "1")
    assert result.returncode == 0, result.stderr
    assert subscriber.messages() == ["tls/m|hello"]


def test_mutual_tls_accepts_a_good_client_certificate(start_broker, ca, tls_client):
    broker = start_broker(mutual_tls(ca, f'crl_file = "{ca.crl}"'))
    client = tls_client(broker, ca, client_cert=ca.device, client_id="dev")
    assert client.connect() == 0
    round_trip(client, client)
    assert "client dev connected from 127.0.0.1:" in broker.log()
    assert "certificate CN device-1" in broker.log()


@pytest.mark.parametrize("which", ["without", "revoked"])
def test_mutual_tls_refuses_a_client_without_a_valid_certificate(start_broker, ca, which):
    broker = start_broker(mutual_tls(ca, f'crl_file = "{ca.crl}"'))
    certificate = None if which == "without" else ca.revoked
    assert connack_over_tls(broker.ports[1], client_context(ca, certificate))[0] is None
    reason = "peer did not return a certificate" if which == "without" else "certificate revoked"
    deadline = time.monotonic() + TIMEOUT
    while reason not in broker.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert reason in broker.log()
    # The good certificate still connects: the listener is unharmed.
    assert connack_over_tls(broker.ports[1], client_context(ca, ca.device))[0] == 0


def test_the_certificate_cn_is_the_username(start_broker, ca):
    # No anonymous access and no password file: only the certificate can authenticate.
    broker = start_broker(mutual_tls(ca, "use_identity_as_username = true"), allow_anonymous=False)
    assert connack_over_tls(broker.ports[1], client_context(ca, ca.device))[0] == 0
    assert "username device-1 from the certificate" in broker.log()
    # The plain listener still refuses the anonymous client.
    with wire.RawClient(broker) as raw:
        raw.send(wire.connect("plain", version=wire.V311))
        assert wire.parse_connack(raw.expect(wire.CONNACK), wire.V311).reason == 5  # not authorized


def test_another_certificate_field_can_be_the_username(start_broker, ca):
    broker = start_broker(mutual_tls(ca, 'use_identity_as_username = true\nidentity_field = "O"'),
                          allow_anonymous=False)
    assert connack_over_tls(broker.ports[1], client_context(ca, ca.device))[0] == 0
    assert "username Acme from the certificate" in broker.log()


def server_common_name(port, ca):
    context = client_context(ca)
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return dict(field[0] for field in tls.getpeercert()["subject"])["commonName"]


def test_sighup_reloads_the_certificate_without_dropping_connections(start_broker, ca, tls_client, tmp_path):
    cert, key = tmp_path / "server.pem", tmp_path / "server.key"
    cert.write_bytes(ca.server[0].read_bytes())
    key.write_bytes(ca.server[1].read_bytes())
    config = f"""
[[listeners]]
port = 1883

[[listeners]]
port = @PORT1@
protocol = "mqtts"
cert_file = "{cert}"
key_file = "{key}"
"""
    broker = start_broker(config)
    subscriber = tls_client(broker, ca, client_id="stays")
    assert subscriber.connect() == 0
    assert subscriber.subscribe("reload/t", 1) == [1]
    assert server_common_name(broker.ports[1], ca) == "server-a"

    renewed = ca.issue("server-b", "/CN=server-b", server=True)
    cert.write_bytes(renewed[0].read_bytes())
    key.write_bytes(renewed[1].read_bytes())
    broker.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + TIMEOUT
    while "reloaded" not in broker.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "TLS certificate, key, CAs and CRL reloaded" in broker.log()
    assert server_common_name(broker.ports[1], ca) == "server-b"

    publisher = tls_client(broker, ca, client_id="new")
    assert publisher.connect() == 0
    publisher.publish("reload/t", b"after the reload", qos=1)
    assert subscriber.expect_one().payload == b"after the reload"  # the old connection lives on


def test_a_failed_reload_keeps_the_previous_certificate(start_broker, ca, tmp_path):
    cert, key = tmp_path / "server.pem", tmp_path / "server.key"
    cert.write_bytes(ca.server[0].read_bytes())
    key.write_bytes(ca.server[1].read_bytes())
    broker = start_broker(f'[[listeners]]\nport = 1883\n[[listeners]]\nport = @PORT1@\nprotocol = "mqtts"\n'
                          f'cert_file = "{cert}"\nkey_file = "{key}"\n')
    cert.write_text("not a certificate")
    broker.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + TIMEOUT
    while "TLS reload failed" not in broker.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "keeping the previous files" in broker.log()
    assert server_common_name(broker.ports[1], ca) == "server-a"


def test_garbage_on_a_tls_port_closes_only_that_connection(start_broker, ca, tls_client):
    broker = start_broker(tls_config(ca))
    with socket.create_connection(("127.0.0.1", broker.ports[1]), timeout=TIMEOUT) as raw:
        raw.sendall(wire.connect("plain-on-tls"))  # MQTT without TLS
        raw.settimeout(TIMEOUT)
        try:
            while raw.recv(1024):
                pass
        except ConnectionError:
            pass
    client = tls_client(broker, ca, client_id="after")
    assert client.connect() == 0
    assert "TLS handshake failed" in broker.log()


def test_a_missing_certificate_file_stops_the_start(mqwarden_binary, tmp_path):
    import subprocess
    config = tmp_path / "bad.toml"
    config.write_text('[[listeners]]\nport = 18999\nprotocol = "mqtts"\ncert_file = "/nonexistent.pem"\n'
                      'key_file = "/nonexistent.key"\n')
    result = subprocess.run([str(mqwarden_binary), "-c", str(config)], capture_output=True, text=True, timeout=10)
    assert result.returncode == 1
    assert "cannot load the certificate /nonexistent.pem" in result.stderr

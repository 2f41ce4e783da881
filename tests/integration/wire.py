"""Hand-encoded MQTT packets and a raw-socket client, for the tests that must
see (or send) exact bytes: refusals, reason codes, duplicates, malformed input.

Only what the tests need: CONNECT, PUBLISH, PUBACK/PUBREC/PUBREL/PUBCOMP,
SUBSCRIBE, UNSUBSCRIBE, PINGREQ and DISCONNECT out; any packet in, with
CONNACK, PUBLISH, SUBACK, UNSUBACK and DISCONNECT parsed."""
import dataclasses
import socket
import struct
import time

V311 = 4
V5 = 5

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT, AUTH = 8, 9, 10, 11, 12, 13, 14, 15

# MQTT 5 property identifiers and how their values are encoded.
PAYLOAD_FORMAT_INDICATOR = 0x01
MESSAGE_EXPIRY_INTERVAL = 0x02
CONTENT_TYPE = 0x03
RESPONSE_TOPIC = 0x08
CORRELATION_DATA = 0x09
SUBSCRIPTION_IDENTIFIER = 0x0B
SESSION_EXPIRY_INTERVAL = 0x11
WILL_DELAY_INTERVAL = 0x18
ASSIGNED_CLIENT_IDENTIFIER = 0x12
SERVER_KEEP_ALIVE = 0x13
AUTHENTICATION_METHOD = 0x15
REASON_STRING = 0x1F
RECEIVE_MAXIMUM = 0x21
TOPIC_ALIAS_MAXIMUM = 0x22
TOPIC_ALIAS = 0x23
USER_PROPERTY = 0x26
MAXIMUM_PACKET_SIZE = 0x27

_BYTE, _U16, _U32, _VARINT, _STRING, _BINARY, _PAIR = range(7)
_PROPERTY_TYPES = {
    0x01: _BYTE, 0x02: _U32, 0x03: _STRING, 0x08: _STRING, 0x09: _BINARY, 0x0B: _VARINT, 0x11: _U32,
    0x12: _STRING, 0x13: _U16, 0x15: _STRING, 0x16: _BINARY, 0x17: _BYTE, 0x18: _U32, 0x19: _BYTE,
    0x1A: _STRING, 0x1C: _STRING, 0x1F: _STRING, 0x21: _U16, 0x22: _U16, 0x23: _U16, 0x24: _BYTE,
    0x25: _BYTE, 0x26: _PAIR, 0x27: _U32, 0x28: _BYTE, 0x29: _BYTE, 0x2A: _BYTE,
}


def varint(value):
    out = bytearray()
    while True:
        byte, value = value % 128, value // 128
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def string(text):
    data = text.encode() if isinstance(text, str) else text
    return struct.pack("!H", len(data)) + data


def encode_properties(properties):
    """`properties`: (identifier, value) pairs; a user property's value is a (name, value) pair."""
    body = bytearray()
    for identifier, value in properties:
        body += varint(identifier)
        kind = _PROPERTY_TYPES[identifier]
        if kind == _BYTE:
            body.append(value)
        elif kind == _U16:
            body += struct.pack("!H", value)
        elif kind == _U32:
            body += struct.pack("!I", value)
        elif kind == _VARINT:
            body += varint(value)
        elif kind in (_STRING, _BINARY):
            body += string(value)
        else:
            body += string(value[0]) + string(value[1])
    return varint(len(body)) + bytes(body)


def packet(first_byte, body):
    return bytes([first_byte]) + varint(len(body)) + body


def connect(client_id="", version=V5, clean=True, keep_alive=60, username=None, password=None, will=None,
            properties=(), protocol_name="MQTT"):
    """`will`: dict with topic, payload and optionally qos, retain, properties."""
    flags = 0x02 if clean else 0
    if will:
        flags |= 0x04 | (will.get("qos", 0) << 3) | (0x20 if will.get("retain") else 0)
    if username is not None:
        flags |= 0x80
    if password is not None:
        flags |= 0x40
    body = string(protocol_name) + bytes([version, flags]) + struct.pack("!H", keep_alive)
    if version == V5:
        body += encode_properties(properties)
    body += string(client_id)
    if will:
        if version == V5:
            body += encode_properties(will.get("properties", ()))
        body += string(will["topic"]) + string(will["payload"])
    if username is not None:
        body += string(username)
    if password is not None:
        body += string(password)
    return packet(CONNECT << 4, body)


def publish(topic, payload=b"", qos=0, retain=False, dup=False, packet_id=1, properties=(), version=V5):
    first = (PUBLISH << 4) | (0x08 if dup else 0) | (qos << 1) | (1 if retain else 0)
    body = string(topic)
    if qos:
        body += struct.pack("!H", packet_id)
    if version == V5:
        body += encode_properties(properties)
    return packet(first, body + (payload.encode() if isinstance(payload, str) else payload))


def _ack(kind, packet_id, flags=0):
    return packet((kind << 4) | flags, struct.pack("!H", packet_id))


def puback(packet_id):
    return _ack(PUBACK, packet_id)


def pubrec(packet_id):
    return _ack(PUBREC, packet_id)


def pubrel(packet_id):
    return _ack(PUBREL, packet_id, 0x02)


def pubcomp(packet_id):
    return _ack(PUBCOMP, packet_id)


def subscribe(packet_id, filters, properties=(), version=V5):
    """`filters`: (filter, options byte) pairs; the options byte is the QoS for 3.1.1."""
    body = struct.pack("!H", packet_id)
    if version == V5:
        body += encode_properties(properties)
    for topic_filter, options in filters:
        body += string(topic_filter) + bytes([options])
    return packet((SUBSCRIBE << 4) | 0x02, body)


def unsubscribe(packet_id, filters, version=V5):
    body = struct.pack("!H", packet_id)
    if version == V5:
        body += encode_properties(())
    for topic_filter in filters:
        body += string(topic_filter)
    return packet((UNSUBSCRIBE << 4) | 0x02, body)


def pingreq():
    return packet(PINGREQ << 4, b"")


def disconnect(reason=0, version=V5):
    return packet(DISCONNECT << 4, bytes([reason]) if version == V5 and reason else b"")


# --- decoding -------------------------------------------------------------------------------------

@dataclasses.dataclass
class Packet:
    type: int
    flags: int
    body: bytes


class _Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def byte(self):
        self.at += 1
        return self.data[self.at - 1]

    def u16(self):
        self.at += 2
        return struct.unpack("!H", self.data[self.at - 2:self.at])[0]

    def u32(self):
        self.at += 4
        return struct.unpack("!I", self.data[self.at - 4:self.at])[0]

    def varint(self):
        value, shift = 0, 0
        while True:
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    def binary(self):
        length = self.u16()
        self.at += length
        return self.data[self.at - length:self.at]

    def string(self):
        return self.binary().decode()

    def rest(self):
        return self.data[self.at:]

    def at_end(self):
        return self.at >= len(self.data)

    def properties(self):
        """A list of (identifier, value) pairs, in the order received."""
        end = self.varint()
        end += self.at
        result = []
        while self.at < end:
            identifier = self.varint()
            kind = _PROPERTY_TYPES[identifier]
            value = {_BYTE: self.byte, _U16: self.u16, _U32: self.u32, _VARINT: self.varint,
                     _STRING: self.string, _BINARY: self.binary,
                     _PAIR: lambda: (self.string(), self.string())}[kind]()
            result.append((identifier, value))
        return result


def prop(properties, identifier, default=None):
    """The value of the first property `identifier`."""
    return next((value for ident, value in properties if ident == identifier), default)


def props(properties, identifier):
    """Every value of property `identifier`, in order."""
    return [value for ident, value in properties if ident == identifier]


@dataclasses.dataclass
class Connack:
    session_present: bool
    reason: int
    properties: list


@dataclasses.dataclass
class Publish:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    dup: bool
    packet_id: int
    properties: list


def parse_connack(pkt, version):
    reader = _Reader(pkt.body)
    flags, reason = reader.byte(), reader.byte()
    properties = reader.properties() if version == V5 and not reader.at_end() else []
    return Connack(bool(flags & 1), reason, properties)


def parse_publish(pkt, version):
    reader = _Reader(pkt.body)
    qos = (pkt.flags >> 1) & 3
    topic = reader.string()
    packet_id = reader.u16() if qos else 0
    properties = reader.properties() if version == V5 else []
    return Publish(topic, reader.rest(), qos, bool(pkt.flags & 1), bool(pkt.flags & 8), packet_id, properties)


def parse_ack_codes(pkt, version):
    """SUBACK / UNSUBACK: (packet id, reason codes); 3.1.1's UNSUBACK has none."""
    reader = _Reader(pkt.body)
    packet_id = reader.u16()
    if version == V5:
        reader.properties()
    return packet_id, list(reader.rest())


def disconnect_reason(pkt):
    """The reason code of a v5 DISCONNECT (0 when the packet is empty)."""
    return pkt.body[0] if pkt.body else 0


class Closed(Exception):
    """The broker closed the connection."""


class RawClient:
    """One TCP connection to the broker, driven packet by packet."""

    def __init__(self, broker, version=V5, timeout=5.0):
        self.version = version
        self.timeout = timeout
        self.sock = socket.create_connection((broker.host, broker.port), timeout=timeout)
        self.buffer = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, wanted, deadline):
        while len(self.buffer) < wanted:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no complete packet within the timeout (have {self.buffer!r})")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                chunk = b""
            if not chunk:
                raise Closed(f"closed by the broker (left over: {self.buffer!r})")
            self.buffer += chunk

    def read(self, timeout=None):
        """The next packet; raises Closed if the broker closes first, TimeoutError if nothing comes."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        self._fill(2, deadline)
        length, multiplier, at = 0, 1, 1
        while True:
            self._fill(at + 1, deadline)
            byte = self.buffer[at]
            length += (byte & 0x7F) * multiplier
            multiplier *= 128
            at += 1
            if not byte & 0x80:
                break
        self._fill(at + length, deadline)
        first = self.buffer[0]
        pkt = Packet(first >> 4, first & 0x0F, self.buffer[at:at + length])
        self.buffer = self.buffer[at + length:]
        return pkt

    def expect(self, kind, timeout=None):
        pkt = self.read(timeout)
        assert pkt.type == kind, f"expected packet type {kind}, got {pkt}"
        return pkt

    def read_until_closed(self, timeout=None):
        """Every packet received until the broker closes the connection.
        Fails (TimeoutError) if it is still open after `timeout`."""
        packets = []
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                packets.append(self.read(deadline - time.monotonic()))
            except Closed:
                return packets

    def connect(self, client_id="", **kwargs):
        self.send(connect(client_id, version=self.version, **kwargs))
        return parse_connack(self.expect(CONNACK), self.version)

    def publish(self, topic, payload=b"", qos=0, **kwargs):
        self.send(publish(topic, payload, qos=qos, version=self.version, **kwargs))

    def subscribe(self, filters, packet_id=1, properties=()):
        """Subscribes and returns the SUBACK's reason codes."""
        self.send(subscribe(packet_id, filters, properties, self.version))
        got_id, codes = parse_ack_codes(self.expect(SUBACK), self.version)
        assert got_id == packet_id
        return codes

    def read_publish(self, timeout=None):
        return parse_publish(self.expect(PUBLISH, timeout), self.version)

    def assert_silent(self, timeout=0.3):
        """Nothing arrives (and the connection stays open) for `timeout` seconds."""
        try:
            pkt = self.read(timeout)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected packet {pkt}")

#!/usr/bin/python3
"""The seed's figure 9 in our setting: publish-to-delivery delay of the GPS case
study (docs/context.md), enforcement on vs off, with Mosquitto in the same run.

    /usr/bin/python3 bench/gps-case-study.py MQWARDEN_BINARY [--messages N] [--interval-ms MS] [--reps R]

Two boards within 100 m of each other: board1 publishes its position (QoS 0,
JSON with a send timestamp) every --interval-ms; board2 publishes its own once
a second so the situation keeps holding, and subscribes to gps/board1. The
delay is board2's receive time minus the send time (one clock, one machine).
Brokers: mqwarden with bench/configs/mqwarden-gps-bench.toml (the context
source, the situation and the per-delivery rule of the case study), the same
binary with bench/configs/mqwarden-bench.toml (no policy), and Mosquitto with
../shared/bench/results/mosq.conf (on this run's port) when mosquitto is installed. Each broker is
pinned to CPU 0 and the clients run on CPU 1. Prints one JSON line per run."""
import argparse
import json
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import threading
import time

import paho.mqtt.client as mqtt

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
MOSQUITTO_CONF = ROOT.parent / "shared" / "bench" / "results" / "mosq.conf"
BOARD1 = (45.8110, 8.6300)
BOARD2 = (45.8115, 8.6300)  # 56 m north of board1


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port, process):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the broker exited with status {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on port {port}")


def start_broker(kind, binary, port):
    if kind == "mosquitto":  # the neutral configuration, on this run's port
        config = pathlib.Path(f"/tmp/gps-case-study-mosquitto-{port}.conf")
        lines = MOSQUITTO_CONF.read_text().splitlines()
        config.write_text("\n".join(f"listener {port} 127.0.0.1" if line.startswith("listener") else line
                                    for line in lines) + "\n")
        command = ["mosquitto", "-c", str(config)]
    else:
        config = "mqwarden-gps-bench.toml" if kind == "mqwarden-policy" else "mqwarden-bench.toml"
        command = [binary, "-c", str(HERE / "configs" / config), "-p", str(port)]
    process = subprocess.Popen(["taskset", "-c", "0", *command], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    wait_listening(port, process)
    return process


def position(lat, lon, **extra):
    return json.dumps({"lat": lat, "lon": lon, **extra})


def connect(client_id, port, on_message=None):
    client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv311)
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    if on_message:
        client.on_message = on_message
    client.connect("127.0.0.1", port)
    client.loop_start()
    if not connected.wait(5):
        raise SystemExit(f"{client_id}: no CONNACK")
    return client


def run(kind, binary, messages, interval):
    port = free_port()
    broker = start_broker(kind, binary, port)
    delays = []
    done = threading.Event()

    def received(client, userdata, message):
        delays.append(time.monotonic_ns() - json.loads(message.payload)["sent_ns"])
        if len(delays) >= messages:
            done.set()

    try:
        board2 = connect("board2", port, received)
        subscribed = threading.Event()
        board2.on_subscribe = lambda *args: subscribed.set()
        board2.subscribe("gps/board1", 0)
        subscribed.wait(5)
        board1 = connect("board1", port)
        board2.publish("gps/board2", position(*BOARD2)).wait_for_publish()
        board1.publish("gps/board1", position(*BOARD1, sent_ns=time.monotonic_ns())).wait_for_publish()
        time.sleep(0.5)  # both positions known: the situation holds
        delays.clear()
        next_board2 = time.monotonic() + 1
        for _ in range(messages):
            board1.publish("gps/board1", position(*BOARD1, sent_ns=time.monotonic_ns()))
            if time.monotonic() >= next_board2:
                board2.publish("gps/board2", position(*BOARD2))
                next_board2 += 1
            time.sleep(interval)
        done.wait(5)
        for client in (board1, board2):
            client.disconnect()
            client.loop_stop()
    finally:
        broker.terminate()
        broker.wait()
    in_ms = sorted(delay / 1e6 for delay in delays)
    return {"label": kind, "sent": messages, "received": len(in_ms),
            "avg_ms": round(statistics.fmean(in_ms), 3) if in_ms else None,
            "p50_ms": round(in_ms[len(in_ms) // 2], 3) if in_ms else None,
            "p99_ms": round(in_ms[min(len(in_ms) - 1, int(len(in_ms) * 0.99))], 3) if in_ms else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", help="the mqwarden binary (a Release build)")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--interval-ms", type=float, default=10.0)
    parser.add_argument("--reps", type=int, default=3)
    arguments = parser.parse_args()
    os.sched_setaffinity(0, {1})
    kinds = ["mqwarden-policy", "mqwarden-no-policy"] + (["mosquitto"] if shutil.which("mosquitto") else [])
    for rep in range(arguments.reps):
        for kind in kinds:
            result = run(kind, str(pathlib.Path(arguments.binary).resolve()), arguments.messages,
                         arguments.interval_ms / 1000)
            print(json.dumps({**result, "rep": rep + 1}), flush=True)


if __name__ == "__main__":
    main()

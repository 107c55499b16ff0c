#!/usr/bin/env python3
"""Two hosts sharing one config, into one PostgreSQL.

The same vigil.yaml is deployed on two "hosts" (two folders, so each has its own queue and
state, as two machines would): its cameras name their host, and `vigil run --host NAME` runs
that host's cameras and its forwarder. Afterwards:
  - every event of each host's queue is in vigil_events exactly once, under its site, and
    each event itself carries the site of the host that raised it;
  - vigil_cameras holds every camera of both hosts, and `vigil status --all-hosts` shows them;
  - `vigil run --host` with a name no camera has is refused with a clear message (exit 2).

Usage: Tests/forward/fleet_two_hosts.py --vigil PATH --videos SampleVideos
"""
import argparse, json, os, shutil, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from forward_chaos import Database, finish  # noqa: E402

CONFIG = """queue: {{ path: queue }}
service: {{ state_dir: state, metrics: {{ port: 0 }} }}
forward:
  url: postgresql://vigil@127.0.0.1:{port}/vigil
  password_file: pgpass
  tls: disable
  camera_state_seconds: 1
cameras:
  - {{ id: north-gate, host: host-a, source: people.mp4, analysis: {{ width: 320 }},
      zones: [{{ id: yard, polygon: [[0.5, 0.3], [1, 0.3], [1, 1], [0.5, 1]], intrusion: {{ classes: [person] }} }}] }}
  - {{ id: north-road, host: host-a, source: traffic.mp4, analysis: {{ width: 320 }},
      lines: [{{ id: l1, from: [0.5, 0.05], to: [0.5, 0.95] }}] }}
  - {{ id: south-gate, host: host-b, source: people.mp4, analysis: {{ width: 320 }},
      zones: [{{ id: yard, polygon: [[0, 0.3], [0.5, 0.3], [0.5, 1], [0, 1]], intrusion: {{ classes: [person] }} }}] }}
  - {{ id: south-road, host: host-b, source: mixed.mp4, analysis: {{ width: 320 }},
      lines: [{{ id: l1, from: [0.5, 0.05], to: [0.5, 0.95] }}] }}
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--videos", required=True)
    args = parser.parse_args()
    vigil = os.path.abspath(args.vigil)
    failures = []
    with tempfile.TemporaryDirectory(prefix="vigil-fleet-") as folder:
        os.chmod(folder, 0o755)
        database = Database(os.path.join(folder, "pg"))
        try:
            hosts = {}
            for host in ["host-a", "host-b"]:
                home = os.path.join(folder, host)
                os.makedirs(home)
                with open(os.path.join(home, "vigil.yaml"), "w") as f:
                    f.write(CONFIG.format(port=database.port))
                with open(os.path.join(home, "pgpass"), "w") as f:
                    f.write(database.password + "\n")
                for clip in ["people.mp4", "traffic.mp4", "mixed.mp4"]:
                    shutil.copy(os.path.join(args.videos, clip), home)
                hosts[host] = home

            wrong = subprocess.run([vigil, "run", "--config", os.path.join(hosts["host-a"], "vigil.yaml"), "--host", "host-c"],
                                   capture_output=True, text=True, timeout=60)
            if wrong.returncode != 2 or "host-c" not in wrong.stderr or "host-a" not in wrong.stderr:
                failures.append(f"--host host-c: exit {wrong.returncode}, {wrong.stderr.strip()!r}")

            runs = {host: subprocess.Popen([vigil, "run", "--config", os.path.join(home, "vigil.yaml"), "--host", host],
                                           stdout=subprocess.DEVNULL, stderr=open(os.path.join(home, "run.log"), "w"))
                    for host, home in hosts.items()}
            # Done when every worker has finished its file and the forwarder has stored the rest.
            deadline = time.monotonic() + 300
            done = set()
            while time.monotonic() < deadline and len(done) < len(hosts):
                time.sleep(1)
                for host, home in hosts.items():
                    state = os.path.join(home, "state")
                    cameras = [c for c in ["north-gate", "north-road", "south-gate", "south-road"] if (c.startswith("north") == (host == "host-a"))]
                    try:
                        finished = all(json.load(open(os.path.join(state, c + ".json")))["state"] == "finished" for c in cameras)
                        forward = json.load(open(os.path.join(state, "forward.status")))
                    except (OSError, ValueError, KeyError):
                        continue
                    if finished and forward["lag"] == 0 and forward["committed"] > 0:
                        done.add(host)
            time.sleep(2)  # one more camera-state round
            for host, run in runs.items():
                run.send_signal(signal.SIGTERM)
                if run.wait(timeout=60) != 0:
                    failures.append(f"vigil run --host {host} exited {run.returncode} on SIGTERM")
            if len(done) < len(hosts):
                failures.append(f"only {sorted(done)} finished and caught up within the time limit")

            for host, home in hosts.items():
                tail = subprocess.run([vigil, "queue", "tail", "--config", os.path.join(home, "vigil.yaml")], capture_output=True, text=True, check=True)
                events = [json.loads(line) for line in tail.stdout.splitlines() if line.strip()]
                if len(events) < 4:
                    failures.append(f"{host} raised only {len(events)} events")
                unsited = [e["offset"] for e in events if e.get("site") != host]
                if unsited:
                    failures.append(f"{host}: {len(unsited)} event(s) without site {host}, e.g. offsets {unsited[:3]}")
                rows = database.query(f"""SELECT "offset", camera, type, record->>'site' FROM vigil_events WHERE site = '{host}' ORDER BY "offset" """)
                stored = [(int(o), c, t, s) for o, c, t, s in rows]
                expected = [(e["offset"], e["camera"], e["type"], host) for e in events]
                if stored != expected:
                    failures.append(f"{host}: table has {len(stored)} rows, queue {len(expected)} events; first difference "
                                    f"{next(((a, b) for a, b in zip(stored, expected) if a != b), None)}")
                print(f"  {host}: {len(events)} events in its queue, {len(stored)} rows under its site")
            cameras = database.query("SELECT site, camera, state FROM vigil_cameras ORDER BY camera")
            expected_cameras = [["host-a", "north-gate"], ["host-a", "north-road"], ["host-b", "south-gate"], ["host-b", "south-road"]]
            if [row[:2] for row in cameras] != expected_cameras:
                failures.append(f"vigil_cameras holds {cameras}")
            if any(row[2] != "finished" for row in cameras):
                failures.append(f"camera states in the store: {cameras}")
            status = subprocess.run([vigil, "status", "--config", os.path.join(hosts["host-b"], "vigil.yaml"), "--all-hosts", "--json"],
                                    capture_output=True, text=True, timeout=60)
            listed = [json.loads(line) for line in status.stdout.splitlines() if line.strip()]
            if status.returncode != 0 or sorted((o["host"], o["camera"]) for o in listed) != [tuple(c) for c in expected_cameras]:
                failures.append(f"vigil status --all-hosts: exit {status.returncode}, {status.stdout[:300]} {status.stderr[:300]}")
            if database.password in status.stdout + status.stderr:
                failures.append("the password appears in vigil status")
        finally:
            try:
                database.stop("fast")
            except Exception:
                pass
    finish(failures, "two hosts, one config, one store: every event of both, under its site")


if __name__ == "__main__":
    main()

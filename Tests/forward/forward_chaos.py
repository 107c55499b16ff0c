#!/usr/bin/env python3
"""The forwarder against a real PostgreSQL 15, with faults.

Several `vigil queue append` writers append events (100,000 by default) to one queue while
`vigil forward` is killed with SIGKILL at random moments (100 times by default) and the
PostgreSQL server is stopped and started again (20 times; every other stop is an immediate
shutdown, PostgreSQL's crash). The queue keeps small segments and a retention limit far below
its size, so retention would delete unsent events if it did not wait for the forwarder.
Afterwards, with the forwarder run to the end (--until-caught-up):
  - every acknowledged event is in vigil_events exactly once, at its offset, with its content;
  - per camera, the rows in offset order carry the writer's sequence numbers in order;
  - the group `forward` has committed the queue's end, and vigil_forward_positions agrees;
  - retention, free again, removes the segments that are now stored.

Usage: Tests/forward/forward_chaos.py --vigil PATH [--events 100000] [--kills 100] [--restarts 20] [--seed 1]
"""
import argparse, json, os, random, signal, socket, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POSTGRES = os.path.join(ROOT, "Tests", "servers", "postgres.sh")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """A PostgreSQL of the test's own, in a temporary folder."""

    def __init__(self, folder):
        self.folder, self.port = folder, free_port()
        subprocess.run(["bash", POSTGRES, "start", folder, str(self.port)], check=True)
        self.password = open(os.path.join(folder, "password")).read().strip()

    def stop(self, mode="fast"):
        subprocess.run(["bash", POSTGRES, "stop", self.folder, mode], check=True)

    def start(self):
        subprocess.run(["bash", POSTGRES, "start", self.folder, str(self.port)], check=True)

    def query(self, sql):
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "vigil", "-d", "vigil", "-qAt", "-F", "\t", "-c", sql],
                             env={**os.environ, "PGPASSWORD": self.password}, capture_output=True, text=True, check=True)
        return [line.split("\t") for line in out.stdout.splitlines() if line]


def write_config(folder, database, extra_queue="", site="chaos"):
    password_file = os.path.join(folder, "pgpass")
    with open(password_file, "w") as f:
        f.write(database.password + "\n")
    config = os.path.join(folder, "vigil.yaml")
    with open(config, "w") as f:
        f.write(f"""queue: {{ path: queue, fsync: interval{extra_queue} }}
service: {{ state_dir: state }}
forward:
  url: postgresql://vigil@127.0.0.1:{database.port}/vigil
  password_file: pgpass
  tls: disable
  site: {site}
  batch: 500
cameras:
  - {{ id: cam0, source: none.mp4, analysis: {{ width: 320 }} }}
""")
    return config


class Writer:
    """One `vigil queue append` process, paced to spread its events over `seconds`."""

    def __init__(self, vigil, config, camera, count, seconds, rng):
        self.camera, self.count, self.seconds, self.rng = camera, count, seconds, rng
        self.acked = []
        self.errors = []
        self.process = subprocess.Popen([vigil, "queue", "append", "--config", config], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.threads = [threading.Thread(target=self._feed, daemon=True), threading.Thread(target=self._acks, daemon=True),
                        threading.Thread(target=self._stderr, daemon=True)]
        for thread in self.threads:
            thread.start()

    def _feed(self):
        started, sent = time.monotonic(), 0
        while sent < self.count:
            due = int(self.count * min(1.0, (time.monotonic() - started) / self.seconds)) + 1
            lines = []
            while sent < min(due, self.count):
                lines.append(json.dumps({"type": "manual", "camera": self.camera, "id": f"{self.camera}-{sent}",
                                         "data": {"seq": sent, "note": "x" * self.rng.randint(0, 120) + "\\ \"é\""}}))
                sent += 1
            if lines:
                self.process.stdin.write(("\n".join(lines) + "\n").encode())
                self.process.stdin.flush()
            time.sleep(0.02)
        self.process.stdin.close()

    def _acks(self):
        for line in self.process.stdout:
            self.acked.append(int(line))

    def _stderr(self):
        for line in self.process.stderr:
            self.errors.append(line.decode(errors="replace").strip())

    def wait(self):
        code = self.process.wait(timeout=600)
        for thread in self.threads:
            thread.join(timeout=10)
        return code


def finish(failures, success):
    """Prints the failures and exits 1, or prints `success`."""
    if failures:
        print("FAILED:")
        for failure in failures[:40]:
            print("  " + failure)
        sys.exit(1)
    print(success)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--restarts", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the writers take to append everything")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    vigil = os.path.abspath(args.vigil)
    rng = random.Random(args.seed)
    failures = []

    with tempfile.TemporaryDirectory(prefix="vigil-forward-chaos-") as folder:
        os.chmod(folder, 0o755)
        database = Database(os.path.join(folder, "pg"))
        try:
            # 1 MiB segments and a limit of a fifth of what the writers append (~200 bytes an event).
            retain = args.events * 40 / 2**30
            config = write_config(folder, database, extra_queue=f", segment_mib: 1, retain_gib: {retain:.6f}")
            per_writer = args.events // args.writers
            writers = [Writer(vigil, config, f"cam{index}", per_writer + (1 if index < args.events % args.writers else 0),
                              args.seconds, random.Random(rng.random())) for index in range(args.writers)]
            forward_log = open(os.path.join(folder, "forward.log"), "wb")

            def start_forwarder():
                return subprocess.Popen([vigil, "forward", "--config", config], stdout=forward_log, stderr=subprocess.STDOUT)

            # The database goes down and comes back on its own schedule, meanwhile.
            restarts_done = []
            restart_error = []

            def chaos_database():
                try:
                    for index in range(args.restarts):
                        time.sleep(rng.uniform(0.5, 2.0))
                        database.stop("immediate" if index % 2 else "fast")
                        time.sleep(rng.uniform(0.2, 1.5))
                        database.start()
                        restarts_done.append(index)
                except Exception as error:  # reported below: a test that could not do its faults fails
                    restart_error.append(repr(error))

            chaos = threading.Thread(target=chaos_database, daemon=True)
            chaos.start()
            kills = 0
            forwarder = start_forwarder()
            while kills < args.kills:
                time.sleep(rng.uniform(0.05, 0.9))
                forwarder.send_signal(signal.SIGKILL)
                forwarder.wait()
                kills += 1
                forwarder = start_forwarder()
            chaos.join(timeout=300)
            codes = [writer.wait() for writer in writers]
            forwarder.send_signal(signal.SIGTERM)
            try:
                graceful = forwarder.wait(timeout=30)
            except subprocess.TimeoutExpired:
                graceful = "hung"
                if os.path.exists("/usr/bin/gdb"):
                    dump = subprocess.run(["gdb", "-p", str(forwarder.pid), "-batch", "-ex", "thread apply all bt 30"], capture_output=True, text=True)
                    print("\n".join(line for line in dump.stdout.splitlines() if "Vigil" in line or "Postgres" in line or "Forward" in line)[:6000])
                forwarder.kill()
            if graceful != 0:
                failures.append(f"the forwarder did not exit 0 on SIGTERM (got {graceful})")
            if restart_error or len(restarts_done) != args.restarts:
                failures.append(f"only {len(restarts_done)} of {args.restarts} database restarts happened: {restart_error}")
            if any(codes):
                failures.append(f"writers exited {codes}: {[w.errors[-3:] for w in writers]}")
            held = [line for writer in writers for line in writer.errors if "RETENTION IS WAITING" in line]
            print(f"  {kills} forwarder kills, {len(restarts_done)} database restarts, retention held {len(held)} time(s)")

            caught = subprocess.run([vigil, "forward", "--config", config, "--until-caught-up"], capture_output=True, text=True, timeout=300)
            if caught.returncode != 0:
                failures.append(f"--until-caught-up exited {caught.returncode}: {caught.stderr[-500:]}")

            acked = {(writer.camera, index): offset for writer in writers for index, offset in enumerate(writer.acked)}
            total_acked = len(acked)
            sent_total = sum(w.count for w in writers)
            if total_acked != sent_total:
                failures.append(f"writers acknowledged {total_acked} of {sent_total} events")
            rows = database.query("""SELECT camera, "offset", record->'data'->>'seq', site, record->>'id' FROM vigil_events ORDER BY camera, "offset" """)
            duplicates = database.query("""SELECT count(*) - count(DISTINCT (site, queue_id, "offset")) FROM vigil_events""")[0][0]
            if int(duplicates) != 0:
                failures.append(f"{duplicates} duplicate rows")
            stored = {}
            for camera, offset, seq, site, event_id in rows:
                key = (camera, int(seq))
                if key in stored:
                    failures.append(f"event {key} stored twice (offsets {stored[key]} and {offset})")
                stored[key] = int(offset)
                if site != "chaos" or event_id != f"{camera}-{seq}":
                    failures.append(f"row at offset {offset} has site {site}, id {event_id}")
            missing = [key for key in acked if key not in stored]
            moved = [key for key, offset in acked.items() if key in stored and stored[key] != offset]
            extra = [key for key in stored if key not in acked]
            if missing:
                failures.append(f"{len(missing)} acknowledged event(s) missing from the table, e.g. {missing[:3]}")
            if moved:
                failures.append(f"{len(moved)} event(s) stored at another offset than acknowledged, e.g. {moved[:3]}")
            if extra:
                failures.append(f"{len(extra)} row(s) that no writer acknowledged, e.g. {extra[:3]}")
            # Per camera, offset order is the writer's order.
            by_camera = {}
            for camera, offset, seq, _, _ in rows:
                by_camera.setdefault(camera, []).append(int(seq))
            for camera, seqs in by_camera.items():
                if seqs != sorted(seqs):
                    failures.append(f"camera {camera}: rows in offset order are not in the writer's order")

            stat = json.loads(subprocess.run([vigil, "queue", "stat", "--config", config, "--json"], capture_output=True, text=True, check=True).stdout)
            end = (stat.get("last_offset") if stat.get("last_offset") is not None else -1) + 1
            group = {g["name"]: g["committed"] for g in stat.get("groups", [])}.get("forward")
            if group != end:
                failures.append(f"group forward committed {group}, the queue ends at {end}")
            position = database.query("SELECT next_offset FROM vigil_forward_positions WHERE site = 'chaos'")
            if not position or int(position[0][0]) != end:
                failures.append(f"vigil_forward_positions says {position}, the queue ends at {end}")
            segments_before = len(stat.get("segments", []))
            # Retention resumes once the forwarder has sent everything: a writer runs it when it opens.
            subprocess.run([vigil, "queue", "append", "--config", config], input=json.dumps({"type": "manual", "camera": "late"}) + "\n",
                           capture_output=True, text=True, check=True)
            stat_after = json.loads(subprocess.run([vigil, "queue", "stat", "--config", config, "--json"], capture_output=True, text=True, check=True).stdout)
            segments_after = len(stat_after.get("segments", []))
            # Retention did delete (the oldest records are gone), yet every acknowledged event is in
            # the table (checked above): it deleted nothing the forwarder had not stored. Now the
            # queue is back within its limit (plus the newest segment, which is never deleted).
            limit = int(retain * 2**30)
            if not stat_after.get("first_offset"):
                failures.append("retention never removed a segment: the test did not exercise the hold")
            if stat_after["bytes"] > limit + (1 << 20) + (64 << 10):
                failures.append(f"the queue holds {stat_after['bytes']} bytes once everything is stored, over its limit of {limit}")
            print(f"  {len(rows)} rows for {total_acked} acknowledged events; group at {group}, queue end {end}; "
                  f"segments {segments_before} → {segments_after} after retention, the oldest record kept is {stat_after.get('first_offset')}")
        finally:
            try:
                database.stop("fast")
            except Exception:
                pass
    finish(failures, "forward chaos: every acknowledged event stored exactly once, in order")


if __name__ == "__main__":
    main()

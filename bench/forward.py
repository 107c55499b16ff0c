#!/usr/bin/env python3
"""Benchmark of `vigil forward`: queue to committed rows in a real PostgreSQL 15.

1. Throughput: N events (line crossings with boxes and data, ~330 bytes a record) already in
   the queue are stored by `vigil forward --until-caught-up`, with COPY and with unnest,
   interleaved, R runs each, the table truncated before each run. Peer in the same run:
   PostgreSQL's own bulk path, psql's \\copy of the same records into a staging table and the
   same INSERT … SELECT, in one transaction (what the database itself needs, with no queue).
   Figures: medians of events per second, and the forwarder's CPU seconds (user + system).
2. Latency at 100 events/s: one writer appends an event every 10 ms (`vigil queue append`,
   fsync always) for S seconds while the forwarder runs; a LISTEN on vigil_events (psycopg,
   from PyPI) takes the time each batch's NOTIFY arrives; latency = arrival - the event's
   append time (carried in the event). Median and p99.

Usage: bench/forward.py --vigil .build/release/vigil [--events 200000] [--runs 5] [--seconds 60] [--method unnest] [--latency-only]
"""
import argparse, json, os, random, resource, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "forward"))
from forward_chaos import Database  # noqa: E402


def config(folder, database, fsync="interval", batch=2000):
    with open(os.path.join(folder, "pgpass"), "w") as f:
        f.write(database.password + "\n")
    path = os.path.join(folder, "vigil.yaml")
    with open(path, "w") as f:
        f.write(f"""queue: {{ path: queue, fsync: {fsync} }}
service: {{ state_dir: state }}
forward: {{ url: 'postgresql://vigil@127.0.0.1:{database.port}/vigil', password_file: pgpass, tls: disable, site: bench, batch: {batch} }}
cameras:
  - {{ id: cam0, source: none.mp4, analysis: {{ width: 320 }} }}
""")
    return path


def event(index, rng, sent=None):
    data = {"speed_kmh": round(rng.uniform(10, 90), 1), "count": index % 50}
    if sent is not None:
        data["sent"] = sent
    return {"type": "line_crossing", "camera": f"cam{index % 16}", "line": "l1", "direction": rng.choice(["in", "out"]),
            "track": index, "class": "vehicle", "frame": index * 3, "pts": index * 0.12,
            "bbox": [round(rng.random() * 0.8, 4), round(rng.random() * 0.8, 4), 0.1, 0.12], "data": data}


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def throughput(vigil, folder, database, events, runs):
    path = config(folder, database)
    rng = random.Random(1)
    lines = "".join(json.dumps(event(i, rng)) + "\n" for i in range(events))
    subprocess.run([vigil, "queue", "append", "--config", path], input=lines, text=True, check=True, stdout=subprocess.DEVNULL)
    records = os.path.join(folder, "records.tsv")
    tail = subprocess.run([vigil, "queue", "tail", "--config", path], capture_output=True, text=True, check=True).stdout.splitlines()
    with open(records, "w") as f:
        for line in tail:
            offset = json.loads(line)["offset"]
            f.write(f"{offset}\t{line.replace(chr(92), chr(92) * 2)}\n")
    size = os.path.getsize(records) / len(tail)
    # The schema once, by the forwarder itself.
    subprocess.run([vigil, "forward", "--config", path, "--until-caught-up"], check=True, capture_output=True)
    results = {"copy": [], "unnest": [], "psql": []}
    cpu = {"copy": [], "unnest": []}
    groups = os.path.join(folder, "queue", "groups", "forward")
    for run in range(runs):
        for method in ["copy", "unnest", "psql"]:
            database.query("TRUNCATE vigil_events")
            database.query("CHECKPOINT")
            if method == "psql":
                sql = (f"BEGIN; CREATE TEMP TABLE s (off bigint, rec text) ON COMMIT DROP; \\copy s FROM '{records}'\n"
                       "INSERT INTO vigil_events (site, queue_id, \"offset\", time, camera, type, state, zone, line, direction, track, class, frame, pts, snapshot, event_id, record) "
                       "SELECT 'bench', gen_random_uuid(), x.off, (x.r->>'time')::timestamptz, x.r->>'camera', x.r->>'type', x.r->>'state', x.r->>'zone', x.r->>'line', "
                       "x.r->>'direction', (x.r->>'track')::bigint, x.r->>'class', (x.r->>'frame')::bigint, (x.r->>'pts')::double precision, x.r->>'snapshot', x.r->>'id', x.r - 'crc32c' "
                       "FROM (SELECT off, rec::jsonb AS r FROM s OFFSET 0) x ON CONFLICT DO NOTHING; COMMIT;")
                started = time.perf_counter()
                subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(database.port), "-U", "vigil", "-d", "vigil", "-q", "-v", "ON_ERROR_STOP=1"],
                               input=sql, text=True, env={**os.environ, "PGPASSWORD": database.password}, check=True, stdout=subprocess.DEVNULL)
                results["psql"].append(events / (time.perf_counter() - started))
                continue
            if os.path.exists(groups):
                os.remove(groups)
            before = children_cpu()
            started = time.perf_counter()
            subprocess.run([vigil, "forward", "--config", path, "--until-caught-up", "--method", method], check=True, capture_output=True)
            elapsed = time.perf_counter() - started
            cpu[method].append(children_cpu() - before)
            stored = int(database.query("SELECT count(*) FROM vigil_events")[0][0])
            if stored != events:
                raise SystemExit(f"{method}: {stored} rows for {events} events")
            results[method].append(events / elapsed)
        print(f"  run {run + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in results.items()), flush=True)
    print(f"\nthroughput, {events:,} events of ~{size:.0f} bytes, median of {runs} interleaved runs:")
    for method in ["copy", "unnest"]:
        print(f"  vigil forward --method {method:<7} {statistics.median(results[method]):>9,.0f} events/s   "
              f"forwarder CPU {statistics.median(cpu[method]):.2f} s ({statistics.median(cpu[method]) / events * 1e6:.1f} µs/event)   "
              f"{statistics.median(results[method]) / statistics.median(results['psql']):.2f}× psql")
    print(f"  psql \\copy + INSERT … SELECT    {statistics.median(results['psql']):>9,.0f} events/s   (the database's own bulk path)")


def latency(vigil, folder, database, seconds, method):
    import psycopg
    path = config(folder, database, fsync="always", batch=2000)
    arrivals = []
    stop = threading.Event()

    def listen():
        with psycopg.connect(host="127.0.0.1", port=database.port, user="vigil", password=database.password, dbname="vigil", autocommit=True) as connection:
            connection.execute("LISTEN vigil_events")
            for notice in connection.notifies(timeout=seconds + 30, stop_after=None):
                arrivals.append((time.time(), json.loads(notice.payload)))
                if stop.is_set():
                    break

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    time.sleep(1)
    forwarder = subprocess.Popen([vigil, "forward", "--config", path, "--method", method], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    writer = subprocess.Popen([vigil, "queue", "append", "--config", path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    rng = random.Random(2)
    sent_at = {}
    acks = []
    ack_reader = threading.Thread(target=lambda: acks.extend(int(line) for line in writer.stdout), daemon=True)
    ack_reader.start()
    start = time.time()
    count = int(seconds * 100)
    for index in range(count):
        due = start + index / 100
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        now = time.time()
        writer.stdin.write(json.dumps(event(index, rng, sent=now)) + "\n")
        writer.stdin.flush()
        sent_at[index] = now
    writer.stdin.close()
    writer.wait()
    ack_reader.join()
    time.sleep(2)
    stop.set()
    forwarder.terminate()
    forwarder.wait()
    database.query("NOTIFY vigil_events, '{}'")
    listener.join(timeout=10)
    # Offsets before the writer's first are the throughput part's; acks map offset -> index.
    index_of = {offset: i for i, offset in enumerate(acks)}
    latencies = []
    for arrived, notice in arrivals:
        if not notice:
            continue
        for offset in range(notice["first"], notice["last"] + 1):
            if offset in index_of:
                latencies.append((arrived - sent_at[index_of[offset]]) * 1000)
    latencies.sort()
    if len(latencies) < count * 0.99:
        raise SystemExit(f"only {len(latencies)} of {count} events were announced")
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"\nlatency at 100 events/s for {seconds:.0f} s ({len(latencies)} events, method {method}, append fsync always): "
          f"median {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", default=os.path.join(ROOT, ".build", "release", "vigil"))
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--method", default="unnest", help="batch method for the latency part")
    parser.add_argument("--latency-only", action="store_true")
    args = parser.parse_args()
    try:
        import psycopg  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "psycopg[binary]"], check=True)
    vigil = os.path.abspath(args.vigil)
    with tempfile.TemporaryDirectory(prefix="vigil-bench-forward-") as folder:
        os.chmod(folder, 0o755)
        database = Database(os.path.join(folder, "pg"))
        try:
            if not args.latency_only:
                bulk = os.path.join(folder, "bulk")
                os.makedirs(bulk)
                throughput(vigil, bulk, database, args.events, args.runs)
            live = os.path.join(folder, "live")
            os.makedirs(live)
            latency(vigil, live, database, args.seconds, args.method)
        finally:
            database.stop("fast")


if __name__ == "__main__":
    main()

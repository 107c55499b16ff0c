#!/usr/bin/env python3
"""Crash test of the event queue, with real processes and SIGKILL.

Rounds of several `vigil queue append` writers appending to one queue are killed
with SIGKILL at random moments, while a `vigil queue tail --group` consumer is
killed and restarted too. Afterwards:
  - every record a writer acknowledged (printed its offset) is present exactly once,
    at that offset;
  - offsets are gap-free from 0, and no torn or damaged record is readable;
  - the consumer group, resumed after every kill, saw every offset (at least once).

Usage: Tests/crash/queue_crash.py [--vigil PATH] [--rounds 100] [--writers 3] [--seed 1]
"""
import argparse, json, os, random, signal, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Writer:
    """One `vigil queue append` process fed events with unique ids, collecting acknowledgements."""

    def __init__(self, vigil, queue, name, rng):
        self.name, self.sent, self.acked = name, [], []
        self.process = subprocess.Popen([vigil, "queue", "append", "--queue", queue], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.rng = rng
        self.stop = False
        self.reader = threading.Thread(target=self._read_acks, daemon=True)
        self.feeder = threading.Thread(target=self._feed, daemon=True)
        self.reader.start()
        self.feeder.start()

    def _feed(self):
        sequence = 0
        try:
            while not self.stop:
                batch = []
                for _ in range(self.rng.randint(1, 5)):
                    event_id = f"{self.name}-{sequence}"
                    sequence += 1
                    self.sent.append(event_id)
                    batch.append(json.dumps({"type": "manual", "camera": self.name.split("-")[0], "id": event_id,
                                             "data": {"payload": "x" * self.rng.randint(0, 300)}}))
                self.process.stdin.write(("\n".join(batch) + "\n").encode())
                self.process.stdin.flush()
                time.sleep(self.rng.random() * 0.004)
        except (BrokenPipeError, OSError, ValueError):
            pass

    def _read_acks(self):
        # Acknowledgements come in the order events were sent, one offset per line.
        for line in self.process.stdout:
            self.acked.append(int(line))

    def kill(self):
        self.stop = True
        try:
            self.process.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.reader.join(timeout=5)
        self.feeder.join(timeout=5)
        stderr = self.process.stderr.read().decode(errors="replace")
        return stderr


def tail(vigil, queue, *extra):
    result = subprocess.run([vigil, "queue", "tail", "--queue", queue, *extra], capture_output=True, timeout=120)
    if result.returncode != 0:
        sys.exit(f"tail failed: {result.stderr.decode()}")
    return result.stdout.decode().splitlines(), result.stderr.decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", default=os.path.join(ROOT, ".build", "debug", "vigil"))
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    queue = tempfile.mkdtemp(prefix="vigil-crash-")
    failures = {"acknowledged exactly once": [], "gap-free offsets": [], "no damaged record readable": [],
                "consumer group lost nothing": []}
    kills, consumer_kills, repairs, torn = 0, 0, 0, 0
    acknowledged = {}  # event id -> offset
    consumer_seen = set()
    consumer = None

    def start_consumer():
        process = subprocess.Popen([args.vigil, "queue", "tail", "--queue", queue, "--group", "ioc", "--follow"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        def collect():
            for line in process.stdout:
                try:
                    consumer_seen.add(json.loads(line)["offset"])
                except json.JSONDecodeError:
                    pass  # the last line of a consumer killed while printing; it was not committed
        thread = threading.Thread(target=collect, daemon=True)
        thread.start()
        return process, thread

    started = time.time()
    for round_number in range(args.rounds):
        writers = [Writer(args.vigil, queue, f"w{index}-r{round_number}", random.Random(rng.random()))
                   for index in range(args.writers)]
        if consumer is None:
            consumer = start_consumer()
        time.sleep(0.02 + rng.random() * 0.15)
        for writer in writers:
            time.sleep(rng.random() * 0.01)
            repairs += writer.kill().count("repaired")
            kills += 1
            for event_id, offset in zip(writer.sent, writer.acked):
                if event_id in acknowledged:
                    failures["acknowledged exactly once"].append(f"{event_id} acknowledged twice")
                acknowledged[event_id] = offset
        # Writers killed before any of them created a segment (a slow start on a loaded
        # machine) leave nothing to tear.
        segments = sorted(name for name in os.listdir(queue) if name.endswith(".jsonl"))
        if rng.random() < 0.3 and segments:
            # SIGKILL cannot tear one write(2) to a file; a power cut can. Leave what it
            # would leave, half a record at the end of the newest segment, for the next
            # writers to repair while the consumer reads.
            with open(os.path.join(queue, segments[-1]), "ab") as segment:
                segment.write(b'{"camera":"torn","data":{"payload":"' + b"y" * rng.randint(0, 200))
            torn += 1
        if rng.random() < 0.5:
            consumer[0].send_signal(signal.SIGKILL)
            consumer[0].wait()
            consumer[1].join(timeout=5)
            consumer = None
            consumer_kills += 1
    if consumer is not None:
        consumer[0].send_signal(signal.SIGKILL)
        consumer[0].wait()
        consumer[1].join(timeout=5)
        consumer_kills += 1

    # A clean writer run repairs whatever the last round left, as a restarted worker would.
    final = subprocess.run([args.vigil, "queue", "append", "--queue", queue], input=b"", check=True, capture_output=True)
    repairs += final.stderr.decode().count("repaired")
    lines, stderr = tail(args.vigil, queue, "--from", "earliest")
    if "damaged" in stderr or "unfinished" in stderr:
        failures["no damaged record readable"].append(f"damaged records reported: {stderr.strip()[:500]}")
    records = [json.loads(line) for line in lines]
    offsets = [record["offset"] for record in records]
    if offsets != list(range(len(offsets))):
        failures["gap-free offsets"].append("offsets are not gap-free from 0")
    by_id = {}
    for record in records:
        by_id.setdefault(record["id"], []).append(record["offset"])
    for event_id, offset in acknowledged.items():
        found = by_id.get(event_id, [])
        if len(found) != 1:
            failures["acknowledged exactly once"].append(f"acknowledged {event_id} present {len(found)} times")
        elif found[0] != offset:
            failures["acknowledged exactly once"].append(f"acknowledged {event_id} at {offset} but stored at {found[0]}")
    # The consumer group resumes where it committed; drain what it had not reached yet.
    rest, _ = tail(args.vigil, queue, "--group", "ioc")
    consumer_seen.update(json.loads(line)["offset"] for line in rest)
    missing = set(offsets) - consumer_seen
    if missing:
        failures["consumer group lost nothing"].append(f"missed {len(missing)} offsets, e.g. {sorted(missing)[:5]}")

    print(f"queue crash test: {args.rounds} rounds, {kills} writers and {consumer_kills} consumers killed with SIGKILL, "
          f"{len(records)} records stored, {len(acknowledged)} acknowledged, {torn} torn tails left, {repairs} repaired by writers, "
          f"{time.time() - started:.1f} s")
    for check, problems in failures.items():
        print(f"{'ok  ' if not problems else 'FAIL'} {check}" + (f": {problems[0]} (+{len(problems) - 1} more)" if problems else ""))
    subprocess.run(["rm", "-rf", queue])
    failed = sum(1 for problems in failures.values() if problems)
    print(f"{len(failures) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Console benchmark (issue 14), release build.

1. Search: 1,000,000 events (32 cameras, 30 days, a mix of types) appended to a queue, indexed
   by the console's own consumer; then filtered pages through the HTTP API, median and p95 of
   --repeats requests each.
2. Wall: 32 file cameras looping at their own rate (`vigil run --realtime --loop`, analysis at
   2 fps, 320 wide) with the console, the wall open in two headless Chromium browsers; the
   console process's CPU over --seconds (utime + stime from /proc), and append → visible
   latency of alarms appended with `vigil queue append` while both browsers watch.

Usage: /usr/bin/python3 bench/console.py [--events N] [--cameras N] [--seconds S]
(Debian's python3, which has Selenium.)
"""
import argparse, json, os, random, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--vigil", default=".build/release/vigil")
parser.add_argument("--events", type=int, default=1_000_000)
parser.add_argument("--cameras", type=int, default=32)
parser.add_argument("--seconds", type=int, default=60)
parser.add_argument("--repeats", type=int, default=21)
parser.add_argument("--alarms", type=int, default=20)
parser.add_argument("--runs", type=int, default=3, help="wall runs; medians across them are printed")
parser.add_argument("--skip-search", action="store_true")
parser.add_argument("--skip-wall", action="store_true")
args = parser.parse_args()
vigil = os.path.abspath(args.vigil)
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(base + "/healthz", timeout=1).status == 200:
                return
        except Exception:
            time.sleep(0.2)
    raise SystemExit("console did not start")


def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def search_benchmark():
    work = tempfile.mkdtemp(prefix="vigil-bench-console-")
    try:
        cameras = [f"cam{i:02d}" for i in range(args.cameras)]
        types = [("line_crossing", 0.70), ("motion", 0.15), ("traffic_flow", 0.05), ("intrusion", 0.04),
                 ("loitering", 0.03), ("crowd_level", 0.02), ("stopped_vehicle", 0.01)]
        random.seed(1)
        end = int(time.time()) - 60
        start = end - 30 * 86400
        lines = []
        for i in range(args.events):
            t = start + (end - start) * i // args.events
            kind = random.choices([k for k, _ in types], [w for _, w in types])[0]
            event = {"type": kind, "camera": random.choice(cameras),
                     "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".000Z"}
            if kind in ("motion", "intrusion", "loitering", "stopped_vehicle"):
                event["state"] = "start"
            if kind in ("intrusion", "loitering", "stopped_vehicle", "crowd_level"):
                event["zone"] = random.choice(["gate", "plaza", "road"])
            if kind in ("line_crossing", "traffic_flow"):
                event["line"] = "stop-line"
            if kind == "line_crossing":
                event["direction"] = random.choice(["in", "out"])
            lines.append(json.dumps(event))
        queue = os.path.join(work, "queue")
        began = time.time()
        subprocess.run([vigil, "queue", "append", "--queue", queue, "--fsync", "interval"], input="\n".join(lines) + "\n",
                       text=True, check=True, stdout=subprocess.DEVNULL)
        print(f"appended {args.events:,} events in {time.time() - began:.1f} s")
        port = free_port()
        with open(os.path.join(work, "vigil.yaml"), "w") as f:
            f.write(f"queue: {{ path: queue }}\nservice: {{ state_dir: state }}\nconsole: {{ port: {port}, time_zone: UTC }}\ncameras:\n")
            for camera in cameras:
                f.write(f"  - {{ id: {camera}, source: none.mp4 }}\n")
        console = subprocess.Popen([vigil, "console", "--config", os.path.join(work, "vigil.yaml")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base)
            began = time.time()
            while True:
                newest = get(base + "/api/events?limit=1&acknowledgements=1")["items"]
                if newest and newest[0]["event"]["offset"] == args.events - 1:
                    break
                time.sleep(0.5)
            indexing = time.time() - began
            print(f"indexed {args.events:,} events in {indexing:.1f} s ({args.events / indexing:,.0f} events/s)")
            day = time.strftime("%Y-%m-%dT", time.gmtime(end - 10 * 86400))
            queries = {
                "newest page (no filter)": "/api/events?limit=50",
                "camera": "/api/events?camera=cam07&limit=50",
                "camera + type": "/api/events?camera=cam07&type=intrusion&limit=50",
                "camera + type + one day": f"/api/events?camera=cam07&type=intrusion&since={day}00:00&until={day}23:59&limit=50",
                "type + zone + 3 days": f"/api/events?type=loitering&zone=plaza&since={day}00:00&until={time.strftime('%Y-%m-%dT', time.gmtime(end - 7 * 86400))}00:00&limit=50",
                "one hour, all cameras": f"/api/events?since={day}12:00&until={day}13:00&limit=50",
                "rare type, whole month": "/api/events?type=stopped_vehicle&limit=50",
                "traffic chart (24 h, 15 min)": "/api/traffic?camera=cam07&bucket=15&hours=24",
                "camera wall": "/api/cameras",
            }
            results = {}
            for name, path in queries.items():
                get(base + path)  # warm
                times = []
                for _ in range(args.repeats):
                    began = time.perf_counter()
                    body = urllib.request.urlopen(base + path, timeout=30).read()
                    times.append((time.perf_counter() - began) * 1000)
                items = json.loads(body)
                count = len(items["items"]) if isinstance(items, dict) and "items" in items else "-"
                results[name] = (statistics.median(times), percentile(times, 95), count)
                print(f"  {name:32s} median {statistics.median(times):7.2f} ms  p95 {percentile(times, 95):7.2f} ms  rows {count}")
            # A deep page: follow `next` 100 pages into the camera's history.
            url = base + "/api/events?camera=cam07&limit=50"
            for _ in range(100):
                url = base + "/api/events?camera=cam07&limit=50&before=" + get(url)["next"]
            times = []
            for _ in range(args.repeats):
                began = time.perf_counter()
                urllib.request.urlopen(url, timeout=30).read()
                times.append((time.perf_counter() - began) * 1000)
            print(f"  {'camera, 100 pages deep':32s} median {statistics.median(times):7.2f} ms  p95 {percentile(times, 95):7.2f} ms")
            print(f"  index file: {os.path.getsize(os.path.join(work, 'state', 'console-index.sqlite')) / 2**20:.0f} MiB")
        finally:
            console.terminate()
            console.wait(timeout=20)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def wall_benchmark(results):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    work = tempfile.mkdtemp(prefix="vigil-bench-wall-")
    clips = ["mixed.mp4", "traffic.mp4", "people.mp4"]
    for clip in clips:
        shutil.copy(os.path.join(root, "SampleVideos", clip), work)
    port = free_port()
    with open(os.path.join(work, "vigil.yaml"), "w") as f:
        f.write(f"queue: {{ path: queue, fsync: interval }}\nservice: {{ state_dir: state, metrics: {{ port: 0 }} }}\ncameras:\n")
        for i in range(args.cameras):
            f.write(f"""  - id: cam{i:02d}
    group: "Quận {i % 4 + 1}"
    source: {clips[i % 3]}
    analysis: {{ fps: 2, width: 320 }}
    zones: [{{ id: zone, polygon: [[0.6, 0.4], [0.98, 0.4], [0.98, 0.98], [0.6, 0.98]], intrusion: {{ classes: [person] }} }}]
    lines: [{{ id: line, from: [0.5, 0.05], to: [0.5, 0.98], names: {{ a_to_b: west, b_to_a: east }} }}]
""")
    # 32 cameras decoding at 25 fps saturate this 2-core machine, so the workers run niced as
    # background load and the console (and the browsers) at normal priority, as an operations
    # centre would run the console on a host whose workers must not starve it.
    fleet = subprocess.Popen(["nice", "-n", "10", vigil, "run", "--config", os.path.join(work, "vigil.yaml"), "--realtime", "--loop"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    console = subprocess.Popen([vigil, "console", "--config", os.path.join(work, "vigil.yaml"), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    drivers = []
    try:
        wait_healthy(base)
        console_pid = console.pid
        for _ in range(2):
            options = webdriver.ChromeOptions()
            for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1600,1000"):
                options.add_argument(argument)
            options.binary_location = "/usr/bin/chromium"
            driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
            driver.get(base + "/")
            WebDriverWait(driver, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#wall .tile")) == args.cameras)
            # Record when each alarm appears, on the page's own clock (same machine as ours).
            driver.execute_script("""
                window.seen = {};
                new MutationObserver(() => {
                  for (const item of document.querySelectorAll('#live-alarms .alarm-item')) {
                    const offset = item.dataset.offset;
                    if (!(offset in window.seen)) window.seen[offset] = performance.timeOrigin + performance.now();
                  }
                }).observe(document.getElementById('live-alarms'), {childList: true, subtree: true});
            """)
            drivers.append(driver)
        time.sleep(15)  # every tile streaming, pictures flowing
        streaming = sum(1 for c in get(base + "/api/cameras") if c["state"] == "streaming")
        before = cpu_seconds(console_pid)
        began = time.time()
        latencies = []
        appended = {}
        returned = {}
        interval = args.seconds / max(1, args.alarms)
        for i in range(args.alarms):
            event = {"type": "manual", "camera": f"cam{i % args.cameras:02d}", "data": {"note": f"bench {i}"}}
            at = time.time()
            out = subprocess.run([vigil, "queue", "append", "--queue", os.path.join(work, "queue")], input=json.dumps(event) + "\n",
                                 text=True, capture_output=True, check=True).stdout
            appended[out.strip().splitlines()[-1]] = at
            returned[out.strip().splitlines()[-1]] = time.time()
            time.sleep(max(0, began + (i + 1) * interval - time.time()))
        elapsed = time.time() - began
        cpu = cpu_seconds(console_pid) - before
        time.sleep(2)
        after_ack = []
        for driver in drivers:
            seen = driver.execute_script("return window.seen")
            for offset, at in appended.items():
                if offset in seen:
                    latencies.append(seen[offset] / 1000 - at)
                    after_ack.append(seen[offset] / 1000 - returned[offset])
                else:
                    latencies.append(float("inf"))
        shown = [l for l in latencies if l != float("inf")]
        results.append((cpu / elapsed * 100, percentile(latencies, 95), statistics.median(shown)))
        print(f"wall: {args.cameras} cameras ({streaming} streaming), 2 browsers, {elapsed:.0f} s")
        print(f"  console CPU: {cpu / elapsed * 100:.2f} % of a core ({cpu:.2f} s over {elapsed:.0f} s)")
        shown = [l for l in latencies if l != float("inf")]
        print(f"  append → visible: median {statistics.median(shown) * 1000:.0f} ms, p95 {percentile(latencies, 95) * 1000:.0f} ms,"
              f" max {max(latencies) * 1000:.0f} ms, {len(shown)}/{len(latencies)} shown")
        appends = [returned[o] - appended[o] for o in appended]
        print(f"  of which `vigil queue append` itself (process start, fsync): median {statistics.median(appends) * 1000:.0f} ms,"
              f" p95 {percentile(appends, 95) * 1000:.0f} ms; append returned → visible: median {statistics.median(after_ack) * 1000:.0f} ms,"
              f" p95 {percentile(after_ack, 95) * 1000:.0f} ms")
    finally:
        for driver in drivers:
            driver.quit()
        console.terminate()
        console.wait(timeout=20)
        os.killpg(fleet.pid, signal.SIGTERM)
        try:
            fleet.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(fleet.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)


if not args.skip_search:
    search_benchmark()
if not args.skip_wall:
    runs = []
    for run in range(args.runs):
        wall_benchmark(runs)
    print(f"wall, median of {len(runs)} runs: console CPU {statistics.median(r[0] for r in runs):.2f} % of a core"
          f" (runs: {', '.join(f'{r[0]:.2f}' for r in runs)}); append → visible p95 {statistics.median(r[1] for r in runs) * 1000:.0f} ms"
          f" (runs: {', '.join(f'{r[1] * 1000:.0f}' for r in runs)}), median {statistics.median(r[2] for r in runs) * 1000:.0f} ms")

#!/usr/bin/env python3
"""Soak: one `vigil worker` (release build) runs a looping file for at least an hour of
video time, as fast as it decodes, with lines, a zone and tamper on; its resident memory
is sampled every few seconds. Flat memory means the RSS after warm-up stays within a small
band: the last tenth's median against the second tenth's.

Usage: python3 bench/soak.py [--video-hours 1] [--clip PATH]
"""
import argparse, json, os, signal, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIGIL = os.path.join(ROOT, ".build", "release", "vigil")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--video-hours", type=float, default=1.0)
    parser.add_argument("--clip", default=os.path.join(ROOT, "..", "shared", "samples", "highway-cctv.avi"))
    args = parser.parse_args()
    if not os.path.exists(VIGIL):
        sys.exit("build first: swift build -c release --product vigil")
    fps = float(subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=r_frame_rate",
                                "-of", "csv=p=0", args.clip], capture_output=True, text=True).stdout.strip().split("/")[0])
    target = int(args.video_hours * 3600 * fps)
    work = tempfile.mkdtemp(prefix="vigil-soak-")
    config = os.path.join(work, "soak.yaml")
    with open(config, "w") as handle:
        handle.write(f"""queue: {{ path: queue }}
service: {{ state_dir: state, metrics: {{ port: 0 }} }}
cameras:
  - id: soak
    source: {os.path.abspath(args.clip)}
    zones: [ {{ id: road, polygon: [[0,0.4],[1,0.4],[1,1],[0,1]], stopped_vehicle: {{ seconds: 20 }}, loitering: {{ seconds: 60 }} }} ]
    lines: [ {{ id: across, from: [0, 0.6], to: [1, 0.6], flow_interval: 60 }} ]
""")
    log_path = os.path.join(work, "worker.log")
    worker = subprocess.Popen([VIGIL, "worker", "--config", config, "--camera", "soak", "--loop"],
                              stdout=subprocess.DEVNULL, stderr=open(log_path, "w"))
    samples, started, analysed = [], time.monotonic(), 0
    while analysed < target and worker.poll() is None:
        time.sleep(1)
        try:
            with open(os.path.join(work, "state", "soak.json")) as handle:
                status = json.load(handle)
            analysed = status["frames_analysed"]
        except (OSError, ValueError, KeyError):
            continue
        samples.append((analysed, rss_kib(worker.pid)))
    wall = time.monotonic() - started
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=10)
    log = open(log_path).read()
    if worker.returncode != 0 or len(samples) < 20:
        sys.exit(f"worker ended with {worker.returncode} after {len(samples)} samples: {log[-2000:]}")
    tenth = len(samples) // 10
    early = statistics.median(rss for _, rss in samples[tenth:2 * tenth])
    late = statistics.median(rss for _, rss in samples[-tenth:])
    events = sum(1 for name in os.listdir(os.path.join(work, "queue")) if name.endswith(".jsonl"))
    print(f"soak: {analysed} frames = {analysed / fps / 3600:.2f} h of video in {wall / 60:.1f} min wall "
          f"({analysed / wall:.0f} fps), {len(samples)} RSS samples")
    print(f"RSS KiB: min {min(r for _, r in samples)}, max {max(r for _, r in samples)}; "
          f"median of the 2nd tenth {early:.0f}, of the last tenth {late:.0f} (change {late - early:+.0f} KiB)")
    print(f"queue segments: {events}; log lines: {log.count(chr(10))}; exit on SIGTERM: {worker.returncode}")
    subprocess.run(["rm", "-rf", work])
    sys.exit(0 if late - early < 2048 else 1)


if __name__ == "__main__":
    main()

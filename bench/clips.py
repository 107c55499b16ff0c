#!/usr/bin/env python3
"""Event clips: what recording costs a worker, and the pre-roll ring's memory.

A 1080p25 H.264 camera (vtest.avi, PETS 2009, scaled to 1080p and encoded as most IP cameras
send: I and P frames only, 8 Mbit/s, a keyframe every 2 s, 60 s long) is analysed by
`vigil worker` (release build, pinned to one core, decoding on one thread) with clips off and
with clips on. "On" records continuously: `motion` starts a clip that lasts to the end of the
file (post 600 s), so every packet after the first motion is copied into an MP4.

Reported: CPU time (user + system, from the worker's rusage) per run, medians of N
interleaved runs, the ratio on/off, peak resident memory (ru_maxrss) on and off, and the
seconds of video the clip holds (from its clip_ready event). FFmpeg's own single-thread
decode of the same file is measured in the same run as the reference.

Usage: python3 bench/clips.py [--runs 5] [--core 1]
"""
import argparse, glob, json, os, resource, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIGIL = os.path.join(ROOT, ".build", "release", "vigil")
VTEST = os.path.join(ROOT, "SampleVideos", "real", "vtest.avi")


def make_clip(path):
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "3", "-i", VTEST, "-t", "60",
                    "-vf", "scale=1920:1080", "-r", "25", "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
                    "-b:v", "8M", "-maxrate", "8M", "-bufsize", "16M", "-g", "50", "-bf", "0", "-pix_fmt", "yuv420p", path], check=True)


def measured(command):
    """Runs `command`; returns (CPU seconds of the child, peak RSS in MiB, wall seconds)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    errors = process.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{errors[-2000:]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, wall


def queue_events(queue):
    events = []
    for segment in sorted(glob.glob(os.path.join(queue, "*.jsonl"))):
        with open(segment) as handle:
            for line in handle:
                line = line.strip()
                if line:
                    events.append(json.loads(line))
    return events


def worker_run(work, clip, clips_on, core, index):
    folder = os.path.join(work, f"run-{'on' if clips_on else 'off'}-{index}")
    os.makedirs(folder)
    config = os.path.join(folder, "vigil.yaml")
    camera = "  - { id: cam, source: %s, analysis: { width: 480 }, tamper: { enabled: false }%s }\n" % (
        clip, ", clips: { types: [motion], pre: 5, post: 600, longest: 3600 }" if clips_on else "")
    with open(config, "w") as handle:
        handle.write("queue: { path: queue }\nservice: { state_dir: state, metrics: { port: 0 } }\ncameras:\n" + camera)
    cpu, rss, wall = measured(["taskset", "-c", str(core), VIGIL, "worker", "--config", config, "--camera", "cam",
                               "--metrics-port", "0"])
    seconds = 0.0
    if clips_on:
        ready = [event for event in queue_events(os.path.join(folder, "queue")) if event.get("type") == "clip_ready"]
        if not ready or any(event.get("clip_state") != "ready" for event in ready):
            sys.exit(f"clips on, but no finished clip: {ready}")
        for event in ready:
            if not os.path.exists(os.path.join(folder, "queue", event["clip"])):
                sys.exit(f"clip_ready names a missing file: {event['clip']}")
            seconds += event["data"]["seconds"]
    return cpu, rss, wall, seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--core", type=int, default=1)
    arguments = parser.parse_args()
    if not os.path.exists(VIGIL):
        sys.exit("build first: swift build -c release --product vigil")
    work = tempfile.mkdtemp(prefix="vigil-bench-clips-")
    clip = os.path.join(work, "vtest-1080p-8M.mp4")
    make_clip(clip)
    results = {"off": [], "on": [], "ffmpeg": []}
    for index in range(arguments.runs):
        results["off"].append(worker_run(work, clip, False, arguments.core, index))
        results["on"].append(worker_run(work, clip, True, arguments.core, index))
        results["ffmpeg"].append(measured(["taskset", "-c", str(arguments.core), "ffmpeg", "-nostdin", "-v", "error",
                                           "-threads", "1", "-i", clip, "-f", "null", "-"]))
    median = lambda rows, column: statistics.median(row[column] for row in rows)
    off_cpu, on_cpu, ffmpeg_cpu = median(results["off"], 0), median(results["on"], 0), median(results["ffmpeg"], 0)
    print(f"1080p25 H.264 (I+P, 8 Mbit/s, GOP 2 s), 60 s; {arguments.runs} interleaved runs, medians; one core")
    print(f"{'':28} {'CPU s':>8} {'× decode':>9} {'peak RSS MiB':>13}")
    print(f"{'ffmpeg -threads 1 decode':28} {ffmpeg_cpu:8.2f} {1:9.2f} {median(results['ffmpeg'], 1):13.0f}")
    print(f"{'vigil worker, clips off':28} {off_cpu:8.2f} {off_cpu / ffmpeg_cpu:9.2f} {median(results['off'], 1):13.0f}")
    print(f"{'vigil worker, clips on':28} {on_cpu:8.2f} {on_cpu / ffmpeg_cpu:9.2f} {median(results['on'], 1):13.0f}")
    print(f"clips on / off CPU: {on_cpu / off_cpu:.4f} ({(on_cpu / off_cpu - 1) * 100:+.2f} %)")
    print(f"peak RSS on − off: {median(results['on'], 1) - median(results['off'], 1):+.1f} MiB (ring of pre 5 s + 5 s margin, and the muxer)")
    print(f"video in the clip: {median(results['on'], 3):.1f} s of the 60 s file")
    print("per run CPU s, off:", " ".join(f"{row[0]:.2f}" for row in results["off"]))
    print("per run CPU s, on: ", " ".join(f"{row[0]:.2f}" for row in results["on"]))


if __name__ == "__main__":
    main()

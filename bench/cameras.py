#!/usr/bin/env python3
"""How many paced 1080p25 H.264 cameras one core sustains, per analysis setting.

Every camera is a `vigil worker --realtime --loop` (release build) reading the same 1080p25
H.264 file at its own frame rate, as a camera would send it; all workers are pinned to one
core with taskset. A setting sustains N cameras when, over the measured window, no worker
dropped a frame, every worker delivered at least 95 % of the frames real time asks for, and
no worker's decoding ended the window more than 0.5 s behind the source's schedule (each
worker reports that lag; it stays near 0 while the core keeps up and grows when it cannot).

The reference, measured in the same run: FFmpeg's own decode-only speed on that core
(`ffmpeg -threads 1 -i clip -f null -`), i.e. how many 25 fps streams plain decoding allows.
Since 2026-12-06 Vigil's decoder leaves out deblocking on the clip's non-reference B-frames,
which FFmpeg's plain decode does not: a worker's decoding does less work than that reference
(10-13 % less on the two B-frame clips of bench/analysis_cost.py, BENCHMARKS.md issue 17).

Usage: python3 bench/cameras.py [--seconds 10] [--core 1] [--clip PATH]
"""
import argparse, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIGIL = os.path.join(ROOT, ".build", "release", "vigil")
SAMPLE = os.path.join(ROOT, "..", "shared", "samples", "highway-cctv.avi")

SETTINGS = [
    ("every frame at 480 wide", {"width": 480}, []),
    ("5 fps at 480 wide", {"width": 480, "fps": 5}, []),
    ("5 fps, non-reference frames skipped", {"width": 480, "fps": 5}, ["--skip-non-reference"]),
]


def make_clip(path):
    # A real traffic scene scaled to 1080p, encoded as an IP camera would: H.264 High,
    # 4 Mbit/s, a keyframe every 2 s, two non-reference B-frames between references.
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "3", "-i", SAMPLE, "-t", "60",
                    "-vf", "scale=1920:1080", "-r", "25", "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
                    "-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M", "-g", "50", "-bf", "2",
                    "-x264-params", "b-pyramid=0", "-pix_fmt", "yuv420p", path], check=True)


def ffmpeg_decode_fps(clip, core, runs=3):
    times = []
    for _ in range(runs):
        started = time.monotonic()
        subprocess.run(["taskset", "-c", str(core), "ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-i", clip,
                        "-f", "null", "-"], check=True)
        times.append(time.monotonic() - started)
    frames = int(subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
                                 "stream=nb_read_packets", "-of", "csv=p=0", clip], capture_output=True, text=True).stdout.strip())
    return frames / sorted(times)[len(times) // 2]


def trial(clip, cameras, analysis, extra, seconds, core, work):
    config = os.path.join(work, f"bench-{cameras}.yaml")
    state = os.path.join(work, f"state-{cameras}-{time.monotonic_ns()}")
    lines = ["queue: { path: %s }" % os.path.join(work, "queue"),
             "service: { state_dir: %s, metrics: { port: 0 }, offline_after: 60 }" % state, "cameras:"]
    for index in range(cameras):
        lines.append("  - { id: cam%d, source: %s, analysis: %s, tamper: { enabled: false } }" % (index, clip, json.dumps(analysis)))
    with open(config, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    workers = [subprocess.Popen(["taskset", "-c", str(core), VIGIL, "worker", "--config", config, "--camera", f"cam{index}",
                                 "--realtime", "--loop", "--metrics-port", "0", *extra],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for index in range(cameras)]

    def sample():
        result = {}
        for index in range(cameras):
            try:
                with open(os.path.join(state, f"cam{index}.json")) as handle:
                    status = json.load(handle)
                result[index] = (status["frames_decoded"], status["frames_dropped"], status.get("pacing_lag") or 0)
            except (OSError, ValueError, KeyError):
                result[index] = (0, 0, 99)
        return result

    time.sleep(4)  # start-up and the decoders' first keyframe
    first, started = sample(), time.monotonic()
    time.sleep(seconds)
    last, elapsed = sample(), time.monotonic() - started
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait()
    rate = analysis.get("fps", 25)
    # State files are written once a second: allow that much slack in the expected count.
    expected = rate * (elapsed - 1.0)
    delivered = [last[i][0] - first[i][0] for i in range(cameras)]
    dropped = [last[i][1] - first[i][1] for i in range(cameras)]
    lag = max(last[i][2] for i in range(cameras))
    ok = all(d >= 0.95 * expected for d in delivered) and sum(dropped) == 0 and lag <= 0.5
    return ok, min(delivered) / (rate * elapsed), sum(dropped), lag


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--core", type=int, default=1)
    parser.add_argument("--clip")
    args = parser.parse_args()
    if not os.path.exists(VIGIL):
        sys.exit("build first: swift build -c release --product vigil")
    work = tempfile.mkdtemp(prefix="vigil-cameras-")
    clip = args.clip or os.path.join(work, "cam1080.mp4")
    if not args.clip:
        make_clip(clip)
    decode_fps = ffmpeg_decode_fps(clip, args.core)
    print(f"clip: {clip}; FFmpeg decode-only, 1 thread, core {args.core}: {decode_fps:.0f} fps "
          f"= {decode_fps / 25:.1f} streams of 25 fps per core (median of 3)")
    print(f"{'setting':40} {'cameras per core':>16}  trials (cameras: worst worker's share of real-time frames, its lag behind schedule, drops)")
    for name, analysis, extra in SETTINGS:
        best, trials, cameras, step = 0, [], 2, 1 if "every frame" in name else 2
        while cameras <= 64:
            ok, share, dropped, lag = trial(clip, cameras, analysis, extra, args.seconds, args.core, work)
            trials.append(f"{cameras}: {share:.2f}, lag {lag:.2f} s{'' if dropped == 0 else f', {dropped} dropped'}{'' if ok else ' FAIL'}")
            if not ok:
                break
            best = cameras
            cameras += step
        print(f"{name:40} {best:>16}  {'; '.join(trials)}")
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()

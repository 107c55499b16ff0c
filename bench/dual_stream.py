#!/usr/bin/env python3
"""Cameras per core with event clips: what an integrator sizes hosts by.

Two camera shapes, each a `vigil worker --realtime --loop` (release build) per camera, all
pinned to one core with taskset, as bench/cameras.py does:

  dual stream   the camera's 640×360 sub-stream analysed at its full 25 fps, and its 1080p
                main stream read and copied into clips, never decoded
                (`source: { analysis, record }`). Clips record continuously: a `motion`
                clip that lasts the whole window.
  1080p at 5 fps  a single 1080p25 I+P stream (no B-frames: every frame is a reference, so
                none can be skipped), decoded in full, analysed at 5 fps, clips on.

Both streams come from ../shared/samples/highway-cctv.avi (real traffic), encoded as IP
cameras send: H.264 High, I and P frames only, a keyframe every 2 s; main 1080p at 4 Mbit/s,
sub 640×360 at 512 kbit/s.

A setting sustains N cameras when, over the window, no worker dropped a frame, every worker
analysed at least 95 % of the frames real time asks for, none fell more than 0.5 s behind
the source's schedule, and (dual stream) every worker's clip holds at least 90 % of the
window's video. The window opens only once every worker has analysed 50 frames, and two
seconds later: N workers started at once share the core while they load and warm up, and
frames the first ones drop then are printed per trial ("start-up") but are not a shortfall of
what the core sustains. FFmpeg's single-thread decode of each stream on that core is the reference.

The search adds two cameras a trial until one fails, then tries the count in between, so the
figure is exact to one camera; --repeats N runs the search N times and prints the median, since
on a shared VM the edge moves between runs.

Usage: python3 bench/dual_stream.py [--seconds 15] [--core 1] [--repeats 1] [--buffer default|FRAMES[,…]]
       [--widths 480[,320…]] [--models default[,adaptive…]] [--starts ready[,4]] [--from 2] [--spacing 0] [--shapes dual,single]
"""
import argparse, glob, json, os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIGIL = os.path.join(ROOT, ".build", "release", "vigil")
SAMPLE = os.path.join(ROOT, "..", "shared", "samples", "highway-cctv.avi")
# Seconds between the workers' launches (--spacing); `vigil run` starts its workers 0.2 s apart.
SPACING = 0.0


def encode(path, size, bitrate):
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "3", "-i", SAMPLE, "-t", "60",
                    "-vf", f"scale={size}", "-r", "25", "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
                    "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate, "-g", "50", "-bf", "0",
                    "-pix_fmt", "yuv420p", path], check=True)


def decode_fps(clip, core):
    times = []
    for _ in range(3):
        started = time.monotonic()
        subprocess.run(["taskset", "-c", str(core), "ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-i", clip,
                        "-f", "null", "-"], check=True)
        times.append(time.monotonic() - started)
    return 60 * 25 / sorted(times)[1]


def clip_seconds(queue, camera):
    total = 0.0
    for segment in glob.glob(os.path.join(queue, "*.jsonl")):
        for line in open(segment):
            if '"clip_ready"' in line:
                event = json.loads(line)
                if event.get("clip_state") == "ready" and event.get("camera") == camera:
                    total += event["data"].get("seconds", 0)
    return total


def trial(shape, streams, cameras, seconds, core, work, buffer=None, width=480, model=None, start="ready"):
    run = os.path.join(work, f"{shape}-{cameras}-{time.monotonic_ns()}")
    os.makedirs(run)
    config = os.path.join(run, "vigil.yaml")
    lines = ["queue: { path: queue }", "service: { state_dir: state, metrics: { port: 0 }, offline_after: 60 }", "cameras:"]
    clips = "clips: { types: [motion], pre: 5, post: 600, longest: 3600 }"
    motion = f", motion: {{ model: {model} }}" if model else ""
    for index in range(cameras):
        if shape == "dual":
            lines.append(f"  - {{ id: cam{index}, source: {{ analysis: {streams['sub']}, record: {streams['main']} }}, "
                         f"analysis: {{ width: {width} }}, tamper: {{ enabled: false }}, {clips}{motion} }}")
        else:
            lines.append(f"  - {{ id: cam{index}, source: {streams['main']}, analysis: {{ width: {width}, fps: 5 }}, "
                         f"tamper: {{ enabled: false }}, {clips}{motion} }}")
    with open(config, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    workers = []
    for index in range(cameras):
        if index and SPACING:
            time.sleep(SPACING)
        workers.append(subprocess.Popen(["taskset", "-c", str(core), VIGIL, "worker", "--config", config, "--camera", f"cam{index}",
                                         "--realtime", "--loop", "--metrics-port", "0"] + ([] if buffer is None else ["--buffer", str(buffer)]),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def sample():
        result = {}
        for index in range(cameras):
            try:
                with open(os.path.join(run, "state", f"cam{index}.json")) as handle:
                    status = json.load(handle)
                result[index] = (status["frames_analysed"], status["frames_dropped"], status.get("pacing_lag") or 0)
            except (OSError, ValueError, KeyError):
                result[index] = (0, 0, 99)
        return result

    # The window opens once every worker is past its start-up: N processes starting on one core
    # at once (loading libraries, the motion model's warm-up) share it for a few seconds, and
    # the first to start drop frames then. Those drops are counted apart (`startup`), not as a
    # shortfall of sustained capacity; the window then waits two seconds more.
    # (`--starts 4` opens it a fixed 4 s after the launch instead, as this script did before.)
    launched = time.monotonic()
    if start == "ready":
        while time.monotonic() - launched < 60 and any(frames < 50 for frames, _, _ in sample().values()):
            time.sleep(0.25)
        settled = time.monotonic() - launched
        time.sleep(2)
    else:
        time.sleep(float(start))
        settled = float(start)
    first, started = sample(), time.monotonic()
    startup = sum(first[i][1] for i in range(cameras))
    time.sleep(seconds)
    last, elapsed = sample(), time.monotonic() - started
    peak = 0
    for worker in workers:
        try:
            with open(f"/proc/{worker.pid}/status") as handle:
                peak = max(peak, next(int(line.split()[1]) for line in handle if line.startswith("VmHWM:")) // 1024)
        except (OSError, StopIteration, ValueError):
            pass
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait()
    rate = 25 if shape == "dual" else 5
    expected = rate * (elapsed - 1.0)
    analysed = [last[i][0] - first[i][0] for i in range(cameras)]
    dropped = sum(last[i][1] - first[i][1] for i in range(cameras))
    lag = max(last[i][2] for i in range(cameras))
    recorded = min(clip_seconds(os.path.join(run, "queue"), f"cam{i}") for i in range(cameras))
    ok = all(a >= 0.95 * expected for a in analysed) and dropped == 0 and lag <= 0.5 and recorded >= 0.9 * seconds
    subprocess.run(["rm", "-rf", run])
    return ok, min(analysed) / (rate * elapsed), dropped, lag, recorded, peak, startup, settled


def search(shape, streams, args, work, buffer, width, model, start, label):
    """Adds two cameras a trial until one fails, then tries the count in between."""
    best, trials, cameras, step = 0, [], args.start_from, 2
    while cameras <= 64:
        ok, share, dropped, lag, recorded, peak, startup, settled = trial(shape, streams, cameras, args.seconds, args.core, work,
                                                                           buffer, width, model, start)
        trials.append(f"{cameras}: {share:.2f}, lag {lag:.2f} s, {recorded:.0f} s, {peak} MiB"
                      f"{'' if dropped == 0 else f', {dropped} dropped'}{'' if ok else ' FAIL'}"
                      f" (start-up {settled:.1f} s{'' if startup == 0 else f', {startup} dropped then'})")
        if ok:
            best = cameras
        if step == 1 or (not ok and cameras - 1 <= best):
            break
        if ok:
            cameras += 2
        else:
            step, cameras = 1, cameras - 1
    print(f"{label:52} {best:>16}  {'; '.join(trials)}", flush=True)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--core", type=int, default=1)
    parser.add_argument("--buffer", default="default",
                        help="frames between each worker's ingest and analysis (vigil worker --buffer); a comma-separated "
                             "list compares lengths in turn, 'default' for the worker's own")
    parser.add_argument("--widths", default="480",
                        help="the cameras' analysis width; a comma-separated list compares widths in turn, as --buffer does")
    parser.add_argument("--models", default="default",
                        help="the cameras' motion model (consensus, adaptive); a comma-separated list compares them in turn")
    parser.add_argument("--from", dest="start_from", type=int, default=2,
                        help="the first trial's cameras (a search that fails there reports 0: start below the edge)")
    parser.add_argument("--spacing", type=float, default=0.0,
                        help="seconds between the workers' launches (0: all at once; vigil run spaces them 0.2 s)")
    parser.add_argument("--starts", default="ready",
                        help="when the window opens: 'ready' (every worker past 50 frames, then 2 s) or a fixed number of "
                             "seconds after the launch; a comma-separated list compares them in turn")
    parser.add_argument("--shapes", default="dual,single", help="which camera shapes to try: dual, single or both")
    parser.add_argument("--repeats", type=int, default=1, help="searches per shape; the median is printed too")
    args = parser.parse_args()
    global SPACING
    SPACING = args.spacing
    if not os.path.exists(VIGIL):
        sys.exit("build first: swift build -c release --product vigil")
    work = tempfile.mkdtemp(prefix="vigil-dual-")
    streams = {"main": os.path.join(work, "main1080.mp4"), "sub": os.path.join(work, "sub360.mp4")}
    encode(streams["main"], "1920:1080", "4M")
    encode(streams["sub"], "640:360", "512k")
    for name in ("main", "sub"):
        fps = decode_fps(streams[name], args.core)
        print(f"{name}: FFmpeg decode-only, 1 thread: {fps:.0f} fps = {fps / 25:.1f} streams of 25 fps per core")
    print(f"{'shape':52} {'cameras per core':>16}  trials (cameras: worst share of real-time frames, lag, clip seconds, largest worker's peak RSS)")
    shapes = (("dual", "640×360 sub analysed at 25 fps + 1080p main copied"), ("single", "1080p25 I+P decoded, analysed at 5 fps, clips on"))
    # Each combination of buffer length, width and model a search of its own, taken in turn within each repeat.
    buffers = [None if text in ("", "default") else int(text) for text in args.buffer.split(",")]
    widths = [int(text) for text in args.widths.split(",")]
    models = [None if text in ("", "default") else text for text in args.models.split(",")]
    starts = args.starts.split(",")
    variants = [(buffer, width, model, start) for buffer in buffers for width in widths for model in models for start in starts]
    for shape, name in [(shape, name) for shape, name in shapes if shape in args.shapes.split(",")]:
        labels = {}
        for buffer, width, model, start in variants:
            parts = (([] if len(buffers) == 1 else [f"buffer {buffer or 'default'}"]) + ([] if len(widths) == 1 else [f"{width} wide"])
                     + ([] if len(models) == 1 else [model or "default model"])
                     + ([] if len(starts) == 1 else ["window when all started" if start == "ready" else f"window from {start} s"]))
            labels[(buffer, width, model, start)] = ", ".join([name] + parts)
        results = {variant: [] for variant in variants}
        for repeat in range(args.repeats):
            for variant in variants:
                results[variant].append(search(shape, streams, args, work, *variant, labels[variant]))
        if args.repeats > 1:
            for variant, label in labels.items():
                print(f"{label:52} {'median ' + str(statistics.median(results[variant])):>16}  of {args.repeats} searches: {results[variant]}", flush=True)
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()

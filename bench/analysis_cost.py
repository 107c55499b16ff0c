#!/usr/bin/env python3
"""Full analysis against FFmpeg's own decoding, CPU time, on three 1080p H.264 clips (issue 17).

For each clip, N interleaved runs of `ffmpeg -threads 1 -i CLIP -f null -` and of
`vigil analyze CLIP --threads 1` (release build: decode, scale to 480-wide luma, motion, tracks
and rules on every frame), both pinned to one core with taskset. Reports medians of CPU time
(user + system from wait4), the ratio vigil/ffmpeg, and vigil's own time per stage (from its
--report, medians).

Vigil's decoder leaves out the deblocking filter on frames nothing refers to (B-frames); FFmpeg's
tool does not by default. So each run also times `ffmpeg -skip_loop_filter noref`, the same
decoding work as Vigil's, and the script prints the ratio against both.

Clips (made once under bench/out/):
- vtest-1080p-ip.mp4: vtest.avi (PETS 2009, people on a plaza) scaled to 1920×1080, 30 s,
  H.264 High with I and P frames only at 8 Mbit/s, a keyframe every 2 s (as IP cameras send);
- highway-1080p.mp4: ../shared/samples/highway-cctv.avi (real traffic) upscaled, crf 23;
- synthetic-1080p-500.mp4: `vigil synth --scene mixed` at 1080p (textured, noisy, moving objects).

Usage: python3 bench/analysis_cost.py [--runs 5] [--core 1] [--models consensus,adaptive] [--vigil A,B]
(--vigil: binaries to compare, interleaved in the same runs; default .build/release/vigil)
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
VIGIL = os.path.join(ROOT, ".build", "release", "vigil")


def cpu_of(argv):
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    errors = process.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(argv)}\n{errors[-2000:]}")
    return usage.ru_utime + usage.ru_stime


def clips():
    os.makedirs(OUT, exist_ok=True)
    made = []
    vtest = os.path.join(OUT, "vtest-1080p-ip.mp4")
    if not os.path.exists(vtest):
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "1", "-i",
                        os.path.join(ROOT, "SampleVideos", "real", "vtest.avi"), "-t", "30", "-vf", "scale=1920:1080", "-r", "25",
                        "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-b:v", "8M", "-maxrate", "8M",
                        "-bufsize", "16M", "-g", "50", "-bf", "0", "-pix_fmt", "yuv420p", vtest], check=True)
    made.append(vtest)
    highway = os.path.join(OUT, "highway-1080p.mp4")
    source = os.path.join(ROOT, "..", "shared", "samples", "highway-cctv.avi")
    if not os.path.exists(highway) and os.path.exists(source):
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", source, "-vf", "scale=1920:1080:flags=bicubic",
                        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", highway], check=True)
    if os.path.exists(highway):
        made.append(highway)
    synthetic = os.path.join(OUT, "synthetic-1080p-500.mp4")
    if not os.path.exists(synthetic):
        subprocess.run([VIGIL, "synth", synthetic, "--scene", "mixed", "--width", "1920", "--height", "1080",
                        "--frames", "500", "--crf", "23", "--seed", "11"], check=True, stdout=subprocess.DEVNULL)
    made.append(synthetic)
    return made


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--core", type=int, default=1)
    parser.add_argument("--models", default="default",
                        help="comma-separated motion models to run, interleaved (default: vigil's default; "
                             "e.g. consensus,adaptive)")
    parser.add_argument("--vigil", default=VIGIL, help="comma-separated vigil binaries, interleaved in the same runs")
    args = parser.parse_args()
    binaries = args.vigil.split(",")
    variants = [(binary, model) for binary in binaries for model in args.models.split(",")]
    pin = ["taskset", "-c", str(args.core)]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        report = os.path.join(work, "report.json")
        for clip in clips():
            ffmpeg, ffmpeg_noref = [], []
            vigil = {variant: [] for variant in variants}
            stages = {variant: {} for variant in variants}
            for _ in range(args.runs):
                ffmpeg.append(cpu_of(pin + ["ffmpeg", "-nostdin", "-threads", "1", "-i", clip, "-f", "null", "-"]))
                ffmpeg_noref.append(cpu_of(pin + ["ffmpeg", "-nostdin", "-threads", "1", "-skip_loop_filter", "noref",
                                                  "-i", clip, "-f", "null", "-"]))
                for binary, model in variants:
                    choice = [] if model == "default" else ["--motion-model", model]
                    vigil[(binary, model)].append(cpu_of(pin + [binary, "analyze", clip, "--threads", "1", "--report", report] + choice))
                    with open(report) as handle:
                        for stage, ms in json.load(handle)["stage_milliseconds_per_frame"].items():
                            stages[(binary, model)].setdefault(stage, []).append(ms)
            for key in variants:
                binary, model = key
                row = {"clip": os.path.basename(clip), "vigil": binary, "model": model, "runs": args.runs,
                       "ffmpeg_cpu_s": statistics.median(ffmpeg), "vigil_cpu_s": statistics.median(vigil[key]),
                       "ffmpeg_noref_cpu_s": statistics.median(ffmpeg_noref),
                       "ffmpeg_all": [round(v, 3) for v in ffmpeg], "ffmpeg_noref_all": [round(v, 3) for v in ffmpeg_noref],
                       "vigil_all": [round(v, 3) for v in vigil[key]],
                       "stage_ms": {stage: round(statistics.median(values), 4) for stage, values in stages[key].items()}}
                row["ratio"] = row["vigil_cpu_s"] / row["ffmpeg_cpu_s"]
                row["ratio_same_decode"] = row["vigil_cpu_s"] / row["ffmpeg_noref_cpu_s"]
                rows.append(row)
                print(f"{row['clip']} ({binary}, {model}): ffmpeg {row['ffmpeg_cpu_s']:.3f} s "
                      f"(skipping noref deblocking {row['ffmpeg_noref_cpu_s']:.3f} s), vigil {row['vigil_cpu_s']:.3f} s, "
                      f"ratio {row['ratio']:.3f} ({row['ratio_same_decode']:.3f} against the same decoding); "
                      f"vigil ms/frame {row['stage_ms']}", flush=True)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()

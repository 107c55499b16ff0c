#!/usr/bin/env python3
"""Ingest benchmark: `vigil analyze --analysis none` (decode + scale to 480-wide luma)
against FFmpeg's own decode-only run, `ffmpeg -threads N -i clip -f null -`, on the
same clip with the same decoder thread count, in the same run.

Reports medians of wall time and CPU time over several interleaved runs, the ratios
vigil/ffmpeg, and peak RSS of each (ru_maxrss from wait4, per process).

Vigil's decoder leaves out the deblocking filter on frames nothing refers to (B-frames, which
both clips have); since 2026-12-06 FFmpeg's run does the same (`-skip_loop_filter noref`, the
default of --ffmpeg-flags), so the ratios stay those of ingest's own overhead. Earlier figures
had both deblocking every frame; `--ffmpeg-flags ""` gives FFmpeg's plain decode.

Usage: bench/ingest.py [--runs 5] [--frames 500] [--threads 1,2] [--clip PATH ...] [--ffmpeg-flags FLAGS]
Without --clip it renders a 1080p25 H.264 synthetic clip (textured, noisy, moving
objects) with vigil itself, and also upscales ../shared/samples/highway-cctv.avi
to 1080p H.264 when that file exists.
"""
import argparse, json, os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
VIGIL = os.path.join(ROOT, ".build", "release", "vigil")


def run_measured(argv):
    """Runs argv, returns (wall seconds, cpu seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(argv)}\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def make_clips(frames):
    os.makedirs(OUT, exist_ok=True)
    clips = []
    synthetic = os.path.join(OUT, f"synthetic-1080p-{frames}.mp4")
    if not os.path.exists(synthetic):
        subprocess.run([VIGIL, "synth", synthetic, "--scene", "mixed", "--width", "1920", "--height", "1080",
                        "--frames", str(frames), "--crf", "23", "--seed", "11"], check=True, stdout=subprocess.DEVNULL)
    clips.append(synthetic)
    highway = os.path.join(ROOT, "..", "shared", "samples", "highway-cctv.avi")
    if os.path.exists(highway):
        upscaled = os.path.join(OUT, "highway-1080p.mp4")
        if not os.path.exists(upscaled):
            subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", highway, "-vf", "scale=1920:1080:flags=bicubic",
                            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", upscaled], check=True)
        clips.append(upscaled)
    return clips


def summarise(clip, threads, runs, filter_name, ffmpeg_samples, vigil_samples):
    row = {"clip": os.path.basename(clip), "threads": threads, "runs": runs, "scale_filter": filter_name}
    for name, values in (("ffmpeg", ffmpeg_samples), ("vigil", vigil_samples)):
        row[f"{name}_wall_s"] = statistics.median(v[0] for v in values)
        row[f"{name}_cpu_s"] = statistics.median(v[1] for v in values)
        row[f"{name}_rss_mib"] = max(v[2] for v in values)
        row[f"{name}_wall_all"] = [round(v[0], 3) for v in values]
    row["wall_ratio"] = row["vigil_wall_s"] / row["ffmpeg_wall_s"]
    row["cpu_ratio"] = row["vigil_cpu_s"] / row["ffmpeg_cpu_s"]
    row["rss_extra_mib"] = row["vigil_rss_mib"] - row["ffmpeg_rss_mib"]
    print(f"{row['clip']} threads={threads} filter={filter_name}: ffmpeg {row['ffmpeg_wall_s']:.3f} s wall / {row['ffmpeg_cpu_s']:.3f} s cpu, "
          f"vigil {row['vigil_wall_s']:.3f} s / {row['vigil_cpu_s']:.3f} s -> wall ratio {row['wall_ratio']:.3f}, "
          f"cpu ratio {row['cpu_ratio']:.3f}; RSS ffmpeg {row['ffmpeg_rss_mib']:.1f} MiB, vigil {row['vigil_rss_mib']:.1f} MiB", flush=True)
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--frames", type=int, default=500)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--clip", action="append")
    parser.add_argument("--filters", default="area,point", help="vigil --scale-filter values to measure")
    parser.add_argument("--ffmpeg-flags", default="-skip_loop_filter noref",
                        help="decoder options for FFmpeg's run (default: decode as Vigil does)")
    args = parser.parse_args()
    if not os.path.exists(VIGIL):
        subprocess.run(["swift", "build", "-c", "release", "--product", "vigil"], cwd=ROOT, check=True)
    clips = args.clip or make_clips(args.frames)
    results = []
    for clip in clips:
        for threads in [int(t) for t in args.threads.split(",")]:
            ffmpeg = ["ffmpeg", "-nostdin", "-v", "error", "-threads", str(threads)] + args.ffmpeg_flags.split() + \
                     ["-i", clip, "-f", "null", "-"]
            filters = args.filters.split(",")
            commands = {"ffmpeg": ffmpeg}
            for name in filters:
                commands["vigil-" + name] = [VIGIL, "analyze", clip, "--analysis", "none", "--threads", str(threads),
                                             "--no-progress", "--scale-filter", name]
            samples = {name: [] for name in commands}
            for command in commands.values():
                run_measured(command)  # warm the page cache
            for _ in range(args.runs):
                for name, command in commands.items():
                    samples[name].append(run_measured(command))
            for name in filters:
                results.append(summarise(clip, threads, args.runs, name, samples["ffmpeg"], samples["vigil-" + name]))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "ingest.json"), "w") as f:
        json.dump(results, f, indent=2)
    print("\n| clip | threads | vigil scale filter | ffmpeg wall s | vigil wall s | wall ratio | ffmpeg CPU s | vigil CPU s | CPU ratio | ffmpeg RSS MiB | vigil RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['clip']} | {r['threads']} | {r['scale_filter']} | {r['ffmpeg_wall_s']:.3f} | {r['vigil_wall_s']:.3f} | {r['wall_ratio']:.3f} | "
              f"{r['ffmpeg_cpu_s']:.3f} | {r['vigil_cpu_s']:.3f} | {r['cpu_ratio']:.3f} | {r['ffmpeg_rss_mib']:.1f} | {r['vigil_rss_mib']:.1f} |")


if __name__ == "__main__":
    main()

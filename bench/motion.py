#!/usr/bin/env python3
"""Motion benchmark: Vigil's motion step against OpenCV's MOG2 and KNN (plus KNN with a
5×5 median filter), on the same frames at the same size, in the same run.

For each synthetic scene (480×270, H.264 crf 18, exact truth from `vigil synth --truth`):
  - accuracy: pixel F-measure against the truth masks over frames 30…end (all methods
    skip the same warm-up); for scenes with no objects, false-positive pixels per frame;
  - cost: milliseconds per frame of the motion step alone, median of --runs runs. Vigil's
    comes from `vigil analyze --report` (stage analysis_motion); OpenCV's from timing
    apply() with cv2.setNumThreads(1) and with OpenCV's default thread count.
OpenCV shadows (value 127) count as background.

Needs opencv-python-headless and numpy, in a virtualenv used only here:
  python3 -m venv bench/.venv && bench/.venv/bin/pip install opencv-python-headless numpy
  bench/.venv/bin/python bench/motion.py [--runs 5] [--frames 250]
"""
import argparse, json, os, statistics, subprocess, tempfile, time

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIGIL = os.path.join(ROOT, ".build", "release", "vigil")
# (row label, synthetic scene, extra `vigil analyze` flags)
SCENES = [("people", "people", []), ("traffic", "traffic", []), ("mixed", "mixed", []), ("shadows", "shadows", []),
          ("shadows, adaptive --shadows", "shadows", ["--motion-model", "adaptive", "--shadows"]), ("lights", "lights", []), ("sway", "sway", [])]
SKIP = 30


def read_gray_frames(path):
    capture = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    return frames


def score(masks, truths):
    tp = fp = fn = 0
    for predicted, actual in zip(masks[SKIP:], truths[SKIP:]):
        p, a = predicted > 200, actual > 0
        tp += int(np.count_nonzero(p & a)); fp += int(np.count_nonzero(p & ~a)); fn += int(np.count_nonzero(~p & a))
    precision = tp / max(1, tp + fp); recall = tp / max(1, tp + fn)
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f": f, "precision": precision, "recall": recall, "fp_per_frame": fp / max(1, len(masks) - SKIP)}


def opencv_run(make, frames, median=False):
    subtractor = make()
    masks, start = [], time.perf_counter()
    for frame in frames:
        mask = subtractor.apply(frame)
        if median:
            mask = cv2.medianBlur(mask, 5)
        masks.append(mask)
    return masks, (time.perf_counter() - start) * 1000 / len(frames)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--frames", type=int, default=250)
    args = parser.parse_args()
    if not os.path.exists(VIGIL):
        subprocess.run(["swift", "build", "-c", "release", "--product", "vigil"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="vigil-motion-")
    default_threads = cv2.getNumThreads()
    rows = []
    for label, scene, flags in SCENES:
        clip, truth_dir = os.path.join(work, scene + ".mp4"), os.path.join(work, scene + "-truth")
        subprocess.run([VIGIL, "synth", clip, "--scene", scene, "--seed", "21", "--frames", str(args.frames), "--crf", "18",
                        "--truth", truth_dir], check=True, stdout=subprocess.DEVNULL)
        frames = read_gray_frames(clip)
        truths = [cv2.imread(os.path.join(truth_dir, "masks", f"{i:06d}.png"), cv2.IMREAD_GRAYSCALE) for i in range(len(frames))]
        row = {"scene": label, "frames": len(frames)}
        vigil_times = []
        for run in range(args.runs):
            masks_dir = os.path.join(work, f"{scene}-masks")
            report = os.path.join(work, f"{scene}-report.json")
            # One decoder thread: decoding then runs between frames instead of competing with the
            # motion step for the two cores, as OpenCV's timings see pre-decoded frames.
            command = [VIGIL, "analyze", clip, "--no-progress", "--threads", "1", "--report", report] + flags + (["--masks-out", masks_dir] if run == 0 else [])
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            vigil_times.append(json.load(open(report))["stage_milliseconds_per_frame"]["analysis_motion"])
        vigil_masks = [cv2.imread(os.path.join(work, f"{scene}-masks", f"{i:06d}.png"), cv2.IMREAD_GRAYSCALE) for i in range(len(frames))]
        row["vigil"] = {**score(vigil_masks, truths), "ms": statistics.median(vigil_times)}
        methods = {
            "mog2": (lambda: cv2.createBackgroundSubtractorMOG2(), False),
            "knn": (lambda: cv2.createBackgroundSubtractorKNN(), False),
            "knn_median": (lambda: cv2.createBackgroundSubtractorKNN(), True),
        }
        for name, (make, median) in methods.items():
            result = {}
            for threads, key in ((1, "ms_1_thread"), (default_threads, "ms_default_threads")):
                cv2.setNumThreads(threads)
                timings = []
                for _ in range(args.runs):
                    masks, ms = opencv_run(make, frames, median)
                    timings.append(ms)
                result[key] = statistics.median(timings)
            result.update(score(masks, truths))
            row[name] = result
        cv2.setNumThreads(default_threads)
        rows.append(row)
        v, m, k = row["vigil"], row["mog2"], row["knn_median"]
        print(f"{label}: vigil F {v['f']:.3f} fp/frame {v['fp_per_frame']:.0f} {v['ms']:.3f} ms | "
              f"MOG2 F {m['f']:.3f} fp/frame {m['fp_per_frame']:.0f} {m['ms_1_thread']:.3f} ms (1 thread) {m['ms_default_threads']:.3f} ms ({default_threads}) | "
              f"KNN+median F {k['f']:.3f} fp/frame {k['fp_per_frame']:.0f} | KNN F {row['knn']['f']:.3f}", flush=True)
    # Real footage with no object: tree.avi frames 20-52 (a swaying tree; a hand enters at 53).
    tree = os.path.join(ROOT, "SampleVideos", "real", "tree.avi")
    if os.path.exists(tree):
        frames = read_gray_frames(tree)[:53]
        masks_dir = os.path.join(work, "tree-masks")
        subprocess.run([VIGIL, "analyze", tree, "--no-progress", "--masks-out", masks_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        def false_per_frame(masks):
            return statistics.mean(int(np.count_nonzero(m[:, :] > 200)) for m in masks[20:53])
        vigil_masks = [cv2.imread(os.path.join(masks_dir, f"{i:06d}.png"), cv2.IMREAD_GRAYSCALE) for i in range(53)]
        tree_row = {"scene": "tree.avi 20-52 (real, no object)", "vigil_fp": false_per_frame(vigil_masks)}
        for name, (make, median) in {"mog2": (lambda: cv2.createBackgroundSubtractorMOG2(), False),
                                      "knn_median": (lambda: cv2.createBackgroundSubtractorKNN(), True)}.items():
            masks, _ = opencv_run(make, frames, median)
            tree_row[name + "_fp"] = false_per_frame(masks)
        print(f"\n| real clip | Vigil FP px/frame | MOG2 FP px/frame | KNN+median FP px/frame |\n|---|---|---|---|\n"
              f"| {tree_row['scene']} (320×240 = 76,800 px) | {tree_row['vigil_fp']:.0f} | {tree_row['mog2_fp']:.0f} | {tree_row['knn_median_fp']:.0f} |")
    else:
        tree_row = None
    os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
    json.dump({"scenes": rows, "tree": tree_row}, open(os.path.join(ROOT, "bench", "out", "motion.json"), "w"), indent=2)
    print(f"\nOpenCV {cv2.__version__}, default threads {default_threads}\n")
    print("| scene | Vigil F | MOG2 F | KNN F | KNN+median F | Vigil FP px/frame | MOG2 FP | KNN+median FP | Vigil ms | MOG2 ms 1 thread | MOG2 ms default | KNN ms 1 thread | Vigil / MOG2 (1 thread) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        v, m, k, km = r["vigil"], r["mog2"], r["knn"], r["knn_median"]
        print(f"| {r['scene']} | {v['f']:.3f} | {m['f']:.3f} | {k['f']:.3f} | {km['f']:.3f} | {v['fp_per_frame']:.0f} | {m['fp_per_frame']:.0f} | "
              f"{km['fp_per_frame']:.0f} | {v['ms']:.3f} | {m['ms_1_thread']:.3f} | {m['ms_default_threads']:.3f} | {k['ms_1_thread']:.3f} | {v['ms'] / m['ms_1_thread']:.2f} |")
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Motion on real, hand-annotated footage: Vigil's background models against the classical
anchors, on every sequence of ../shared/datasets/motion/, in one run.

Every method sees the same decoded frames (FFmpeg's H.264 decoder, native size): Vigil its
luma (it analyses grey frames), the OpenCV and BGSLibrary anchors the colour picture, which is
what they are built for. Scoring follows the dataset README: per pixel over the evaluated
frames and the ROI, 170 = unknown left out, counts summed over frames; OpenCV's shadow label
(127) counts as background; every method gets the same warm-up (the frames before
`evaluate.first`).

Time is the motion step alone in ms per frame, one thread for everyone
(cv2.setNumThreads(1); Vigil's model runs on the calling thread), median of --runs runs.

Needs a virtualenv with opencv-python-headless, numpy and pybgs (pybgs builds from source
against Debian's libopencv-dev and cmake, about two minutes on two cores):
  apt-get install libopencv-dev cmake
  python3 -m venv bench/.venv && bench/.venv/bin/pip install opencv-python-headless numpy pybgs
  swift build -c release --product vigil-bench
  bench/.venv/bin/python bench/motion_datasets.py [--runs 3] [--skip-slow]
"""
import argparse, json, os, statistics, subprocess, sys, time

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, ".build", "release", "vigil-bench")
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "datasets", "motion"))
SEQUENCES = ["HighwayII", "CAVIAR1", "HallAndMonitor", "Candela_m1.10", "Board"]
VIGIL_MODELS = ["consensus", "adaptive"]


def load(name):
    folder = os.path.join(DATA, name)
    meta = json.load(open(os.path.join(folder, "sequence.json")))
    w, h = meta["width"], meta["height"]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", os.path.join(folder, "input.mp4"), "-f", "rawvideo",
                          "-pix_fmt", "bgr24", "-"], check=True, capture_output=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)
    truth = [cv2.imread(os.path.join(folder, "gt", "%06d.png" % i), cv2.IMREAD_GRAYSCALE) for i in range(meta["frames"])]
    roi_path = os.path.join(folder, "ROI.png")
    roi = cv2.imread(roi_path, cv2.IMREAD_GRAYSCALE) > 127 if os.path.exists(roi_path) else np.ones((h, w), bool)
    return frames, truth, roi, meta["evaluate"]["first"], meta["evaluate"]["last"]


def score(masks, truth, roi, first, last):
    tp = fp = fn = 0
    for index in range(first, last + 1):
        actual, predicted = truth[index], masks[index] > 127
        scored = roi & (actual != 170)
        moving = actual == 255
        tp += int(np.count_nonzero(predicted & moving & scored))
        fp += int(np.count_nonzero(predicted & ~moving & scored))
        fn += int(np.count_nonzero(~predicted & moving & scored))
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    return {"f": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r}


def opencv(kind, median):
    def make():
        model = cv2.createBackgroundSubtractorMOG2() if kind == "mog2" else cv2.createBackgroundSubtractorKNN()
        def step(frame):
            mask = model.apply(frame)
            mask = np.where(mask == 255, 255, 0).astype(np.uint8)
            return cv2.medianBlur(mask, 5) if median else mask
        return step
    return make


def bgslibrary(kind):
    def make():
        import pybgs
        model = getattr(pybgs, kind)()
        return model.apply
    return make


ANCHORS = [("OpenCV MOG2", opencv("mog2", False), False), ("OpenCV MOG2 + 5×5 median", opencv("mog2", True), False),
           ("OpenCV KNN", opencv("knn", False), False), ("OpenCV KNN + 5×5 median", opencv("knn", True), False),
           ("BGSLibrary SuBSENSE", bgslibrary("SuBSENSE"), True), ("BGSLibrary PAWCS", bgslibrary("PAWCS"), True)]


def run_anchor(make, frames):
    step = make()
    masks, seconds = [], 0.0
    for frame in frames:
        start = time.perf_counter()
        mask = step(frame)
        seconds += time.perf_counter() - start
        if mask.ndim == 3:
            mask = mask[:, :, 0]
        masks.append(mask)
    return masks, seconds * 1000 / len(frames)


def run_vigil(model, runs, name):
    out = subprocess.run([BENCH, "motion-datasets", DATA, model, str(runs), name], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    start = os.getcwd()
    # BGSLibrary reads and writes its settings under ./config: keep that out of the checkout.
    os.makedirs(os.path.join(ROOT, "bench", "out", "bgslibrary", "config"), exist_ok=True)
    os.chdir(os.path.join(ROOT, "bench", "out", "bgslibrary"))
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-slow", action="store_true", help="leave out SuBSENSE and PAWCS")
    parser.add_argument("--json", help="also write every row here")
    args = parser.parse_args()
    if args.json:
        args.json = os.path.abspath(os.path.join(start, args.json))
    cv2.setNumThreads(1)
    rows = []
    for name in SEQUENCES:
        frames, truth, roi, first, last = load(name)
        h, w = frames.shape[1:3]
        for model in VIGIL_MODELS:
            result = run_vigil(model, args.runs, name)
            rows.append({"sequence": name, "method": "Vigil " + model, "f": result["f"], "precision": result["precision"],
                         "recall": result["recall"], "ms": result["ms_per_frame"], "size": "%d×%d" % (w, h)})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        for label, make, slow in ANCHORS:
            if slow and args.skip_slow:
                continue
            times, masks = [], None
            for _ in range(args.runs):
                masks, ms = run_anchor(make, frames)
                times.append(ms)
            rows.append({"sequence": name, "method": label, **score(masks, truth, roi, first, last),
                         "ms": statistics.median(times), "size": "%d×%d" % (w, h)})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    methods = list(dict.fromkeys(row["method"] for row in rows))
    print("\n| method | " + " | ".join(SEQUENCES) + " | mean F | ms/frame (per sequence) |")
    print("|---|" + "---|" * (len(SEQUENCES) + 2))
    for method in methods:
        mine = {row["sequence"]: row for row in rows if row["method"] == method}
        cells = ["%.3f (%.2f, %.2f)" % (mine[s]["f"], mine[s]["precision"], mine[s]["recall"]) for s in SEQUENCES]
        mean = statistics.mean(mine[s]["f"] for s in SEQUENCES)
        times = " / ".join("%.2f" % mine[s]["ms"] for s in SEQUENCES)
        print("| %s | %s | **%.3f** | %s |" % (method, " | ".join(cells), mean, times))
    # The time target: each Vigil model's motion step against single-thread MOG2 on
    # the same frames, in this run.
    mog2 = {row["sequence"]: row["ms"] for row in rows if row["method"] == "OpenCV MOG2"}
    print("\n| time / OpenCV MOG2 | " + " | ".join(SEQUENCES) + " | median |")
    print("|---|" + "---|" * (len(SEQUENCES) + 1))
    for model in VIGIL_MODELS:
        ratios = [row["ms"] / mog2[row["sequence"]] for row in rows if row["method"] == "Vigil " + model]
        print("| Vigil %s | %s | %.2f |" % (model, " | ".join("%.2f" % r for r in ratios), statistics.median(ratios)))
    if args.json:
        json.dump(rows, open(args.json, "w"), indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()

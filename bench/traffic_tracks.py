#!/usr/bin/env python3
"""Vehicles in dense traffic: Vigil's confirmed tracks against every boxed vehicle of
../shared/datasets/traffic/, next to plain blobs (connected components) of Vigil's own mask and
of OpenCV MOG2 with a 5x5 median, all in one run (issue 13).

Scoring follows the dataset README: per frame from --first on (a warm-up for every method),
each of a method's boxes is matched greedily, best IoU first, to at most one ground-truth box
with IoU >= 0.3; precision, recall and F over all those frames, and the mean absolute error of
the number of boxes per frame against the number of vehicles boxed.

Vigil runs as a new user would: `vigil analyze input.mp4 --tracks-out T --masks-out M
--motion-model MODEL` with no camera config (no perspective, default analysis width), once per
background model. `--tracks-out` holds the confirmed tracks in view in each frame, and each
one's sightings from before it was confirmed (MOTChallenge CSV, source pixels). Blobs smaller than --min-area of the frame (default 0.01 %) are left out
for both blob rows (a far car on m30-hd is about 8×6 px of 1200×720); tracks are not filtered.
`--source-width` adds rows for each model analysed at the clip's own width (`--width W`), as an
integrator would set for a camera that watches far vehicles: at the default width most of
m30-hd's vehicles are 2-6 px wide. `--width W` (repeatable) adds rows at that analysis width,
for what a smaller, cheaper analysis frame costs in accuracy. `--configured` adds rows for each
clip run as a configured camera (bench/data/traffic-CLIP.yaml: a perspective read off frame 0's
boxed vehicles), at the default width and at each width asked for.

Needs a virtualenv with opencv-python-headless and numpy, and a release build of vigil:
  python3 -m venv bench/.venv && bench/.venv/bin/pip install opencv-python-headless numpy
  swift build -c release --product vigil
  bench/.venv/bin/python bench/traffic_tracks.py [--first 30] [--json out.json]
"""
import argparse, json, os, statistics, subprocess, tempfile

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIGIL = os.environ.get("VIGIL", os.path.join(ROOT, ".build", "release", "vigil"))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "datasets", "traffic"))
CLIPS = ["us101-seq3", "m30-hd"]
MODELS = ["adaptive", "consensus"]


def iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = min(ax + aw, bx + bw) - max(ax, bx)
    h = min(ay + ah, by + bh) - max(ay, by)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / (aw * ah + bw * bh - inter)


def match(predicted, truth, threshold=0.3):
    """Greedy one-to-one matching, best IoU first; returns the number of matched pairs."""
    pairs = sorted(((iou(p, t), i, j) for i, p in enumerate(predicted) for j, t in enumerate(truth)), reverse=True)
    used_p, used_t, matched = set(), set(), 0
    for value, i, j in pairs:
        if value < threshold:
            break
        if i in used_p or j in used_t:
            continue
        used_p.add(i)
        used_t.add(j)
        matched += 1
    return matched


def score(boxes_by_frame, truth, first, frames):
    tp = fp = fn = 0
    errors = []
    for frame in range(first, frames):
        predicted = boxes_by_frame.get(frame, [])
        actual = truth.get(str(frame), [])
        m = match(predicted, actual)
        tp += m
        fp += len(predicted) - m
        fn += len(actual) - m
        errors.append(abs(len(predicted) - len(actual)))
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    return {"precision": p, "recall": r, "f": 2 * p * r / (p + r) if p + r else 0.0,
            "count_error": statistics.mean(errors), "vehicles": statistics.mean(len(truth.get(str(f), [])) for f in range(first, frames))}


def components(mask, min_area, scale=(1.0, 1.0)):
    count, _, stats, _ = cv2.connectedComponentsWithStats((mask > 127).astype(np.uint8), connectivity=8)
    sx, sy = scale
    return [[stats[i, 0] * sx, stats[i, 1] * sy, stats[i, 2] * sx, stats[i, 3] * sy]
            for i in range(1, count) if stats[i, 4] * sx * sy >= min_area]


def vigil(clip, model, min_area, width, height, analysis_width=None, config=None):
    with tempfile.TemporaryDirectory() as folder:
        tracks, masks = os.path.join(folder, "tracks.txt"), os.path.join(folder, "masks")
        extra = ["--width", str(analysis_width)] if analysis_width else []
        if config:
            extra += ["--config", config, "--camera", "road"]
        subprocess.run([VIGIL, "analyze", clip, "--no-progress", "--motion-model", model, "--tracks-out", tracks,
                        "--masks-out", masks] + extra, check=True, capture_output=True)
        by_frame = {}
        for line in open(tracks):
            fields = line.strip().split(",")
            by_frame.setdefault(int(fields[0]) - 1, []).append([float(v) for v in fields[2:6]])
        blobs = {}
        for name in sorted(os.listdir(masks)):
            mask = cv2.imread(os.path.join(masks, name), cv2.IMREAD_GRAYSCALE)
            blobs[int(name.split(".")[0])] = components(mask, min_area, (width / mask.shape[1], height / mask.shape[0]))
        return by_frame, blobs


def mog2(clip, min_area):
    capture = cv2.VideoCapture(clip)
    model = cv2.createBackgroundSubtractorMOG2()
    blobs, frame_index = {}, 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        mask = model.apply(frame)
        mask = cv2.medianBlur(np.where(mask == 255, 255, 0).astype(np.uint8), 5)
        blobs[frame_index] = components(mask, min_area)
        frame_index += 1
    return blobs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--first", type=int, default=30, help="first scored frame (warm-up before it)")
    parser.add_argument("--min-area", type=float, default=0.0001, help="smallest blob, as a fraction of the frame")
    parser.add_argument("--json", help="also write every row here")
    parser.add_argument("--source-width", action="store_true", help="also analyse each clip at its own width")
    parser.add_argument("--width", type=int, action="append", default=[],
                        help="also analyse each clip at this width (repeatable), e.g. 320 to see what a smaller analysis frame costs")
    parser.add_argument("--configured", action="store_true",
                        help="also run each clip as a configured camera (bench/data/traffic-CLIP.yaml: its perspective)")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    rows = []
    for name in CLIPS:
        folder = os.path.join(DATA, name)
        truth = json.load(open(os.path.join(folder, "gt.json")))
        clip = os.path.join(folder, "input.mp4")
        w, h, frames = truth["width"], truth["height"], truth["frames"]
        min_area = args.min_area * w * h
        methods = []
        config = os.path.join(ROOT, "bench", "data", "traffic-%s.yaml" % name)
        for model in MODELS:
            for configured in [False] + ([True] if args.configured else []):
                how = model + (", perspective" if configured else "")
                for width in [None] + ([w] if args.source_width else []) + args.width:
                    at = "" if width is None else " at source width" if args.source_width and width == w else " at %d wide" % width
                    tracks, blobs = vigil(clip, model, min_area, w, h, analysis_width=width, config=config if configured else None)
                    methods += [("Vigil %s%s: confirmed tracks" % (how, at), tracks),
                                ("Vigil %s%s: blobs of its mask" % (how, at), blobs)]
        methods.append(("OpenCV MOG2 + 5x5 median: blobs", mog2(clip, min_area)))
        for label, boxes in methods:
            rows.append({"clip": name, "method": label, **score(boxes, truth["boxes"], args.first, frames)})
            print(json.dumps(rows[-1]), flush=True)
    print("\n| method | " + " | ".join("%s F (P, R) | %s count error" % (c, c) for c in CLIPS) + " |")
    print("|---|" + "---|---|" * len(CLIPS))
    for label in dict.fromkeys(row["method"] for row in rows):
        cells = []
        for clip in CLIPS:
            row = next(r for r in rows if r["method"] == label and r["clip"] == clip)
            cells.append("%.2f (%.2f, %.2f) | %.1f of %.1f" % (row["f"], row["precision"], row["recall"], row["count_error"], row["vehicles"]))
        print("| %s | %s |" % (label, " | ".join(cells)))
    if args.json:
        json.dump(rows, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()

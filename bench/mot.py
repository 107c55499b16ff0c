#!/usr/bin/env python3
"""Track quality on real footage: Vigil's tracks on vtest.avi (PETS 2009 S2.L1) against our own
annotation of frames 0-300 (bench/data/vtest-keyframes.json: boxes read by eye every 10th
frame, interpolated linearly between; `--last 80` scores frames 0-80 only, as earlier sessions
did; `--first`/`--last` score a span), scored with py-motmetrics (CLEAR MOT and IDF1).

People are about 25-45 px wide and the hand-read boxes are good to a few pixels, so the
scores are given at the usual IoU >= 0.5 and at a lenient IoU >= 0.3. Only the plaza is
annotated: hypotheses whose feet are above y = 140 (the far footpath) are left out.

Needs py-motmetrics in the benchmark's virtualenv:
  python3 -m venv bench/.venv && bench/.venv/bin/pip install opencv-python-headless numpy motmetrics
  bench/.venv/bin/python bench/mot.py [--draw FRAME]
Two Vigil runs: with defaults, and as the camera of bench/data/vtest.yaml (a perspective and
`tracking: { split_groups: true }`); --draw shows the second.
"""
import argparse, json, os, subprocess, tempfile

import motmetrics as mm
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIGIL = os.environ.get("VIGIL", os.path.join(ROOT, ".build", "release", "vigil"))
CLIP = os.path.join(ROOT, "SampleVideos", "real", "vtest.avi")
HORIZON = 140


def ground_truth():
    spec = json.load(open(os.path.join(ROOT, "bench", "data", "vtest-keyframes.json")))
    first, last = spec["frames"]
    truth = {frame: [] for frame in range(first, last + 1)}
    for number, (name, keys) in enumerate(sorted(spec["people"].items()), start=1):
        frames = sorted(int(k) for k in keys)
        # Spans between null keyframes (out of view); a person is interpolated within each.
        spans, current = [], []
        for frame in frames:
            if keys[str(frame)] is None:
                spans.append(current)
                current = []
            else:
                current.append(frame)
        spans.append(current)
        for span in spans:
            if len(span) == 1:
                truth[span[0]].append((number, keys[str(span[0])]))
            for a, b in zip(span, span[1:]):
                for frame in range(a, b + (1 if b == span[-1] else 0)):
                    t = (frame - a) / (b - a)
                    box = [keys[str(a)][i] + (keys[str(b)][i] - keys[str(a)][i]) * t for i in range(4)]
                    truth[frame].append((number, box))
    return truth


def vigil_tracks(directory, configured, analysis_width=None, model=None):
    tracks_path = os.path.join(directory, "tracks.txt")
    source = ["--config", os.path.join(ROOT, "bench", "data", "vtest.yaml"), "--camera", "plaza"] if configured else [CLIP]
    subprocess.run([VIGIL, "analyze", *source, "--no-progress", "--tracks-out", tracks_path]
                   + ([] if analysis_width is None else ["--width", str(analysis_width)])
                   + ([] if model is None else ["--motion-model", model]), check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    hypotheses = {}
    for line in open(tracks_path):
        frame, track, left, top, width, height = line.split(",")[:6]
        frame, box = int(frame) - 1, [float(left), float(top), float(width), float(height)]
        if box[1] + box[3] >= HORIZON:
            hypotheses.setdefault(frame, []).append((int(track), box))
    return hypotheses


def iou_distances(objects, hypotheses, max_distance):
    """1 - IoU, NaN where the overlap is too small to pair (motmetrics' own helper needs NumPy < 2)."""
    distances = np.full((len(objects), len(hypotheses)), np.nan)
    for i, (x, y, w, h) in enumerate(objects):
        for j, (u, v, p, q) in enumerate(hypotheses):
            iw = min(x + w, u + p) - max(x, u)
            ih = min(y + h, v + q) - max(y, v)
            overlap = iw * ih if iw > 0 and ih > 0 else 0.0
            iou = overlap / (w * h + p * q - overlap)
            if 1 - iou <= max_distance:
                distances[i, j] = 1 - iou
    return distances


def score(truth, hypotheses, max_distance):
    accumulator = mm.MOTAccumulator(auto_id=True)
    for frame, people in sorted(truth.items()):
        found = hypotheses.get(frame, [])
        distances = iou_distances([b for _, b in people], [b for _, b in found], max_distance)
        accumulator.update([i for i, _ in people], [i for i, _ in found], distances)
    metrics = ["mota", "motp", "idf1", "precision", "recall", "num_switches", "num_false_positives", "num_misses", "mostly_tracked", "num_unique_objects"]
    return mm.metrics.create().compute(accumulator, metrics=metrics, name="vigil")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--first", type=int, help="score frames from this one only (default: every annotated frame)")
    parser.add_argument("--last", type=int, help="score frames up to this one only (default: every annotated frame)")
    parser.add_argument("--width", type=int, help="analyse at this width instead of the default (e.g. 320: what a smaller frame costs)")
    parser.add_argument("--motion-model", help="consensus or adaptive instead of the camera's (default: consensus)")
    parser.add_argument("--draw", type=int, help="write bench/out/vtest-FRAME.png with the annotation (white) and Vigil's tracks (black)")
    args = parser.parse_args()
    if not os.path.exists(VIGIL):
        subprocess.run(["swift", "build", "-c", "release", "--product", "vigil"], cwd=ROOT, check=True)
    truth = ground_truth()
    truth = {frame: boxes for frame, boxes in truth.items()
             if (args.first is None or frame >= args.first) and (args.last is None or frame <= args.last)}
    runs = {}
    for configured in (False, True):
        with tempfile.TemporaryDirectory() as directory:
            runs[configured] = vigil_tracks(directory, configured, args.width, args.motion_model)
    hypotheses = runs[True]
    if args.draw is not None:
        import cv2
        capture = cv2.VideoCapture(CLIP)
        capture.set(cv2.CAP_PROP_POS_FRAMES, args.draw)
        ok, image = capture.read()
        for _, (x, y, w, h) in truth.get(args.draw, []):
            cv2.rectangle(image, (int(x), int(y)), (int(x + w), int(y + h)), (255, 255, 255), 1)
        for track, (x, y, w, h) in hypotheses.get(args.draw, []):
            cv2.rectangle(image, (int(x), int(y)), (int(x + w), int(y + h)), (0, 0, 0), 1)
            cv2.putText(image, str(track), (int(x), int(y) - 2), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1)
        os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
        cv2.imwrite(os.path.join(ROOT, "bench", "out", f"vtest-{args.draw}.png"), image)
    first, last = min(truth), max(truth)
    people = len({number for boxes in truth.values() for number, _ in boxes})
    print(f"vtest.avi frames {first}-{last}{'' if args.width is None else f', analysed {args.width} wide'}{'' if args.motion_model is None else f', {args.motion_model} model'}, {sum(len(v) for v in truth.values())} annotated boxes of {people} people")
    print("| Vigil run | IoU threshold | MOTA | MOTP (1-IoU) | IDF1 | precision | recall | ID switches | false positives | misses | mostly tracked |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for configured, threshold in ((False, 0.5), (False, 0.3), (True, 0.5), (True, 0.3)):
        row = score(truth, runs[configured], 1 - threshold).iloc[0]
        label = "perspective + split_groups (bench/data/vtest.yaml)" if configured else "defaults"
        print(f"| {label} | {threshold} | {row.mota:.3f} | {row.motp:.3f} | {row.idf1:.3f} | {row.precision:.3f} | {row.recall:.3f} | "
              f"{int(row.num_switches)} | {int(row.num_false_positives)} | {int(row.num_misses)} | {int(row.mostly_tracked)} of {int(row.num_unique_objects)} |")


if __name__ == "__main__":
    main()

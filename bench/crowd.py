#!/usr/bin/env python3
"""People counts on real footage: Vigil's crowd estimator against OpenCV's HOG people
detector and counting MOG2 blobs, on PETS 2009 S2.L1 (Debian's vtest.avi) and my own
per-frame counts (bench/data/vtest-counts.jsonl: 40 frames, every 20th).

Split in time: frames 0-380 calibrate; two test sets: A, frames 400-780 (every 20th, the
test while the estimator was developed, so its figures are no longer blind), and B, frames
410-790 (bench/data/vtest-counts-fresh.jsonl, counted later, before the `units` feature and
before any method ran on them). Every method counts
people whose feet are on the plaza (below y = 140 of 576). Reported per method: mean
absolute error per test frame, bias (mean of estimate - truth), time per frame.
  - Vigil, default model (perspective only, no calibration), and Vigil calibrated with
    `vigil calibrate` on the first half;
  - HOG: cv2.HOGDescriptor_getDefaultPeopleDetector, the frame upscaled 1.6x so that a
    person (75-100 px here) fills the 64x128 window, detections with NMS; raw, and with a
    linear correction a + b*count fitted on the first half;
  - MOG2 blobs: BackgroundSubtractorMOG2 (shadows removed), opening and closing, connected
    components of at least 150 px; raw and linearly corrected in the same way.

Needs OpenCV 4.x (5.0 dropped the HOG detector):
  python3 -m venv bench/.venv4 && bench/.venv4/bin/pip install "opencv-python-headless<5" numpy
Usage: bench/.venv4/bin/python bench/crowd.py [--vigil .build/release/vigil]
"""
import argparse, json, os, subprocess, sys, tempfile, time

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIP = os.path.join(ROOT, "SampleVideos", "real", "vtest.avi")
COUNTS = os.path.join(ROOT, "bench", "data", "vtest-counts.jsonl")
FRESH = os.path.join(ROOT, "bench", "data", "vtest-counts-fresh.jsonl")
CONFIG = os.path.join(ROOT, "bench", "data", "vtest-crowd.yaml")
PLAZA_Y = 140
SPLIT = 400


def read_counts(path=COUNTS):
    counts = {}
    with open(path) as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                record = json.loads(line)
                counts[record["frame"]] = record["count"]
    return counts


def summary(name, estimates, counts, test_sets, seconds_per_frame):
    row = {"method": name, "ms_per_frame": round(seconds_per_frame * 1000, 3)}
    for label, frames in test_sets:
        errors = [estimates[f] - counts[f] for f in frames]
        row[label] = (sum(abs(e) for e in errors) / len(errors), sum(errors) / len(errors))
    return row


def linear_fit(raw, counts, frames):
    x = np.array([raw[f] for f in frames], dtype=float)
    y = np.array([counts[f] for f in frames], dtype=float)
    b, a = np.polyfit(x, y, 1)
    return lambda value: max(0.0, a + b * value)


def vigil_counts(vigil, model=None):
    work = tempfile.mkdtemp(prefix="vigil-crowd-")
    frames_out = os.path.join(work, "frames.jsonl")
    command = [vigil, "analyze", CLIP, "--config", CONFIG, "--camera", "plaza", "--frames-out", frames_out,
               "--report", os.path.join(work, "report.json"), "--no-progress"]
    if model:
        command += ["--crowd-model", model]
    subprocess.run(command, check=True, capture_output=True)
    estimates = {}
    with open(frames_out) as handle:
        for line in handle:
            record = json.loads(line)
            if "zone_people" in record:
                estimates[record["frame"]] = record["zone_people"]["plaza"]
    with open(os.path.join(work, "report.json")) as handle:
        report = json.load(handle)
    stages = report["stage_milliseconds_per_frame"]
    subprocess.run(["rm", "-rf", work])
    return estimates, stages


def hog_counts(frames):
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    capture = cv2.VideoCapture(CLIP)
    wanted, estimates, seconds, index = set(frames), {}, 0.0, 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        if index in wanted:
            started = time.perf_counter()
            scale = 1.6
            big = cv2.resize(frame, None, fx=scale, fy=scale)
            boxes, weights = hog.detectMultiScale(big, winStride=(8, 8), padding=(8, 8), scale=1.05)
            kept = []
            if len(boxes):
                keep = cv2.dnn.NMSBoxes([list(map(int, b)) for b in boxes], [float(w) for w in np.ravel(weights)], 0.0, 0.4)
                kept = [boxes[i] for i in np.ravel(keep)]
            seconds += time.perf_counter() - started
            estimates[index] = sum(1 for (x, y, w, h) in kept if (y + h) / scale > PLAZA_Y)
        index += 1
    return estimates, seconds / len(frames)


def mog2_counts(frames):
    capture = cv2.VideoCapture(CLIP)
    subtractor = cv2.createBackgroundSubtractorMOG2(detectShadows=True)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    wanted, estimates, seconds, analysed, index = set(frames), {}, 0.0, 0, 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        started = time.perf_counter()
        mask = subtractor.apply(frame)
        mask = np.where(mask == 255, 255, 0).astype(np.uint8)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel, iterations=2)
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
        people = sum(1 for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= 150
                     and stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT] > PLAZA_Y)
        seconds += time.perf_counter() - started
        analysed += 1
        if index in wanted:
            estimates[index] = people
        index += 1
    return estimates, seconds / analysed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", default=os.path.join(ROOT, ".build", "release", "vigil"))
    args = parser.parse_args()
    cv2.setNumThreads(1)
    counts = read_counts()
    fresh = read_counts(FRESH)
    train = [f for f in sorted(counts) if f < SPLIT]
    test_sets = [("A", [f for f in sorted(counts) if f >= SPLIT]), ("B", sorted(fresh))]
    counts.update(fresh)
    everything = sorted(counts)
    results = []
    work = tempfile.mkdtemp(prefix="vigil-calibrate-")

    default, stages = vigil_counts(args.vigil)
    vigil_ms = stages.get("analysis_motion", 0) / 1000
    results.append(summary("Vigil default (cover x 1.17, perspective only)", default, counts, test_sets, vigil_ms))
    area_model = os.path.join(work, "area.json")
    with open(area_model, "w") as handle:
        json.dump({"kind": "vigil-crowd-model", "version": 1, "features": ["area"], "coefficients": [1], "intercept": 0}, handle)
    area, stages = vigil_counts(args.vigil, area_model)
    results.append(summary("Vigil area only (the earlier default)", area, counts, test_sets, stages.get("analysis_motion", 0) / 1000))

    train_file = os.path.join(work, "train.jsonl")
    with open(train_file, "w") as handle:
        for frame in train:
            handle.write(json.dumps({"frame": frame, "count": counts[frame]}) + "\n")
    model = os.path.join(work, "vtest-plaza.json")
    calibration = subprocess.run([args.vigil, "calibrate", CLIP, "--annotations", train_file, "--out", model,
                                  "--config", CONFIG, "--camera", "plaza", "--zone", "plaza"], check=True, capture_output=True, text=True)
    calibrated, stages = vigil_counts(args.vigil, model)
    results.append(summary("Vigil, calibrated on frames 0-380", calibrated, counts, test_sets, stages.get("analysis_motion", 0) / 1000))

    hog, hog_seconds = hog_counts(everything)
    results.append(summary("HOG people detector", hog, counts, test_sets, hog_seconds))
    correct = linear_fit(hog, counts, train)
    results.append(summary("HOG, linear correction fitted on 0-380", {f: correct(hog[f]) for f in hog}, counts, test_sets, hog_seconds))

    mog2, mog2_seconds = mog2_counts(everything)
    results.append(summary("MOG2 blobs", mog2, counts, test_sets, mog2_seconds))
    correct = linear_fit(mog2, counts, train)
    results.append(summary("MOG2 blobs, linear correction fitted on 0-380", {f: correct(mog2[f]) for f in mog2}, counts, test_sets, mog2_seconds))

    for label, frames in test_sets:
        print(f"test set {label}: {len(frames)} frames {frames[0]}-{frames[-1]}, mean count {sum(counts[f] for f in frames) / len(frames):.2f}")
    print(f"OpenCV {cv2.__version__}, 1 thread")
    print("vigil calibrate: " + " | ".join(calibration.stdout.strip().splitlines()[:2]))
    print(f"{'method':48} {'MAE A':>6} {'bias A':>7} {'MAE B':>6} {'bias B':>7} {'MAE A+B':>8} {'ms/frame':>9}")
    for result in results:
        (mae_a, bias_a), (mae_b, bias_b) = result["A"], result["B"]
        both = (mae_a * len(test_sets[0][1]) + mae_b * len(test_sets[1][1])) / (len(test_sets[0][1]) + len(test_sets[1][1]))
        print(f"{result['method']:48} {mae_a:6.2f} {bias_a:+7.2f} {mae_b:6.2f} {bias_b:+7.2f} {both:8.2f} {result['ms_per_frame']:9.3f}")
    print("Vigil's ms/frame is its whole motion stage (detector, blobs, zones and the crowd estimator) at 480x360.")
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()

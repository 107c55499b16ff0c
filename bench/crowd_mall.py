#!/usr/bin/env python3
"""People counts on a dense real crowd: the Mall dataset (../shared/datasets/crowd/mall-train,
800 frames, 13-50 people, every head marked), Vigil against OpenCV-based peers, on held-out
halves.

Protocol: calibrate on frames 0-399 and test on 400-799, then the reverse. Frames 0-19 are
the motion model's warm-up and are scored by nobody (Vigil leaves them out of calibration;
every method is scored on 20-399 and 400-799 alike). Per split and method: MAE, MSE and bias
(estimate - truth) per test frame; the default model, which sees no frame of this scene, also
over all of 20-799.
  - Vigil default: `vigil analyze` with bench/data/mall-crowd.yaml (perspective read off the
    picture, the ROI as a zone), no model file: the perspective-only default.
  - Vigil calibrated: `vigil calibrate --zone roi` on the training half's counts.jsonl lines,
    then `vigil analyze --crowd-model` scored on the other half.
  - MOG2 area + ridge: OpenCV's BackgroundSubtractorMOG2 (shadows removed, 3x3 opening),
    foreground pixels inside roi.png, a ridge line (count = a + b * area) fitted on the
    training half, alpha chosen by 5-fold block cross-validation on that half.
  - HOG: cv2.HOGDescriptor_getDefaultPeopleDetector on the frame upscaled 1.5x (the far people
    are about 45 px tall; the detector's window is 128), NMS, detections whose box centre is
    in the ROI; raw, and with a line fitted on the training half. HOG runs on every 2nd frame
    (it takes about half a second a frame); its figures are over those frames.

Needs OpenCV 4.x (5.0 dropped the HOG detector):
  python3 -m venv bench/.venv4 && bench/.venv4/bin/pip install "opencv-python-headless<5" numpy
Usage: bench/.venv4/bin/python bench/crowd_mall.py [--vigil .build/release/vigil] [--no-hog] [--config YAML]
"""
import argparse, json, os, subprocess, tempfile, time

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "datasets", "crowd", "mall-train"))
CLIP = os.path.join(DATA, "input.mp4")
CONFIG = os.path.join(ROOT, "bench", "data", "mall-crowd.yaml")
WARM_UP = 20
SPLITS = [("0-399 -> 400-799", range(WARM_UP, 400), range(400, 800)),
          ("400-799 -> 0-399", range(400, 800), range(WARM_UP, 400))]


def read_counts():
    with open(os.path.join(DATA, "counts.jsonl")) as handle:
        return {record["frame"]: record["count"] for record in map(json.loads, handle) if record}


def score(estimates, counts, frames):
    frames = [f for f in frames if f in estimates]
    errors = np.array([estimates[f] - counts[f] for f in frames], dtype=float)
    return {"mae": float(np.abs(errors).mean()), "mse": float((errors ** 2).mean()), "bias": float(errors.mean()),
            "frames": len(frames), "mean": float(np.mean([counts[f] for f in frames]))}


def vigil_counts(vigil, work, config, model=None):
    frames_out = os.path.join(work, "frames.jsonl")
    report = os.path.join(work, "report.json")
    command = [vigil, "analyze", CLIP, "--config", config, "--camera", "mall", "--frames-out", frames_out,
               "--report", report, "--no-progress", "--threads", "1"]
    if model:
        command += ["--crowd-model", model]
    subprocess.run(command, check=True, capture_output=True)
    with open(frames_out) as handle:
        estimates = {r["frame"]: r["zone_people"]["roi"] for r in map(json.loads, handle) if "zone_people" in r}
    with open(report) as handle:
        stages = json.load(handle)["stage_milliseconds_per_frame"]
    return estimates, stages


def ridge_line(x, y, alpha):
    x, y = np.asarray(x, float), np.asarray(y, float)
    mx, my, sx = x.mean(), y.mean(), x.std() or 1.0
    z = (x - mx) / sx
    b = (z @ (y - my)) / (z @ z + alpha * len(z))
    return lambda v: max(0.0, my + b * (v - mx) / sx)


def ridge_fit_cv(raw, counts, train):
    """A ridge line with alpha chosen by 5-fold block cross-validation on the training frames."""
    train = [f for f in train if f in raw]
    blocks = np.array_split(np.array(train), 5)
    best = None
    for alpha in [0.0, 0.001, 0.01, 0.1, 1.0]:
        error = 0.0
        for block in blocks:
            rest = [f for f in train if f not in set(block)]
            line = ridge_line([raw[f] for f in rest], [counts[f] for f in rest], alpha)
            error += sum(abs(line(raw[f]) - counts[f]) for f in block)
        if best is None or error < best[0]:
            best = (error, alpha)
    return ridge_line([raw[f] for f in train], [counts[f] for f in train], best[1]), best[1]


def mog2_areas(roi):
    capture = cv2.VideoCapture(CLIP)
    subtractor = cv2.createBackgroundSubtractorMOG2(detectShadows=True)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    areas, seconds, index = {}, 0.0, 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        started = time.perf_counter()
        mask = subtractor.apply(frame)
        mask = np.where(mask == 255, 255, 0).astype(np.uint8)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        areas[index] = int(np.count_nonzero(mask & roi))
        seconds += time.perf_counter() - started
        index += 1
    return areas, seconds / max(1, index)


def hog_counts(roi, step):
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    capture = cv2.VideoCapture(CLIP)
    counts, seconds, index = {}, 0.0, 0
    scale = 1.5
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        if index % step == 0 and index >= WARM_UP:
            started = time.perf_counter()
            big = cv2.resize(frame, None, fx=scale, fy=scale)
            boxes, weights = hog.detectMultiScale(big, winStride=(8, 8), padding=(8, 8), scale=1.05)
            kept = []
            if len(boxes):
                keep = cv2.dnn.NMSBoxes([list(map(int, b)) for b in boxes], [float(w) for w in np.ravel(weights)], 0.0, 0.4)
                kept = [boxes[i] for i in np.ravel(keep)]
            seconds += time.perf_counter() - started
            counts[index] = sum(1 for (x, y, w, h) in kept
                                if roi[min(roi.shape[0] - 1, int((y + h / 2) / scale)), min(roi.shape[1] - 1, int((x + w / 2) / scale))])
        index += 1
    return counts, seconds / max(1, len(counts))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", default=os.path.join(ROOT, ".build", "release", "vigil"))
    parser.add_argument("--no-hog", action="store_true")
    parser.add_argument("--config", default=CONFIG,
                        help="the camera's YAML (bench/data/mall-crowd-consensus.yaml: the same camera with the consensus model)")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    counts = read_counts()
    roi = (cv2.imread(os.path.join(DATA, "roi.png"), cv2.IMREAD_GRAYSCALE) > 127).astype(np.uint8) * 255
    work = tempfile.mkdtemp(prefix="vigil-mall-")
    rows = []

    default, stages = vigil_counts(args.vigil, work, args.config)
    rows.append(("Vigil default (perspective only)", [score(default, counts, test) for _, _, test in SPLITS], ""))
    # Each half scored by the model calibrated on the other (the warm-up frames are given
    # too; vigil calibrate leaves them out itself).
    calibrated_scores, formulas = [], []
    for index, (_, train, test) in enumerate(SPLITS):
        annotations = os.path.join(work, f"train{index}.jsonl")
        with open(annotations, "w") as handle:
            for frame in range(0 if train.start == WARM_UP else train.start, train.stop):
                handle.write(json.dumps({"frame": frame, "count": counts[frame]}) + "\n")
        model = os.path.join(work, f"mall{index}.json")
        calibration = subprocess.run([args.vigil, "calibrate", CLIP, "--annotations", annotations, "--out", model,
                                      "--config", args.config, "--camera", "mall", "--zone", "roi"],
                                     check=True, capture_output=True, text=True)
        calibrated, _ = vigil_counts(args.vigil, work, args.config, model)
        calibrated_scores.append(score(calibrated, counts, test))
        formulas.append(calibration.stdout.strip().splitlines()[0])
    rows.append(("Vigil calibrated (vigil calibrate)", calibrated_scores, "  |  ".join(formulas)))

    areas, mog2_seconds = mog2_areas(roi)
    mog2, alphas = [], []
    for _, train, test in SPLITS:
        line, alpha = ridge_fit_cv(areas, counts, train)
        alphas.append(alpha)
        mog2.append(score({f: line(areas[f]) for f in areas}, counts, test))
    rows.append(("MOG2 foreground area + ridge", mog2, f"alpha {alphas}; {mog2_seconds * 1000:.2f} ms/frame (640x480)"))

    if not args.no_hog:
        hog, hog_seconds = hog_counts(roi, 2)
        rows.append(("HOG people detector (raw)", [score(hog, counts, test) for _, _, test in SPLITS],
                     f"{hog_seconds * 1000:.0f} ms/frame, every 2nd frame"))
        corrected = []
        for _, train, test in SPLITS:
            line, _ = ridge_fit_cv(hog, counts, train)
            corrected.append(score({f: line(hog[f]) for f in hog}, counts, test))
        rows.append(("HOG + line fitted on the training half", corrected, ""))

    print(f"OpenCV {cv2.__version__}, 1 thread; Vigil stages (ms/frame at 480x360): "
          + ", ".join(f"{k} {v:.2f}" for k, v in sorted(stages.items())))
    print(f"{'method':40} " + " ".join(f"{'MAE':>6} {'MSE':>7} {'bias':>6} {'n':>4}" for _ in SPLITS) + "   (split " + " | ".join(s[0] for s in SPLITS) + ")")
    for name, scores, note in rows:
        cells = " ".join(f"{s['mae']:6.2f} {s['mse']:7.1f} {s['bias']:+6.2f} {s['frames']:4d}" for s in scores)
        print(f"{name:40} {cells}  {note}")
    for _, _, test in SPLITS:
        print(f"test {test.start}-{test.stop - 1}: mean count {np.mean([counts[f] for f in test]):.2f}")
    # The default is fitted on no frame of this scene, so every frame after the warm-up is
    # held out for it: its error on the scene as a whole, next to each half's.
    whole = score(default, counts, range(WARM_UP, 800))
    print(f"Vigil default over frames {WARM_UP}-799: MAE {whole['mae']:.2f} ({100 * whole['mae'] / whole['mean']:.1f} % of the mean "
          f"{whole['mean']:.2f}), bias {whole['bias']:+.2f}, {whole['frames']} frames")
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()

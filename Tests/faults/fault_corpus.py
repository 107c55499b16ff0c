#!/usr/bin/env python3
"""A seeded corpus of damaged and odd video inputs, and a runner that feeds them to
`vigil analyze` and checks what a user is promised for bad input:

  - every case ends within --timeout + 2 s plus twice the time the clean clips it was made
    from take on this machine (measured first, in the same run: damage must not make a
    run slower than its clean content, and a debug build on a slow host is not a hang);
  - with a documented exit code (0 fine, 3 cannot be opened or decoded, 4 truncated or
    damaged with the decodable part analysed), the one each case's kind calls for;
  - with one clear `vigil: ...` line on stderr for 3 and 4, none for 0, and no crash;
  - the same exit code every time for the same damaged clip, with frame-threaded decoding
    (the adaptive motion model) and with one thread (the default model).

Cases are made from a few clean clips (H.264 in MP4 and MPEG-TS, MPEG-4 part 2 in AVI,
MJPEG in MKV, HEVC in MKV) by truncations, byte flips, zeroed regions, a cut MP4
sample table, concatenations, garbage before the data, absurd declared sizes, and
odd files (audio only, empty, a folder, a fifo with no writer, an unreadable file,
a symlink loop). The same seed gives the same corpus.

Usage:
  Tests/faults/fault_corpus.py --vigil .build/debug/vigil [--cases 300] [--seed 1] [--repeats 2]
      [--out DIR] [--report FILE] [--timeout 3]
"""
import argparse, json, os, random, shutil, stat, struct, subprocess, sys, tempfile, time

# What each kind of case must end with. A set: either is right, depending on where the
# damage falls (a flip in a header makes a file unopenable, in a frame damaged).
EXPECTED = {
    "clean": {0},
    "truncate": {3, 4},
    "flip": {0, 3, 4},          # a flipped byte in padding or an unused field changes nothing
    "flip-many": {3, 4},
    "zero": {3, 4},
    "mp4-cut-table": {4},
    "concat": {0, 3, 4},
    "garbage-before": {0, 3, 4},  # the TS demuxer finds the sync byte past the garbage; the video is whole
    "garbage": {3},
    "absurd-size": {0, 3, 4},   # the decoder may take the picture size from the bitstream, not the header
    "audio-only": {3},
    "empty": {3},
    "directory": {3},
    "fifo": {3},
    "unreadable": {3},
    "symlink-loop": {3},
    "missing": {3},
}


def run(command, **kwargs):
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True, **kwargs)


def make_sources(directory):
    """Clean clips with motion in them, made by ffmpeg's test sources."""
    sources = {}
    video = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4"]
    specs = {
        "h264.mp4": ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p"],
        "h264.ts": ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p"],
        "mpeg4.avi": ["-c:v", "mpeg4", "-q:v", "5", "-g", "25"],
        "mjpeg.mkv": ["-c:v", "mjpeg", "-q:v", "5"],
        "hevc.mkv": ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none", "-g", "25"],
        "raw.y4m": ["-pix_fmt", "yuv420p", "-t", "1"],
    }
    for name, codec in specs.items():
        path = os.path.join(directory, name)
        try:
            run(["ffmpeg", "-nostdin", "-y", "-loglevel", "error"] + video + codec + [path])
            sources[name] = path
        except subprocess.CalledProcessError:
            pass  # an encoder this ffmpeg lacks: fewer sources, same rules
    audio = os.path.join(directory, "audio-only.m4a")
    run(["ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", audio])
    sources["audio"] = audio
    return sources


def mp4_cut_table(data, rng):
    """Shrinks the sample-size table (stsz) of an MP4: the index lists fewer frames than
    the track's duration and the data hold."""
    index = data.find(b"stsz")
    if index < 0:
        return None
    # stsz: version/flags (4), sample_size (4), sample_count (4), then sizes.
    count_at = index + 4 + 8
    count = struct.unpack(">I", data[count_at:count_at + 4])[0]
    if count < 10:
        return None
    kept = rng.randint(count // 4, count // 2)
    return data[:count_at] + struct.pack(">I", kept) + data[count_at + 4:]


def make_cases(directory, sources, count, rng):
    cases = []
    clips = [name for name in sources if name != "audio"]

    def add(kind, name, payload=None, maker=None):
        path = os.path.join(directory, f"{len(cases):04d}-{kind}-{name}")
        if payload is not None:
            with open(path, "wb") as handle:
                handle.write(payload)
        if maker is not None:
            maker(path)
        cases.append({"kind": kind, "path": path, "source": name})

    for name in clips:
        add("clean", name, open(sources[name], "rb").read())
    add("audio-only", "audio.m4a", open(sources["audio"], "rb").read())
    add("empty", "empty.mp4", b"")
    add("directory", "folder.mp4", maker=lambda p: os.mkdir(p))
    add("fifo", "fifo.ts", maker=lambda p: os.mkfifo(p))
    add("unreadable", "locked.mp4", open(sources[clips[0]], "rb").read())
    os.chmod(cases[-1]["path"], 0)
    cases[-1]["runner"] = os.path.join(directory, "vigil-as-nobody")
    add("symlink-loop", "loop.mp4", maker=lambda p: os.symlink(p, p))
    cases.append({"kind": "missing", "path": os.path.join(directory, "no-such-file.mp4"), "source": "-"})
    add("garbage", "noise.mp4", bytes(rng.getrandbits(8) for _ in range(50_000)))

    # Which clean clips each kind of damage applies to.
    applies = {
        "garbage-before": lambda name: name.endswith(".ts"),
        "absurd-size": lambda name: name.endswith(".avi") or name.endswith(".y4m"),
        "mp4-cut-table": lambda name: name.endswith(".mp4"),
    }
    generators = ["truncate", "flip", "flip-many", "zero", "concat", "garbage-before", "absurd-size", "mp4-cut-table"]
    while len(cases) < count:
        kind = rng.choice(generators)
        fitting = [name for name in clips if applies.get(kind, lambda _: True)(name)]
        if not fitting:
            continue
        name = rng.choice(fitting)
        data = open(sources[name], "rb").read()
        if kind == "truncate":
            cut = rng.randint(1, len(data) - 1)
            add(kind, name, data[:cut])
        elif kind == "flip":
            # Within the frame data, past the first 2 kB of headers.
            position = rng.randint(min(2048, len(data) // 2), len(data) - 1)
            mutable = bytearray(data)
            mutable[position] ^= 1 << rng.randint(0, 7)
            add(kind, name, bytes(mutable))
        elif kind == "flip-many":
            mutable = bytearray(data)
            for _ in range(rng.randint(50, 400)):
                mutable[rng.randint(len(data) // 8, len(data) - 1)] ^= 0xFF
            add(kind, name, bytes(mutable))
        elif kind == "zero":
            start = rng.randint(len(data) // 8, len(data) // 2)
            length = rng.randint(len(data) // 10, len(data) // 3)
            add(kind, name, data[:start] + bytes(length) + data[start + length:])
        elif kind == "concat":
            other_name = rng.choice(clips)
            add(kind, name, data + open(sources[other_name], "rb").read())
            cases[-1]["also"] = other_name
        elif kind == "garbage-before":
            add(kind, name, bytes(rng.getrandbits(8) for _ in range(rng.randint(2_000, 20_000))) + data)
        elif kind == "absurd-size":
            huge = rng.choice([0x7FFFFFFF, 65536, 1_000_000, 2_000_000_000])
            if name.endswith(".y4m"):
                # The stream header's W and H.
                header_end = data.index(b"\n")
                fields = [f"W{huge}".encode() if f.startswith(b"W") else f"H{huge}".encode() if f.startswith(b"H") else f
                          for f in data[:header_end].split(b" ")]
                add(kind, name, b" ".join(fields) + data[header_end:])
                continue
            # The AVI main header's width and height, and the stream's BITMAPINFOHEADER.
            index = data.find(b"avih")
            if index < 0:
                continue
            mutable = bytearray(data)
            struct.pack_into("<II", mutable, index + 8 + 32, huge, huge)
            strf = data.find(b"strf")
            if strf >= 0:
                struct.pack_into("<ii", mutable, strf + 8 + 4, min(huge, 0x7FFFFFFF), min(huge, 0x7FFFFFFF))
            add(kind, name, bytes(mutable))
        elif kind == "mp4-cut-table":
            cut = mp4_cut_table(data, rng)
            if cut is not None:
                add(kind, name, cut)
    return cases


def analyse(vigil, case, timeout, threads, model=None):
    command = [vigil, "analyze", case["path"], "--no-progress", "--timeout", str(timeout), "--threads", str(threads), "--width", "160"]
    if model:
        command += ["--motion-model", model]
    if case["kind"] == "unreadable" and os.geteuid() == 0:
        # Root reads a mode-000 file: run this one as nobody, as a service account would,
        # with a copy of vigil that nobody may run (the checkout may be in root's folder).
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", case["runner"]] + command[1:]
    started = time.monotonic()
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                timeout=timeout + 30)
        code, stderr = result.returncode, result.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as expired:
        code, stderr = "hang", (expired.stderr or b"").decode("utf-8", "replace")
    return code, stderr, time.monotonic() - started


def limit_for(case, timeout, clean_seconds):
    """Seconds a run of this case may take: the I/O timeout and a margin, plus twice the
    clean analysis of the content it holds."""
    content = clean_seconds.get(case["source"], 0) + clean_seconds.get(case.get("also"), 0)
    return timeout + 2 + 2 * content


def check(case, runs, timeout, clean_seconds):
    """Problems with one case's runs, as text; empty when all is as promised."""
    problems = []
    limit = limit_for(case, timeout, clean_seconds)
    expected = EXPECTED[case["kind"]]
    if case["source"].endswith(".y4m") and case["kind"] in ("truncate", "flip", "flip-many", "zero", "concat"):
        # Raw pictures carry no checksum or index: a flipped pixel, or a file cut between
        # two frames, is a valid stream.
        expected = expected | {0}
    codes = [code for code, _, _ in runs]
    for code, stderr, seconds in runs:
        if code == "hang" or seconds > limit:
            problems.append(f"took {seconds:.1f} s (limit {limit:.1f} s)")
        if code not in expected:
            problems.append(f"exit {code}, expected {sorted(expected)}")
        lines = [line for line in stderr.splitlines() if line.strip()]
        if code in (3, 4) and (len(lines) != 1 or not lines[0].startswith("vigil: ")):
            problems.append(f"{len(lines)} stderr line(s), expected one 'vigil: ...' line: {stderr[:300]!r}")
        if code == 0 and lines:
            problems.append(f"exit 0 with stderr {stderr[:300]!r}")
        if isinstance(code, int) and code < 0:
            problems.append(f"killed by signal {-code}")
    if len(set(codes)) > 1:
        problems.append(f"exit codes differ from run to run: {codes}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigil", default=".build/debug/vigil")
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2, help="runs per case with frame threads (same exit code each time)")
    parser.add_argument("--timeout", type=float, default=3)
    parser.add_argument("--out", help="keep the corpus in this folder")
    parser.add_argument("--report", help="write per-case results as JSON")
    arguments = parser.parse_args()

    rng = random.Random(arguments.seed)
    directory = arguments.out or tempfile.mkdtemp(prefix="vigil-faults-")
    os.makedirs(directory, exist_ok=True)
    os.chmod(directory, 0o755)  # the unreadable case runs as another user
    sources_dir = os.path.join(directory, "sources")
    os.makedirs(sources_dir, exist_ok=True)
    sources = make_sources(sources_dir)
    cases = make_cases(directory, sources, arguments.cases, rng)
    shutil.copy(arguments.vigil, os.path.join(directory, "vigil-as-nobody"))
    os.chmod(os.path.join(directory, "vigil-as-nobody"), 0o755)

    # What the clean clips cost here, one frame thread (the slower way), the slower of two runs.
    clean_seconds = {}
    for name, path in sources.items():
        if name != "audio":
            clean_seconds[name] = max(analyse(arguments.vigil, {"kind": "clean", "path": path}, arguments.timeout, 1)[2]
                                      for _ in range(2))
    print("clean analysis here: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in clean_seconds.items()), flush=True)

    failures, results = 0, []
    slowest = (0.0, None)
    codes = {}
    started = time.monotonic()
    for case in cases:
        # Frame threads (the default, 0 = one per core) where the old code was not repeatable, then one
        # thread with the default motion model. The repeats use the adaptive model: damage is found by
        # the ingest, before any model, and the debug build's consensus model costs 2.5 times as much
        # (most of the corpus's time in CI).
        runs = [analyse(arguments.vigil, case, arguments.timeout, 0, "adaptive") for _ in range(arguments.repeats)]
        runs.append(analyse(arguments.vigil, case, arguments.timeout, 1))
        problems = check(case, runs, arguments.timeout, clean_seconds)
        for _, _, seconds in runs:
            if seconds > slowest[0]:
                slowest = (seconds, os.path.basename(case["path"]))
        code = runs[0][0]
        codes[str(code)] = codes.get(str(code), 0) + 1
        results.append({"case": os.path.basename(case["path"]), "kind": case["kind"], "exit": [r[0] for r in runs],
                        "seconds": [round(r[2], 3) for r in runs], "stderr": runs[0][1].strip()[:400], "problems": problems})
        if problems:
            failures += 1
            print(f"FAIL {os.path.basename(case['path'])}: " + "; ".join(problems), flush=True)
    elapsed = time.monotonic() - started
    kinds = {}
    for result in results:
        kinds.setdefault(result["kind"], []).append(result["exit"][0])
    print(f"fault corpus: {len(cases)} cases (seed {arguments.seed}), {len(cases) * (arguments.repeats + 1)} runs in {elapsed:.0f} s; "
          f"exit codes {dict(sorted(codes.items()))}; slowest run {slowest[0]:.2f} s ({slowest[1]})")
    for kind, exits in sorted(kinds.items()):
        counted = {}
        for code in exits:
            counted[code] = counted.get(code, 0) + 1
        print(f"  {kind}: {len(exits)} case(s), exit codes {counted}")
    if arguments.report:
        with open(arguments.report, "w") as handle:
            json.dump({"seed": arguments.seed, "cases": results, "slowest_seconds": slowest[0], "elapsed_seconds": elapsed}, handle, indent=1)
    if not arguments.out:
        for case in cases:
            if case["kind"] == "unreadable":
                os.chmod(case["path"], stat.S_IRUSR | stat.S_IWUSR)
        shutil.rmtree(directory, ignore_errors=True)
    print(f"{len(cases) - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

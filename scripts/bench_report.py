#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench_report.py - the table of `make bench` from xsperf's JSON lines.

    scripts/bench_report.py --raw raw.jsonl --out DIR [--command CMD]
                            [--note TEXT] [--runtime SEC]

Every line of raw.jsonl is one xsperf run whose "label" is PAIR/WORKLOAD/
ROUND (scripts/bench.sh). For each figure (a workload and one of its JSON
fields) and pair (nn: native <-> native, xx: xstack <-> xstack, xn:
xstack client <-> native server) the median over the rounds and the
spread (min-max); the ratios are xx/nn and xn/nn. Writes DIR/bench.json,
DIR/bench.md (printed too) and DIR/bench.png (with gnuplot, when
installed). Standard library only.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys

# workload, field, description, unit, "+" when higher is better
FIGURES = [
    ("stream_send", "mbit_s", "TCP stream, 1 flow, client sends", "Mbit/s", "+"),
    ("stream_recv", "mbit_s", "TCP stream, 1 flow, server sends", "Mbit/s", "+"),
    ("stream_p4", "mbit_s", "TCP stream, 4 flows, client sends", "Mbit/s", "+"),
    ("rr1", "tps", "TCP RR 1 byte", "trans/s", "+"),
    ("rr1", "lat_us.p50", "TCP RR 1 byte, p50 latency", "us", "-"),
    ("rr1", "lat_us.p90", "TCP RR 1 byte, p90 latency", "us", "-"),
    ("rr1", "lat_us.p99", "TCP RR 1 byte, p99 latency", "us", "-"),
    ("rr1k", "tps", "TCP RR 1 KiB", "trans/s", "+"),
    ("rr1k", "lat_us.p50", "TCP RR 1 KiB, p50 latency", "us", "-"),
    ("rr1k", "lat_us.p99", "TCP RR 1 KiB, p99 latency", "us", "-"),
    ("crr", "cps", "TCP connect/request/close", "conn/s", "+"),
    ("crr", "lat_us.p99", "TCP CRR, p99 latency", "us", "-"),
    ("udp64", "send_pps", "UDP 64 B, sent", "pkt/s", "+"),
    ("udp64", "recv_pps", "UDP 64 B, received", "pkt/s", "+"),
    ("udp1400", "send_pps", "UDP 1400 B, sent", "pkt/s", "+"),
    ("udp1400", "recv_pps", "UDP 1400 B, received", "pkt/s", "+"),
    ("idle", "slab_per_conn", "idle connection, Slab", "bytes", "-"),
    ("idle", "used_per_conn", "idle connection, memory used", "bytes", "-"),
]
NOOFFLOAD = ["stream_send", "stream_recv", "stream_p4", "rr1k"]
PAIRS = ["nn", "xx", "xn"]


def field(obj, path):
    for k in path.split("."):
        if not isinstance(obj, dict) or k not in obj:
            return None
        obj = obj[k]
    return obj if isinstance(obj, (int, float)) else None


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.2f" % v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", default="make bench")
    ap.add_argument("--note", default="")
    ap.add_argument("--runtime", type=int, default=0)
    a = ap.parse_args()

    runs = {}
    failures = []
    background = []
    with open(a.raw) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                j = json.loads(line)
            except ValueError:
                failures.append("unparsable line: " + line[:200])
                continue
            parts = j.get("label", "").split("/")
            if len(parts) < 3:
                continue
            pair, wl = parts[0], "/".join(parts[1:-1])
            if wl == "background":
                background.append(j)
                continue
            if not j.get("ok"):
                # Idle memory is still measured when the server holds
                # all but a few: counted, and said so.
                held, n = j.get("server_held", 0), j.get("connections", 0)
                kept = wl == "idle" and n and held >= 0.99 * n
                failures.append("%s %s round %s: %s%s" % (
                    pair, wl, parts[-1], j.get("error", "?"),
                    " (server held %d of %d; its figures are counted)" %
                    (held, n) if kept else ""))
                if not kept:
                    continue
            runs.setdefault((pair, wl), []).append(j)

    figures = list(FIGURES)
    for w, fld, desc, unit, better in FIGURES:
        if w in NOOFFLOAD and any(k[1] == w + "/nooffload" for k in runs):
            figures.append((w + "/nooffload", fld, desc + ", offloads off",
                            unit, better))

    rows = []
    for w, fld, desc, unit, better in figures:
        row = {"workload": w, "field": fld, "figure": desc, "unit": unit,
               "higher_is_better": better == "+"}
        for p in PAIRS:
            vals = [v for v in (field(j, fld) for j in runs.get((p, w), []))
                    if v is not None]
            row[p] = {
                "values": vals,
                "median": statistics.median(vals) if vals else None,
                "min": min(vals) if vals else None,
                "max": max(vals) if vals else None,
            }
        nn = row["nn"]["median"]
        for p in ("xx", "xn"):
            m = row[p]["median"]
            row["ratio_" + p] = m / nn if m is not None and nn else None
        if any(row[p]["values"] for p in PAIRS):
            rows.append(row)

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "bench.json"), "w") as f:
        json.dump({"command": a.command, "note": a.note,
                   "runtime_s": a.runtime, "figures": rows,
                   "failures": failures,
                   "background": background}, f, indent=1)

    md = []
    md.append("Command: `%s`%s%s." % (
        a.command, " (" + a.note + ")" if a.note else "",
        ", %d s in all" % a.runtime if a.runtime else ""))
    md.append("")
    md.append("Pairs: nn = native <-> native, xx = xstack <-> xstack, "
              "xn = xstack client <-> native server. Each cell: median "
              "[min-max] over the rounds; ratio = xstack pair's median / "
              "nn's median (for latency and memory, lower is better).")
    md.append("")
    md.append("| figure | unit | nn | xx | xx/nn | xn | xn/nn |")
    md.append("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        cells = []
        for p in PAIRS:
            c = r[p]
            if c["median"] is None:
                cells.append("-")
            else:
                cells.append("%s [%s-%s]" % (fmt(c["median"]),
                                             fmt(c["min"]), fmt(c["max"])))
        md.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["figure"], r["unit"], cells[0], cells[1],
            fmt(r["ratio_xx"]), cells[2], fmt(r["ratio_xn"])))
    if failures:
        md.append("")
        md.append("Failed runs (left out of the figures unless said):")
        md.append("")
        for fl in failures:
            md.append("- " + fl)
    text = "\n".join(md) + "\n"
    with open(os.path.join(a.out, "bench.md"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    plot(a.out, rows)


def plot(out, rows):
    gp = shutil.which("gnuplot")
    if not gp:
        print("bench: gnuplot not installed: no bench.png", file=sys.stderr)
        return
    dat = os.path.join(out, "bench.dat")
    with open(dat, "w") as f:
        for r in rows:
            name = r["figure"] + (" (lower is better)"
                                  if not r["higher_is_better"] else "")
            f.write('"%s" %s %s\n' % (
                name.replace('"', "'"),
                "%.4f" % r["ratio_xx"] if r["ratio_xx"] else "NaN",
                "%.4f" % r["ratio_xn"] if r["ratio_xn"] else "NaN"))
    n = len(rows)
    # A power-of-two range around every ratio, 1/4 to 4 at least.
    ratios = [r[k] for r in rows for k in ("ratio_xx", "ratio_xn") if r[k]]
    e_lo = min([-2] + [math.floor(math.log2(v)) for v in ratios])
    e_hi = max([2] + [math.ceil(math.log2(v)) for v in ratios])
    e_lo, e_hi = max(e_lo, -10), min(e_hi, 10)
    lo, hi = "2**%d" % e_lo, "2**%d" % e_hi
    tics = ", ".join('"%s" 2**%d' % ("1/%d" % 2 ** -e if e < 0 else
                                     "%d" % 2 ** e, e)
                     for e in range(e_lo, e_hi + 1))
    # Horizontal bars from 1 to the ratio, on a log2 axis: left of the
    # line xstack does worse (or better, for "lower is better" figures).
    script = """
set terminal pngcairo size 1000,%d font ",10"
set output "%s"
set title "xstack / native Linux: ratio of medians (1 = as native)"
set yrange [%f:-0.7]
set logscale x 2
set xrange [%s:%s]
set xtics (%s)
set rmargin 6
set grid xtics
set key top left opaque box
set style fill solid 0.8 border -1
set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb "black"
lo(v) = v < 1 ? v : 1
hi(v) = v < 1 ? 1 : v
plot "%s" using 2:($0-0.2):(lo($2)):(hi($2)):($0-0.38):($0-0.02):ytic(1) \\
        with boxxyerror title "xstack <-> xstack" lc rgb "#1f77b4", \\
     "" using 3:($0+0.2):(lo($3)):(hi($3)):($0+0.02):($0+0.38) \\
        with boxxyerror title "xstack client <-> native server" \\
        lc rgb "#ff7f0e"
""" % (120 + 36 * n, os.path.join(out, "bench.png"), n - 0.3, lo, hi,
       tics, dat)
    gpf = os.path.join(out, "bench.gp")
    with open(gpf, "w") as f:
        f.write(script)
    r = subprocess.run([gp, gpf], capture_output=True, text=True)
    if r.returncode:
        print("bench: gnuplot failed: " + r.stderr, file=sys.stderr)


if __name__ == "__main__":
    main()

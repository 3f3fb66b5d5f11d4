#!/usr/bin/env python3
"""bench/compare.sh's arithmetic: result lines from ecomm-load's JSON and from wrk's
output, then the medians of all rounds as a table in bench/RESULTS.md and plots.

  compare_report.py load-result JSON HOT CLIENTS
  compare_report.py wrk-result WRK_OUTPUT SYSTEM HOT CLIENTS
  compare_report.py summarize RESULTS WORKDIR RESULTS_MD PLOT_DIR COMMAND
  compare_report.py flash-table RESULTS

A result line: "result system=S hot=H clients=N rps=R p50_ms=X p99_ms=Y" (more fields
may follow). The flash coupon issuance runs (bench/coupons/flash_issue.sh, issue #23) are
data set "flash", systems coupon-*, with sellout_s etc.; a run that failed verification
is a "failed system=S hot=flash ..." line instead, counted but never a number.
"""
import json
import math
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

BEGIN, END = "<!-- compare:begin -->", "<!-- compare:end -->"
ORDER = ["ecomm-load", "ecomm-wrk", "postgres-plpgsql", "postgres-plain", "redis-lua",
         "nginx-static", "coupon-ecomm", "coupon-redis", "coupon-postgres"]
SHORT = {
    "ecomm-load": "ecomm load",
    "ecomm-wrk": "ecomm wrk",
    "postgres-plpgsql": "PG plpgsql",
    "postgres-plain": "PG plain",
    "redis-lua": "Redis Lua",
    "nginx-static": "nginx static",
    "coupon-ecomm": "ecomm coupon",
    "coupon-redis": "Redis coupon",
    "coupon-postgres": "PG coupon",
}
LABELS = {
    "ecomm-load": "ecomm (ecomm-load, audited)",
    "ecomm-wrk": "ecomm (wrk)",
    "postgres-plpgsql": "PostgreSQL 15, plpgsql function",
    "postgres-plain": "PostgreSQL 15, plain transaction",
    "redis-lua": "Redis 7, Lua script",
    "nginx-static": "nginx, static file (HTTP ceiling)",
    "coupon-ecomm": "ecomm, POST /coupons/flash/issue",
    "coupon-redis": "Redis 7, Lua SISMEMBER+DECR+SADD",
    "coupon-postgres": "PostgreSQL 15, row lock + unique",
}
DATA_SETS = {"0": "uniform", "1": "hot spot", "flash": "flash issuance"}


def line(system, hot, clients, rps, p50, p99):
    return (f"result system={system} hot={hot} clients={clients} rps={rps:.1f} "
            f"p50_ms={p50:.3f} p99_ms={p99:.3f}")


def load_result(path, hot, clients):
    report = json.loads(Path(path).read_text())
    if not report["ok"]:
        sys.exit(f"ecomm-load failed (unexpected answers or audit): {path}")
    order = report["operations"]["order"]
    print(line("ecomm-load", hot, clients, order["rps"], order["p50_ms"], order["p99_ms"]))


def wrk_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk_result(path, system, hot, clients):
    out = Path(path).read_text()
    if "Non-2xx" in out or "Socket errors" in out:
        sys.exit(f"wrk saw errors:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = wrk_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = wrk_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    print(line(system, hot, clients, rps, p50, p99))


def parse_results(path, failed=None):
    runs = defaultdict(list)  # (system, hot) -> [dict]
    for text in Path(path).read_text().splitlines():
        kind = text.split(" ", 1)[0]
        if kind not in ("result", "failed"):
            continue
        fields = dict(f.split("=", 1) for f in text.split()[1:])
        if kind == "failed":
            if failed is not None:
                failed[(fields["system"], fields["hot"])].append(fields)
            continue
        runs[(fields["system"], fields["hot"])].append(fields)
    return runs


def median_of(runs, key):
    return statistics.median(float(r[key]) for r in runs)


def table(runs, command, failed=None):
    rows = ["| system | data set | runs | req/s (median) | p50 ms | p99 ms | ecomm / it |",
            "|---|---|---|---|---|---|---|"]
    failed = failed or {}
    for hot in ("0", "1", "flash"):
        # The base: ecomm-load for the order runs, ecomm's own issue runs for "flash".
        base = runs.get(("coupon-ecomm" if hot == "flash" else "ecomm-load", hot))
        base_rps = median_of(base, "rps") if base else None
        for system in ORDER:
            r = runs.get((system, hot))
            bad = failed.get((system, hot), [])
            if not r and not bad:
                continue
            rps = median_of(r, "rps") if r else None
            ratio = (f"{base_rps / rps:.2f}x" if base_rps and rps and
                     system not in ("ecomm-load", "coupon-ecomm") else "")
            each = ", ".join([f"{float(x['rps']):,.0f}" for x in r] +
                             ["failed verification"] * len(bad))
            rows.append(f"| {LABELS[system]} | {DATA_SETS[hot]} | {each} | "
                        + (f"**{rps:,.0f}** | {median_of(r, 'p50_ms'):.2f} | "
                           f"{median_of(r, 'p99_ms'):.2f} | {ratio} |" if r else "- | - | - | |"))
    return "\n".join([f"    {command}", ""] + rows)


def flash_table(results):
    """The issue #23 table: medians of bench/coupons/flash_issue.sh's runs per system."""
    print(flash_rows(results) or "no flash issuance runs")


def flash_rows(results):
    failed = defaultdict(list)
    runs = parse_results(results, failed)
    if not any(s.startswith("coupon-") for s, _ in list(runs) + list(failed)):
        return ""
    base = runs.get(("coupon-ecomm", "flash"))
    rows = ["| system | runs (answered/s) | answered/s (median) | time to sell out, s | "
            "issued/s until sold out | answered/s until sold out | p50 ms | p99 ms | "
            "p99 of the issued ms | verification | ecomm / it (answered/s) | "
            "ecomm / it (time to sell out) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for system in ("coupon-ecomm", "coupon-redis", "coupon-postgres"):
        r = runs.get((system, "flash"), [])
        bad = failed.get((system, "flash"), [])
        if not r and not bad:
            continue
        verdict = f"{len(r)} of {len(r) + len(bad)} ok" + (
            "; failed: " + ", ".join(b.get("reason", "?").strip("_") for b in bad) if bad else "")
        if not r:
            rows.append(f"| {LABELS[system]} | | | | | | | | | {verdict} | | |")
            continue
        each = ", ".join(f"{float(x['rps']):,.0f}" for x in r)
        ratio_rps = ratio_sell = ""
        if base and system != "coupon-ecomm":
            ratio_rps = f"{median_of(base, 'rps') / median_of(r, 'rps'):.2f}x"
            ratio_sell = f"{median_of(r, 'sellout_s') / median_of(base, 'sellout_s'):.2f}x"
        rows.append(
            f"| {LABELS[system]} | {each} | **{median_of(r, 'rps'):,.0f}** | "
            f"{median_of(r, 'sellout_s'):.3f} | {median_of(r, 'issued_per_s'):,.0f} | "
            f"{median_of(r, 'rps_until_sellout'):,.0f} | {median_of(r, 'p50_ms'):.2f} | "
            f"{median_of(r, 'p99_ms'):.2f} | {median_of(r, 'p99_issued_ms'):.2f} | {verdict} | "
            f"{ratio_rps} | {ratio_sell} |")
    return "\n".join(rows)


def median_load_json(workdir, hot):
    """The ecomm-load report of the round with the median order rate."""
    reports = []
    for path in sorted(Path(workdir).glob(f"load-*-{hot}.json")):
        report = json.loads(path.read_text())
        reports.append((report["operations"]["order"]["rps"], report))
    if not reports:
        return None
    reports.sort(key=lambda x: x[0])
    return reports[len(reports) // 2][1]


def plot_throughput(runs, plot_dir):
    data = plot_dir / "throughput.dat"
    with data.open("w") as f:
        for system in ORDER:
            cells = []
            for hot in ("0", "1"):
                r = runs.get((system, hot))
                cells.append(f"{median_of(r, 'rps'):.0f}" if r else "0")
            if any(c != "0" for c in cells):
                f.write(f"\"{SHORT[system]}\" {cells[0]} {cells[1]}\n")
    gnuplot(f"""
set output '{plot_dir / "throughput.png"}'
set title 'Durable one-unit orders per second, 64 clients, 2 shared cores (nginx: static GET)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left
set ylabel 'requests/s (median of rounds)'
set grid ytics
plot '{data}' using 2:xtic(1) title 'uniform', '' using 3 title 'hot spot'
""")
    data.unlink()


def plot_latency(workdir, plot_dir):
    curves = plot_dir / "ecomm_latency.dat"
    with curves.open("w") as f:
        for hot in ("0", "1"):
            report = median_load_json(workdir, hot)
            f.write(f"# hot={hot}\n")
            for p, ms in (report["operations"]["order"]["latency_curve"] if report else []):
                nines = -math.log10(1 - p / 100) if p < 100 else 5
                f.write(f"{nines:.4f} {ms:.3f} {p}\n")
            f.write("\n\n")
    gnuplot(f"""
set output '{plot_dir / "ecomm_latency.png"}'
set title 'ecomm POST /order latency by percentile (ecomm-load, closed loop, median round)'
set style data linespoints
set xlabel 'percentile'
set ylabel 'ms'
set xtics ('50' 0.301, '90' 1, '99' 2, '99.9' 3, '99.99' 4, 'max' 5)
set xrange [0.25:5.1]
set logscale y
plot '{curves}' index 0 using 1:2 title 'uniform', '' index 1 using 1:2 title 'hot spot'
""")
    curves.unlink()


def gnuplot(script):
    subprocess.run(["gnuplot"], input="set terminal pngcairo size 900,500 noenhanced\n" + script,
                   text=True, check=True)


def summarize(results, workdir, results_md, plot_dir, command):
    failed = defaultdict(list)
    runs = parse_results(results, failed)
    flash = flash_rows(results)
    section = "\n".join([BEGIN, table(runs, command, failed), ""] +
                        (["Flash coupon issuance (issue #23), the same runs in detail:", "",
                          flash, ""] if flash else []) + [
                         "![throughput](plots/throughput.png)",
                         "![ecomm latency](plots/ecomm_latency.png)", END])
    md = Path(results_md)
    text = md.read_text()
    if BEGIN in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n# Peers (issue 10)\n\n" + section + "\n"
    md.write_text(text)
    plot_throughput(runs, Path(plot_dir))
    plot_latency(workdir, Path(plot_dir))
    print(section)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"load-result": load_result, "wrk-result": wrk_result, "summarize": summarize,
     "flash-table": flash_table}[command](*args)

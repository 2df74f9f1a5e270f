#!/usr/bin/env python3
"""Prints the sstp-bench results of scripts/bench side by side: each target's figures, the gateway/peer ratio, and
each figure as a fraction of this machine's limit (limits.json). Usage: compare.py RESULT_DIR"""
import json
import os
import sys

out = sys.argv[1]


def load(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


limits = load("limits.json") or {}
targets = [t for t in ("softether", "gateway") if any(os.path.exists(os.path.join(out, f"{t}-{m}.json"))
                                                     for m in ("setup", "throughput", "paced", "idle", "latency", "tcp"))]


def rows(target, mode):
    doc = load(f"{target}-{mode}.json")
    result = doc["results"] if doc else []
    for r in result:
        if r.get("pings"):
            r["replies_pct"] = 100.0 * r.get("replies", 0) / r["pings"]
    return result


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.0f}" if abs(v) >= 100 else f"{v:.3g}"
    return str(v)


metrics = []  # (name, {target: value}, limit or None)


def add(name, key_rows, value_key, limit=None):
    """key_rows: (mode, {column: value or predicate}); the last matching row of each target gives the figure."""
    values = {}
    for t in targets:
        for r in rows(t, key_rows[0]):
            if all(v(r.get(k)) if callable(v) else r.get(k) == v for k, v in key_rows[1].items()):
                values[t] = r.get(value_key)
    metrics.append((name, values, limit))


for resume in ("off", "on"):
    add(f"setup connects/s (TLS resume {resume})", ("setup", {"tls_resume": resume}), "connects_per_s")
    add(f"setup p50 ms (resume {resume})", ("setup", {"tls_resume": resume}), "p50_ms")
    add(f"setup p99 ms (resume {resume})", ("setup", {"tls_resume": resume}), "p99_ms")
    add(f"server CPU ms/connect (resume {resume})", ("setup", {"tls_resume": resume}), "server_cpu_ms_per_connect")
    add(f"client CPU ms/connect (resume {resume})", ("setup", {"tls_resume": resume}), "client_cpu_ms_per_connect")
for size in (64, 512, 1400):
    for d in ("up", "down", "both"):
        sel = ("throughput", {"size": size, "dir": d})
        if d in ("up", "both"):
            add(f"{size} B {d}: up Gbit/s", sel, "up_gbps", limits.get("tls_bulk_gbps"))
            add(f"{size} B {d}: up kpps", sel, "up_pps", limits.get(f"tun_write_pps_{size}") or limits.get("tun_write_pps_1400"))
        if d in ("down", "both"):
            add(f"{size} B {d}: down Gbit/s", sel, "down_gbps", limits.get("tls_bulk_gbps"))
            add(f"{size} B {d}: down kpps", sel, "down_pps", limits.get(f"tun_read_pps_{size}") or limits.get("tun_read_pps_1400"))
        add(f"{size} B {d}: server CPU s/GB", sel, "server_cpu_s_per_gb")
for size in (64, 1400):
    sel = ("paced", {"size": size, "dir": "up"})
    add(f"{size} B up, paced: offered kpps", sel, "offered_pps")
    add(f"{size} B up, paced: delivered kpps", sel, "up_pps", limits.get(f"tun_write_pps_{size}"))
    add(f"{size} B up, paced: loss %", sel, "up_loss_pct")
    add(f"{size} B up, paced: server CPU s/GB", sel, "server_cpu_s_per_gb")
    sel = ("paced", {"size": size, "dir": "down"})
    add(f"{size} B down, paced: delivered kpps", sel, "down_pps", limits.get(f"tun_read_pps_{size}"))
    add(f"{size} B down, paced: server CPU s/GB", sel, "server_cpu_s_per_gb")
add("idle: KiB per session", ("idle", {}), "kib_per_session")
add("idle: sessions held", ("idle", {}), "sessions")
# latency loads (sstp-bench latency --load): labels "none", "3x1400B up", "self: 1400B down flood", "self: iperf3 -R x1"
loads = [
    ("no load", lambda l: l == "none"),
    ("loaded", lambda l: isinstance(l, str) and l.endswith(" up")),  # other sessions flood the uplink
    ("own downlink flooded", lambda l: isinstance(l, str) and "down flood" in l),
    ("iperf3 -R in the same session", lambda l: isinstance(l, str) and "iperf3" in l),
]
for what, match in loads:
    sel = ("latency", {"load": match})
    add(f"latency p50 ms ({what})", sel, "rtt_p50_ms")
    add(f"latency p99 ms ({what})", sel, "rtt_p99_ms")
    if what != "no load":
        add(f"latency replies/pings % ({what})", sel, "replies_pct")
    if what.startswith(("own", "iperf3")):
        add(f"latency: probe downlink Gbit/s ({what})", sel, "probe_down_gbps", limits.get("tls_bulk_gbps"))
        add(f"latency: gateway egress drops ({what})", sel, "server_egress_drops")
        add(f"latency: of which CoDel drops ({what})", sel, "server_codel_drops")
# tcp: iperf3 through one session on a TUN (sstp-bench tcp); rows from before the sessions column are one session
one_session = lambda n: n in (None, 1)
def add_tcp(what, d, sel, many):
    add(f"{what}: Gbit/s", sel, "gbps", limits.get("tls_bulk_gbps"))
    if many:
        add(f"{what}: slowest session Gbit/s", sel, "min_session_gbps")
    add(f"{what}: retransmits", sel, "retransmits")
    if d == "down":
        add(f"{what}: gateway egress drops", sel, "server_egress_drops")
    add(f"{what}: server CPU s/GB", sel, "server_cpu_s_per_gb")
for d in ("up", "down"):
    for streams in sorted({r.get("streams") for t in targets for r in rows(t, "tcp")
                           if r.get("dir") == d and one_session(r.get("sessions"))}):
        add_tcp(f"tcp {d}, {streams} stream(s)", d, ("tcp", {"dir": d, "streams": streams, "sessions": one_session}), False)
# tcp through many sessions at once (sstp-bench tcp --sessions N): one iperf3 client per session, figures summed
for d in ("up", "down"):
    for sessions, streams in sorted({(r.get("sessions"), r.get("streams")) for t in targets for r in rows(t, "tcp")
                                     if r.get("dir") == d and not one_session(r.get("sessions"))}):
        add_tcp(f"tcp {d}, {sessions} sessions x {streams} stream(s)", d,
                ("tcp", {"dir": d, "streams": streams, "sessions": sessions}), True)

print("\n== this machine's limits (limits.json) ==")
for k, v in limits.items():
    print(f"  {k:28} {fmt(v)}")
head = ["figure"] + targets + (["gateway/peer"] if len(targets) == 2 else []) + ["limit", "fraction of limit"]
print("\n| " + " | ".join(head) + " |")
print("|" + "|".join("---" for _ in head) + "|")
for name, values, limit in metrics:
    if not values:
        continue
    scale = 1e-3 if "kpps" in name else 1
    cells = [name] + [fmt(values[t] * scale) if values.get(t) is not None else "-" for t in targets]
    if len(targets) == 2:
        a, b = values.get("softether"), values.get("gateway")
        cells.append(f"{b / a:.2f}" if a and b is not None else "-")
    if limit:
        lim = limit * scale
        cells.append(fmt(lim))
        cells.append(" / ".join(f"{t} {values[t] * scale / lim:.0%}" for t in targets if values.get(t) is not None))
    else:
        cells += ["", ""]
    print("| " + " | ".join(cells) + " |")

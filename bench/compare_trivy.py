#!/usr/bin/env python3
"""Per-item comparison of imgguard and Trivy on the planted-secret corpus.

Reads DIR/planted.json (written by the `secrets_recall` integration test: every planted
credential and precision-set item with its place and the SHA-256 of its value, never the
value), DIR/imgguard.json and DIR/trivy.json; prints a Markdown table and totals.
Usage: compare_trivy.py DIR
"""
import hashlib, json, os, re, sys

d = sys.argv[1]
planted = json.load(open(os.path.join(d, "planted.json")))["items"]
ig = json.load(open(os.path.join(d, "imgguard.json")))
tv = json.load(open(os.path.join(d, "trivy.json")))

ig_findings = [f for f in ig["findings"] if f["category"] == "secret"]
gating = set(ig.get("gating", []))
tv_findings = [(r["Target"], s) for r in tv.get("Results", []) for s in r.get("Secrets", []) or []]


def ig_at(f, it):
    loc = f["location"]
    if it["source"] == "file":
        chain = loc.get("archive_path") or []
        member_ok = (not chain) if it["member"] is None else (chain and chain[-1] == it["member"])
        line = loc.get("line") or 0
        return (loc["source"] == "file" and loc.get("path") == it["path"] and member_ok
                and it["lines"][0] <= line <= it["lines"][1])
    if it["source"] == "history":
        return loc["source"] == "history"
    return loc["source"] == it["source"] and loc.get("path") == it["path"]


# Trivy names the image config's result after the --input path.
config_targets = {"image", os.path.join(os.path.abspath(d), "image")}


def tv_at(target, s, it):
    if it["source"] == "file":
        if it["member"] is not None:
            return False  # Trivy does not open archives; a hit on the archive itself would not say where
        return (target == it["path"] and s["StartLine"] <= it["chunk"][1]
                and s["EndLine"] >= it["chunk"][0])
    if target not in config_targets:
        return False
    m = s.get("Match", "")
    if it["source"] == "env":
        return f'"{it["path"]}=' in m
    if it["source"] == "label":
        return f'"{it["path"]}":' in m
    return f'{it["path"]}=' in m and "created_by" in m


rows, totals = [], {"planted": 0, "ig": 0, "ig_rule": 0, "ig_gate": 0, "tv": 0, "decoys": 0,
                    "ig_fp": 0, "ig_fp_gate": 0, "tv_fp": 0}
used_ig, used_tv = set(), set()
for it in planted:
    igs = [f for f in ig_findings if ig_at(f, it) and (it["rule"] is None or f["secret"]["sha256"] == it["sha256"])]
    tvs = [(t, s) for t, s in tv_findings if tv_at(t, s, it)]
    used_ig.update(f["fingerprint"] for f in igs)
    used_tv.update(id(s) for _, s in tvs)
    ig_rules = sorted({f["rule"].removeprefix("secret.") for f in igs})
    ig_gates = any(f["fingerprint"] in gating for f in igs)
    tv_rules = sorted({s["RuleID"] for _, s in tvs})
    if it["rule"]:
        totals["planted"] += 1
        totals["ig"] += bool(igs)
        totals["ig_rule"] += any(f["rule"] == it["rule"] for f in igs)
        totals["ig_gate"] += ig_gates
        totals["tv"] += bool(tvs)
    else:
        totals["decoys"] += 1
        totals["ig_fp"] += bool(igs)
        totals["ig_fp_gate"] += ig_gates
        totals["tv_fp"] += bool(tvs)
    rows.append((it, ig_rules, ig_gates, tv_rules))

# Values Trivy prints verbatim in its context lines (imgguard prints none by design).
tokens = set()
for _, s in tv_findings:
    for line in (s.get("Code") or {}).get("Lines") or []:
        tokens.update(re.split(r"[\s\"'=:,;`()]+", line.get("Content", "")))
sha_of = {hashlib.sha256(t.encode()).hexdigest() for t in tokens if t}
leaked_tv = sum(1 for it in planted if it["rule"] and it["sha256"] in sha_of)

print("| # | planted item | where | expected rule | imgguard | gates | Trivy |")
print("|---|---|---|---|---|---|---|")
n = 0
for it, ig_rules, ig_gates, tv_rules in rows:
    if not it["rule"]:
        continue
    n += 1
    exp = it["rule"].removeprefix("secret.")
    where = it["where"].replace("|", "\\|")
    ig_cell = ", ".join(("**" + r + "**") if r == exp else r for r in ig_rules) or "—"
    print(f"| {n} | {it['name']} | `{where}` | {exp} | {ig_cell} | {'yes' if ig_gates else 'no'} | {', '.join(tv_rules) or '—'} |")
print()
print("Precision set (must not gate; for Trivy every finding is an alarm):")
print()
print("| # | item | where | imgguard finding (rule) | gates | Trivy |")
print("|---|---|---|---|---|---|")
n = 0
for it, ig_rules, ig_gates, tv_rules in rows:
    if it["rule"]:
        continue
    n += 1
    print(f"| {n} | {it['name']} | `{it['where']}` | {', '.join(ig_rules) or '—'} | {'**yes**' if ig_gates else 'no'} | {', '.join(tv_rules) or '—'} |")
extra_ig = [f for f in ig_findings if f["fingerprint"] not in used_ig]
extra_tv = [(t, s) for t, s in tv_findings if id(s) not in used_tv]
print()
print(f"planted: {totals['planted']}  imgguard found {totals['ig']} ({totals['ig_rule']} with the expected rule, "
      f"{totals['ig_gate']} gating)  Trivy found {totals['tv']}")
print(f"precision set: {totals['decoys']}  imgguard findings {totals['ig_fp']} (gating {totals['ig_fp_gate']})  "
      f"Trivy findings {totals['tv_fp']}")
print(f"findings at no planted place: imgguard {len(extra_ig)}, Trivy {len(extra_tv)}")
for f in extra_ig:
    loc = f["location"]
    print(f"  imgguard extra: {f['rule']} {loc['source']} {loc.get('path')}:{loc.get('line')}")
for t, s in extra_tv:
    print(f"  trivy extra: {s['RuleID']} {t}:{s['StartLine']}")
print(f"planted values printed verbatim: imgguard 0 (asserted by the secrets_recall test), "
      f"Trivy {leaked_tv} (in its code-context lines)")

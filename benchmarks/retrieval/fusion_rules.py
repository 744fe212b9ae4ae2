#!/usr/bin/env python3
"""Tries fusion rules on the runs that `retrieval-hybrid --dump DIR` writes: /usr/bin/python3 benchmarks/retrieval/fusion_rules.py DIR"""
import sys, math, glob, os, collections
import numpy as np
D = sys.argv[1]  # the --dump folder of retrieval-hybrid

def qrels_of(path):
    q = {"dev": {}, "test": {}}
    for line in open(path):
        s, qid, did, r = line.rstrip("\n").split("\t")
        q[s].setdefault(qid, {})[did] = int(r)
    return q

def runs_of(path):
    runs = {"dev": collections.OrderedDict(), "test": collections.OrderedDict()}
    for line in open(path):
        s, qid, src, rk, key, score = line.rstrip("\n").split("\t")
        runs[s].setdefault(qid, {"bm25": [], "dense": []})[src].append((key, float(score)))
    return runs

def ndcg(ranked, rel):
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(rel.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0

def mean_ndcg(runs, qrels, fuse):
    vals = []
    for qid, lists in runs.items():
        if qid not in qrels: continue
        vals.append(ndcg(fuse(lists), qrels[qid]))
    return sum(vals) / len(vals) if vals else float("nan")

def minmax(lst):
    s = np.array([x[1] for x in lst]);
    if len(s) == 0: return {}
    lo, hi = s.min(), s.max()
    n = (s - lo) / (hi - lo) if hi > lo else np.ones_like(s)
    return {k: v for (k, _), v in zip(lst, n)}

def zscore(lst):
    s = np.array([x[1] for x in lst])
    if len(s) == 0: return {}
    sd = s.std()
    n = (s - s.mean()) / sd if sd > 0 else np.zeros_like(s)
    return {k: v for (k, _), v in zip(lst, n)}

def combine(a, b, wa, wb, missing_a=0.0, missing_b=0.0):
    keys = set(a) | set(b)
    sc = {k: wa * a.get(k, missing_a) + wb * b.get(k, missing_b) for k in keys}
    return [k for k, _ in sorted(sc.items(), key=lambda kv: (-kv[1], kv[0]))]

cells = []
for rp in sorted(glob.glob(f"{D}/*.runs.tsv")):
    base = os.path.basename(rp)
    setname = base.split(".")[0]
    model = base[len(setname) + 1:-len(".runs.tsv")]
    cells.append((setname, model, runs_of(rp), qrels_of(f"{D}/{setname}.qrels.tsv")))
def raw_dense(lst):
    s = np.array([x[1] for x in lst]); lo = s.min()
    return {k: v - lo for (k, _), v in zip(lst, s)}
cands = {}
for w in [0.5,0.6,0.7]:
    cands[f"minmax {w}"] = (lambda w: lambda L: combine(minmax(L["bm25"]), minmax(L["dense"]), w, 1-w))(w)
for c in [0.5,0.75,1.0,1.25,1.5,2.0,3.0]:
    cands[f"mm-bm25 + {c}*(cos-min)"] = (lambda c: lambda L: combine(minmax(L["bm25"]), raw_dense(L["dense"]), 1.0, c))(c)
def rrf(lst, k):
    return {key: 1.0 / (k + i + 1) for i, (key, _) in enumerate(lst)}
def overlap(L, n=10):
    a = {k for k, _ in L["bm25"][:n]}; b = {k for k, _ in L["dense"][:n]}
    return len(a & b) / n
def spread(lst, n=10):
    s = [x[1] for x in lst]
    return (s[0] - s[min(n, len(s)) - 1]) if s else 0.0
for k in [2, 10, 30, 60, 100]:
    for w in [0.4, 0.5, 0.6]:
        cands[f"rrf k={k} w={w}"] = (lambda k, w: lambda L: combine(rrf(L["bm25"], k), rrf(L["dense"], k), w, 1 - w))(k, w)
# Overlap-adaptive: when the two top-10 lists agree, either is fine; when they disagree, lean on the list whose
# scores separate its head from its tail more (min-max spread of the top 10 within each list's top 100).
def mm_spread(lst, n=10):
    m = minmax(lst); s = [m[k] for k, _ in lst]
    return (s[0] - s[min(n, len(s)) - 1]) if s else 0.0
for base in [0.5, 0.6]:
    for g in [0.5, 1.0]:
        def f(L, base=base, g=g):
            sb, sd = mm_spread(L["bm25"]), mm_spread(L["dense"])
            t = sb / (sb + sd) if sb + sd > 0 else 0.5
            w = min(0.9, max(0.1, base + g * (t - 0.5) * (1 - overlap(L))))
            return combine(minmax(L["bm25"]), minmax(L["dense"]), w, 1 - w)
        cands[f"mm adaptive spread base={base} g={g}"] = f
# Dense raw cosine range as confidence, BM25 min-max: weight of dense = clip(a * (cos top1 - cos top100)).
for a in [1.0, 2.0, 3.0]:
    def f(L, a=a):
        d = L["dense"]; r = (d[0][1] - d[-1][1]) if d else 0.0
        wd = min(0.7, max(0.2, a * r))
        return combine(minmax(L["bm25"]), minmax(d), 1 - wd, wd)
    cands[f"mm dense weight clip(0.2,0.7,{a}*cosrange)"] = f
res = {}
for split in ["dev","test"]:
    for name, f in cands.items():
        row = []
        for setname, model, runs, q in cells:
            b = mean_ndcg(runs[split], q[split], lambda L: [k for k,_ in L["bm25"]])
            d = mean_ndcg(runs[split], q[split], lambda L: [k for k,_ in L["dense"]])
            h = mean_ndcg(runs[split], q[split], f)
            row.append(h - max(b, d))
        print(split, f"{name:28s} worst {min(row):+.4f} mean {np.mean(row):+.4f} |", " ".join(f"{m:+.4f}" for m in row), flush=True)
print([ (s, m[:12]) for s, m, _, _ in cells])

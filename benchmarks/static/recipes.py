#!/usr/bin/env python3
"""Scores distillation recipes on a raw teacher token table without redistilling.

Inputs: a float32 Model2Vec folder distilled with no PCA and no weighting
(`StaticDistill -- distill RAW --no-pca --weighting none --storage float32`), and the row ids each evaluation text
pools (`StaticDistill -- tokenize FOLDER TOK`). A recipe (normalize rows or not, PCA size, leading components dropped,
weighting) only changes the rows, never which rows a text picks, and PCA, weighting and pooling are linear, so every
recipe is scored from one pass of weighted bag sums in the teacher's space.

Selection data: SciFact *train* queries (809, train qrels) and STS-B dev; SciFact test, STS-B test and SICK are reported.

  /usr/bin/python3 benchmarks/static/recipes.py RAW TOK /work/shared
"""
import json, struct, sys, math
import numpy as np

raw, tok, shared = sys.argv[1], sys.argv[2], sys.argv[3]


def load_table(folder):
    with open(f"{folder}/model.safetensors", "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    info = header["embeddings"]
    a, b = info["data_offsets"]
    assert info["dtype"] == "F32", info["dtype"]
    return np.frombuffer(data[a:b], dtype=np.float32).reshape(info["shape"]).astype(np.float64)


def read_texts(path):
    ids, seqs = [], []
    for line in open(path, encoding="utf-8"):
        key, _, rest = line.rstrip("\n").partition("\t")
        ids.append(key)
        seqs.append(np.array(rest.split(), dtype=np.int64))
    return ids, seqs


def read_pairs(path):
    gold, a, b = [], [], []
    for line in open(path, encoding="utf-8"):
        s, x, y = line.rstrip("\n").split("\t")
        gold.append(float(s))
        a.append(np.array(x.split(), dtype=np.int64))
        b.append(np.array(y.split(), dtype=np.int64))
    return np.array(gold), a, b


def read_qrels(path):
    qrels = {}
    for i, line in enumerate(open(path)):
        parts = line.split("\t")
        if i == 0 and not parts[-1].strip().lstrip("-").isdigit():
            continue
        q, d, s = parts[0], parts[1], int(parts[2])
        qrels.setdefault(q, {})[d] = s
    return qrels


X = load_table(raw)
V, H = X.shape
print(f"raw table {V} x {H}", file=sys.stderr)


class Bags:
    """Weighted bag sums: for weights w, S = sum_t w_t x_t and W = sum_t w_t for each text."""

    def __init__(self, seqs):
        self.lengths = np.array([len(s) for s in seqs])
        self.flat = np.concatenate([s for s in seqs]) if seqs else np.zeros(0, np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]])
        self.owner = np.repeat(np.arange(len(seqs)), self.lengths)

    def sums(self, rows, w):
        # rows: V x H table already transformed per row (e.g. normalized); w: V weights
        out = np.zeros((len(self.lengths), rows.shape[1]))
        wt = np.zeros(len(self.lengths))
        step = 200_000
        for a in range(0, len(self.flat), step):
            ids = self.flat[a:a + step]
            own = self.owner[a:a + step]
            np.add.at(wt, own, w[ids])
            contrib = rows[ids] * w[ids, None]
            # reduce consecutive runs of the same owner
            change = np.concatenate([[0], np.nonzero(np.diff(own))[0] + 1])
            out[own[change]] += np.add.reduceat(contrib, change, axis=0)
        return out, wt


def embed(bag_sums, proj, mean, drop, post_norm=True):
    S, W = bag_sums
    E = (S - W[:, None] * mean[None, :]) @ proj  # PCA of every (weighted) row, summed
    if drop:
        E = E[:, drop:]
    n = np.linalg.norm(E, axis=1, keepdims=True)
    n[n == 0] = 1
    return E / n


def rank(a):
    order = a.argsort(kind="mergesort")
    r = np.empty(len(a))
    r[order] = np.arange(len(a))
    # average ties
    sa = a[order]
    i = 0
    while i < len(a):
        j = i
        while j + 1 < len(a) and sa[j + 1] == sa[i]:
            j += 1
        if j > i:
            r[order[i:j + 1]] = (i + j) / 2
        i = j + 1
    return r


def spearman(x, y):
    rx, ry = rank(x), rank(y)
    return float(np.corrcoef(rx, ry)[0, 1])


def ndcg10(Q, qids, D, dids, qrels):
    scores = Q @ D.T
    total, n = 0.0, 0
    pos = {q: i for i, q in enumerate(qids)}
    for q, rel in qrels.items():
        if q not in pos:
            continue
        s = scores[pos[q]]
        top = np.argpartition(-s, 10)[:10]
        top = top[np.argsort(-s[top], kind="stable")]
        dcg = sum(rel.get(dids[d], 0) / math.log2(i + 2) for i, d in enumerate(top))
        ideal = sorted(rel.values(), reverse=True)[:10]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        total += dcg / idcg if idcg > 0 else 0
        n += 1
    return total / n


sf_d_ids, sf_d = read_texts(f"{tok}/scifact.corpus.tsv")
sf_q_ids, sf_q = read_texts(f"{tok}/scifact.queries.tsv")
sf_train = read_qrels(f"{shared}/data/scifact/qrels/train.tsv")
sf_test = read_qrels(f"{shared}/data/scifact/qrels/test.tsv")
mm_d_ids, mm_d = read_texts(f"{tok}/msmarco-trec-dl-subset.corpus.tsv")
mm_q_ids, mm_q = read_texts(f"{tok}/msmarco-trec-dl-subset.queries.tsv")
mm_test = read_qrels(f"{shared}/data/msmarco-trec-dl-subset/qrels/test.tsv")
pairs = {name: read_pairs(f"{tok}/{name}.tsv") for name in ["sts-dev", "sts-test", "sick"]}

bags = {
    "sf_d": Bags(sf_d), "sf_q": Bags(sf_q), "mm_d": Bags(mm_d), "mm_q": Bags(mm_q),
}
for name, (_, a, b) in pairs.items():
    bags[name + "/a"] = Bags(a)
    bags[name + "/b"] = Bags(b)


def weights(kind, param):
    r = np.arange(V, dtype=np.float64)
    if kind == "zipf":
        return np.log(1 + r) ** param  # param: exponent on log-rank (1 = Model2Vec)
    if kind == "sif":
        p = 1.0 / (r + 2)
        p /= p.sum()
        return param / (param + p)
    return np.ones(V)


def pca(rows):
    mean = rows.mean(axis=0)
    C = np.cov((rows - mean).T, bias=False)
    vals, vecs = np.linalg.eigh(C)
    order = np.argsort(-vals)
    return mean, vecs[:, order]


variants = []
for normalize in [False, True]:
    for kind, params in [("zipf", [0.5, 1.0, 1.5, 2.0]), ("sif", [3e-5, 1e-4, 3e-4, 1e-3])]:
        for param in params:
            variants.append((normalize, kind, param))

only = sys.argv[4] if len(sys.argv) > 4 else None
print("| normalize | weighting | dims | drop | SciFact train nDCG@10 | STS-B dev ρ | SciFact test nDCG@10 | MS MARCO nDCG@10 | STS-B test ρ | SICK ρ |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for normalize, kind, param in variants:
    rows = X / np.linalg.norm(X, axis=1, keepdims=True) if normalize else X
    mean, vecs = pca(rows)
    w = weights(kind, param)
    sums = {k: b.sums(rows, w) for k, b in bags.items()}
    for dims in [256, 384]:
        for drop in [0, 1, 2]:
            proj = vecs[:, :dims]
            def E(k):
                return embed(sums[k], proj, mean, drop)
            res = {}
            res["sf_train"] = ndcg10(E("sf_q"), sf_q_ids, E("sf_d"), sf_d_ids, sf_train)
            res["sf_test"] = ndcg10(E("sf_q"), sf_q_ids, E("sf_d"), sf_d_ids, sf_test)
            res["mm"] = ndcg10(E("mm_q"), mm_q_ids, E("mm_d"), mm_d_ids, mm_test)
            for name, (gold, _, _) in pairs.items():
                a, b = E(name + "/a"), E(name + "/b")
                res[name] = spearman((a * b).sum(1), gold)
            print(f"| {normalize} | {kind} {param:g} | {dims} | {drop} | {res['sf_train']:.4f} | {res['sts-dev']:.4f} | {res['sf_test']:.4f} | {res['mm']:.4f} | {res['sts-test']:.4f} | {res['sick']:.4f} |", flush=True)

#!/usr/bin/python3
"""Independent NumPy reference for the static embedder's figures and timings.

Usage: /usr/bin/python3 benchmarks/static/reference.py SHARED_FOLDER
Prints "name value" lines with the same names as `dotnet run ... -- static-eval`.
Conventions: lowercase, tokens re \\w+|[^\\w\\s], unknown words skipped, mean pooling (SIF: weight a/(a+p),
p = 1/(rank*H_N), a = 1e-4; "sif" also removes the first uncentred principal component of the whole word-vector
table from each pooled vector, "sif_weights" does not, "sif_pc" removes one fitted on the task's text), cosine,
exact search, ties by doc id descending (trec_eval), documents are title + " " + text, queries without relevant
documents left out, nDCG with linear gain.
"""
import json, math, re, sys, time
import numpy as np

shared = sys.argv[1]
A = 1e-4
TOKEN = re.compile(r'\w+|[^\w\s]')


def load(path):
    data = open(path, 'rb').read()
    nl = data.index(b'\n')
    n, d = map(int, data[:nl].split())
    pos = nl + 1
    words, vecs = {}, np.zeros((n, d), np.float32)
    for i in range(n):
        while data[pos:pos + 1] == b'\n':
            pos += 1
        sp = data.index(b' ', pos)
        words.setdefault(data[pos:sp].decode('utf-8'), i)
        pos = sp + 1
        vecs[i] = np.frombuffer(data, np.float32, d, pos)
        pos += 4 * d
    return words, vecs


loads = []
for _ in range(5):
    t = time.perf_counter()
    words, vecs = load(shared + '/models/glove-6B-100d-top100k/vectors.bin')
    loads.append((time.perf_counter() - t) * 1000)
print('load_ms_median %.4f' % sorted(loads)[2])
n, d = vecs.shape
H = np.sum(1.0 / np.arange(1, n + 1))
sif_weight = (A / (A + 1.0 / (np.arange(1, n + 1) * H))).astype(np.float32)
# The model's common component: leading eigenvector of the uncentred Gram matrix of the table (float64).
table64 = vecs.astype(np.float64)
model_pc = np.linalg.eigh(table64.T @ table64)[1][:, -1]
del table64


def embed(text, sif):
    ids = [words[t] for t in TOKEN.findall(text.lower()) if t in words]
    if not ids:
        return np.zeros(d, np.float32)
    v = vecs[ids]
    if sif:
        v = v * sif_weight[ids][:, None]
    return v.mean(0)


def unit(m):
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return m / norms


def first_pc(m):
    _, _, vt = np.linalg.svd(m, full_matrices=False)
    return vt[0]


def remove(m, pc):
    return m if pc is None else m - np.outer(m @ pc, pc)


def beir(name, sif, pc, model=False):
    root = shared + '/data/' + name
    corpus = [json.loads(l) for l in open(root + '/corpus.jsonl')]
    queries = {q['_id']: q['text'] for q in map(json.loads, open(root + '/queries.jsonl'))}
    qrels = {}
    for i, line in enumerate(open(root + '/qrels/test.tsv')):
        if i:
            q, c, s = line.rstrip('\n').split('\t')
            qrels.setdefault(q, {})[c] = int(s)
    raw = np.stack([embed((c.get('title', '') + ' ' + c['text']).strip(), sif) for c in corpus])
    component = first_pc(raw) if pc else model_pc if model else None
    docs = unit(remove(raw, component))
    ids = [c['_id'] for c in corpus]
    scores = []
    for q, rel in qrels.items():
        if not any(g > 0 for g in rel.values()):
            continue
        qv = unit(remove(embed(queries[q], sif)[None, :], component))[0]
        s = docs @ qv
        top = sorted(range(len(ids)), key=lambda j: (-s[j], [-ord(ch) for ch in ids[j]]))[:10]
        dcg = sum(max(rel.get(ids[j], 0), 0) / math.log2(r + 2) for r, j in enumerate(top))
        ideal = sorted((g for g in rel.values() if g > 0), reverse=True)[:10]
        scores.append(dcg / sum(g / math.log2(r + 2) for r, g in enumerate(ideal)))
    return float(np.mean(scores))


def sts_pairs(split):
    pairs = []
    for line in open(shared + '/data/stsbenchmark/sts-%s.csv' % split, encoding='utf-8'):
        f = line.rstrip('\n').split('\t')
        pairs.append((float(f[4]), f[5], f[6]))
    return pairs


def average_ranks(x):
    x = np.asarray(x)
    order = np.argsort(x, kind='mergesort')
    ranks = np.empty(len(x))
    xs = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and xs[j + 1] == xs[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def sts(sif, pc, model=False):
    pairs = sts_pairs('test')
    component = model_pc if model else None
    if pc:
        component = first_pc(np.stack([embed(s, sif) for p in sts_pairs('train') for s in p[1:]]))
    a = unit(remove(np.stack([embed(p[1], sif) for p in pairs]), component))
    b = unit(remove(np.stack([embed(p[2], sif) for p in pairs]), component))
    cos = (a * b).sum(1)
    return float(np.corrcoef(average_ranks([p[0] for p in pairs]), average_ranks(cos))[0, 1])


sentences = [s for p in sts_pairs('test') for s in p[1:]]
for name, sif in (('mean', False), ('sif', True)):
    rates = []
    for _ in range(5):
        t = time.perf_counter()
        for s in sentences:
            v = embed(s, sif)
            if sif:
                v = v - (v @ model_pc) * model_pc
        rates.append(len(sentences) / (time.perf_counter() - t))
    print('embed_sentences_per_s_%s %.4f' % (name, sorted(rates)[2]))

for name, sif, model in (('mean', False, False), ('sif_weights', True, False), ('sif', True, True)):
    print('scifact_ndcg10_%s %.4f' % (name, beir('scifact', sif, False, model)))
    print('msmarco_ndcg10_%s %.4f' % (name, beir('msmarco-trec-dl-subset', sif, False, model)))
    print('stsb_spearman_%s %.4f' % (name, sts(sif, False, model)))
print('scifact_ndcg10_sif_pc %.4f' % beir('scifact', True, True))
print('msmarco_ndcg10_sif_pc %.4f' % beir('msmarco-trec-dl-subset', True, True))
print('stsb_spearman_sif_pc %.4f' % sts(True, True))

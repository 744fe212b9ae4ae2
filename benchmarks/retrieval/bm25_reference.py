#!/usr/bin/python3
"""Independent BM25 reference (NumPy) for Embeddings.Core's Bm25Index.

Okapi BM25, k1 0.9, b 0.4, Lucene idf log(1 + (N - n + 0.5) / (n + 0.5)), lowercased \\w+ tokens, no stemming,
documents title + " " + text. Prints nDCG@10 (linear gain, trec_eval), Recall@100, MRR@10 and timings as
`key value` lines, so compare.sh can put them beside the C# figures.
usage: bm25_reference.py SHARED_DIR [dataset ...]
"""
import json, math, re, sys, time
from collections import Counter, defaultdict
import numpy as np

TOKEN = re.compile(r"\w+")


def load(directory):
    corpus = [json.loads(l) for l in open(f"{directory}/corpus.jsonl", encoding="utf-8")]
    queries = {q["_id"]: q["text"] for q in map(json.loads, open(f"{directory}/queries.jsonl", encoding="utf-8"))}
    qrels = defaultdict(dict)
    with open(f"{directory}/qrels/test.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            q, d, s = line.rstrip("\n").split("\t")
            qrels[q][d] = int(s)
    return corpus, queries, qrels


def build(corpus, k1=0.9, b=0.4):
    postings = defaultdict(lambda: ([], []))
    lengths = np.zeros(len(corpus))
    for i, doc in enumerate(corpus):
        tokens = TOKEN.findall(((doc.get("title") or "") + " " + doc["text"]).lower())
        lengths[i] = len(tokens)
        for term, tf in Counter(tokens).items():
            docs, tfs = postings[term]
            docs.append(i)
            tfs.append(tf)
    norm = k1 * (1 - b + b * lengths / lengths.mean())
    return {t: (np.array(d), np.array(f, dtype=np.float64)) for t, (d, f) in postings.items()}, norm


def search(index, norm, query, k=100, k1=0.9):
    postings = index
    n_docs = len(norm)
    scores = np.zeros(n_docs)
    for term, count in Counter(TOKEN.findall(query.lower())).items():
        if term not in postings:
            continue
        docs, tfs = postings[term]
        idf = math.log(1 + (n_docs - len(docs) + 0.5) / (len(docs) + 0.5))
        scores[docs] += count * idf * tfs * (k1 + 1) / (tfs + norm[docs])
    nonzero = np.flatnonzero(scores)
    top = nonzero[np.argsort(-scores[nonzero], kind="stable")][:k]
    return top


def metrics(ranking, judged):
    relevant = {d: g for d, g in judged.items() if g > 0}
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranking[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    recall = len(set(ranking[:100]) & set(relevant)) / len(relevant)
    rr = next((1 / (i + 1) for i, d in enumerate(ranking[:10]) if d in relevant), 0.0)
    return dcg / idcg, recall, rr


def main():
    shared = sys.argv[1]
    for name in sys.argv[2:] or ["scifact", "msmarco-trec-dl-subset"]:
        corpus, queries, qrels = load(f"{shared}/data/{name}")
        start = time.perf_counter()
        index, norm = build(corpus)
        build_ms = (time.perf_counter() - start) * 1000
        ids = [d["_id"] for d in corpus]
        judged = [q for q in sorted(qrels) if any(g > 0 for g in qrels[q].values())]
        totals, latencies = np.zeros(3), []
        for q in judged:
            start = time.perf_counter()
            top = search(index, norm, queries[q])
            latencies.append((time.perf_counter() - start) * 1000)
            totals += metrics([ids[i] for i in top], qrels[q])
        totals /= len(judged)
        print(f"{name}_queries {len(judged)}")
        print(f"{name}_ndcg10 {totals[0]:.4f}")
        print(f"{name}_recall100 {totals[1]:.4f}")
        print(f"{name}_mrr10 {totals[2]:.4f}")
        print(f"{name}_build_ms {build_ms:.1f}")
        print(f"{name}_query_ms_p50 {np.median(latencies):.3f}")


if __name__ == "__main__":
    main()

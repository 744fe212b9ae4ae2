#!/usr/bin/python3
"""Interleaved comparison of our FlatIndex/HnswIndex with hnswlib 0.6.2 and FAISS 1.7.3 on GloVe-100 (cosine, k=10).

Driven by run.sh. The C# harness runs as a child process that obeys line commands, so every measurement of ours
sits next to the matching hnswlib/FAISS measurement in time; each row is the median over --rounds rounds.
QPS is queries per CPU-second of the one searching thread (CLOCK_THREAD_CPUTIME_ID on both sides): the machine is
shared with other builds, and wall time there measures the scheduler more than the search. Build times are given as
wall seconds and as process CPU seconds.
"""
import os

# One BLAS/OpenMP thread, set before numpy and faiss load their thread pools: thread CPU time then covers all the work.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import statistics
import struct
import subprocess
import sys
import time

import faiss
import hnswlib
import numpy as np


def read_word2vec(path):
    with open(path, "rb") as f:
        data = f.read()
    nl = data.index(b"\n")
    count, dims = map(int, data[:nl].split())
    pos = nl + 1
    words = []
    vectors = np.empty((count, dims), dtype=np.float32)
    for i in range(count):
        while data[pos:pos + 1] == b"\n":
            pos += 1
        sp = data.index(b" ", pos)
        words.append(data[pos:sp].decode("utf-8"))
        pos = sp + 1
        vectors[i] = np.frombuffer(data, dtype="<f4", count=dims, offset=pos)
        pos += dims * 4
    return words, vectors


def normalize(x):
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return (x / norms).astype(np.float32)


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def recall(found, truth):
    hits = sum(len(set(found[q]) & set(truth[q])) for q in range(len(truth)))
    return hits / truth.size


class Ours:
    def __init__(self, cmd):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        line = self.p.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError("harness did not start: " + line)

    def ask(self, command):
        self.p.stdin.write(command + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline().split()
        if not line or line[0].startswith("error"):
            raise RuntimeError(f"harness failed on {command}: {line}")
        return line

    def close(self):
        self.p.stdin.write("quit\n")
        self.p.stdin.flush()
        self.p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--harness", required=True, nargs="+")
    ap.add_argument("--gt", default="/tmp/glove-ann-gt.bin")
    ap.add_argument("--truth", default=None,
                    help="precomputed exact top-k (int32, queries x k); checked against numpy's and used instead")
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--efc", type=int, default=200)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--efs", default="10,20,40,80,160,320")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--build-rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2, help="build threads for both hnswlib and ours")
    ap.add_argument("--limit", type=int, default=None, help="use only the first LIMIT base vectors (quick checks)")
    ap.add_argument("--deletes", type=float, default=None, metavar="FRACTION",
                    help="only measure our recall before and after deleting FRACTION of the records and inserting them again")
    args = ap.parse_args()
    k = args.k
    efs = [int(e) for e in args.efs.split(",")]

    _, base = read_word2vec(args.base)
    if args.limit is not None:
        base = base[:args.limit]
    _, queries = read_word2vec(args.queries)
    base_n = normalize(base)
    queries_n = normalize(queries)
    truth = np.argsort(-(queries_n @ base_n.T), axis=1)[:, :k].astype(np.int32)
    if args.truth is not None:
        cached = np.fromfile(args.truth, dtype="<i4").reshape(len(queries), k)
        agree = np.mean([len(set(a) & set(b)) / k for a, b in zip(cached, truth)])
        print(f"# cached ground truth {args.truth}: {agree:.4f} of its top-{k} ids agree with numpy's", flush=True)
        truth = cached
    if os.path.abspath(args.gt) != os.path.abspath(args.truth or ""):
        truth.tofile(args.gt)
    n, dims = base.shape
    print(f"# {n} base vectors, {len(queries)} queries, {dims} dims, cosine, k={k}, M={args.m}, efConstruction={args.efc}", flush=True)
    print(f"# uptime: {os.popen('uptime').read().strip()}", flush=True)

    faiss.omp_set_num_threads(1)
    ours = Ours(args.harness + ["--base", args.base, "--queries", args.queries, "--gt", args.gt,
                                "--m", str(args.m), "--efc", str(args.efc), "--threads", str(args.threads), "--k", str(k),
                                "--limit", str(len(base))])

    if args.deletes is not None:
        return churn(ours, args, efs)

    builds = {"ours-hnsw": [], "hnswlib": [], "ours-flat": [], "faiss-flat": []}
    build_cpu = {"ours-hnsw": [], "hnswlib": [], "ours-flat": [], "faiss-flat": []}
    memory = {}
    hnsw = None
    for r in range(args.build_rounds):
        reply = ours.ask("build-hnsw")
        builds["ours-hnsw"].append(float(reply[1]))
        build_cpu["ours-hnsw"].append(float(reply[4]))
        memory["ours-hnsw"] = float(reply[2])
        print(f"# build round {r + 1}: ours {reply[1]} s", flush=True)

        hnsw = None
        before = rss_bytes()
        start = time.perf_counter()
        cpu = time.process_time()
        hnsw = hnswlib.Index(space="cosine", dim=dims)
        hnsw.init_index(max_elements=n, ef_construction=args.efc, M=args.m, random_seed=42)
        hnsw.add_items(base, np.arange(n), num_threads=args.threads)
        builds["hnswlib"].append(time.perf_counter() - start)
        build_cpu["hnswlib"].append(time.process_time() - cpu)
        memory["hnswlib"] = (rss_bytes() - before) / n
        print(f"# build round {r + 1}: hnswlib {builds['hnswlib'][-1]:.3f} s", flush=True)

    reply = ours.ask("build-flat")
    builds["ours-flat"].append(float(reply[1]))
    build_cpu["ours-flat"].append(float(reply[4]))
    memory["ours-flat"] = float(reply[2])
    before = rss_bytes()
    start = time.perf_counter()
    cpu = time.process_time()
    flat = faiss.IndexFlatIP(dims)
    flat.add(base_n)
    builds["faiss-flat"].append(time.perf_counter() - start)
    build_cpu["faiss-flat"].append(time.process_time() - cpu)
    memory["faiss-flat"] = (rss_bytes() - before) / n

    hnsw.set_num_threads(1)
    results = {}

    def record(name, rec, qps):
        results.setdefault(name, {"recall": rec, "qps": []})["qps"].append(qps)

    for r in range(args.rounds):
        for ef in efs:
            reply = ours.ask(f"search-hnsw {ef}")
            record(("ours-hnsw", ef), float(reply[2]), float(reply[3]))

            hnsw.set_ef(max(ef, k))
            hnsw.knn_query(queries, k=k, num_threads=1)  # warm-up pass, as ours does
            start = time.thread_time()
            labels, _ = hnsw.knn_query(queries, k=k, num_threads=1)
            record(("hnswlib", ef), recall(labels, truth), len(queries) / (time.thread_time() - start))

        reply = ours.ask("search-flat")
        record(("ours-flat", 0), float(reply[1]), float(reply[2]))

        flat.search(queries_n[:10], k)
        start = time.thread_time()
        found = np.empty((len(queries), k), dtype=np.int64)
        for q in range(len(queries)):
            # One query per call: FAISS takes its single-query SIMD scan path, as our Search does.
            _, found[q:q + 1] = flat.search(queries_n[q:q + 1], k)
        record(("faiss-flat-1", 0), recall(found, truth), len(queries) / (time.thread_time() - start))

        start = time.thread_time()
        _, found = flat.search(queries_n, k)
        record(("faiss-flat-batch", 0), recall(found, truth), len(queries) / (time.thread_time() - start))
        print(f"# search round {r + 1} done", flush=True)

    ours.close()
    print(f"# uptime: {os.popen('uptime').read().strip()}", flush=True)

    def build_col(name):
        return statistics.median(builds[name])

    def build_text(name, threads):
        return f"{statistics.median(builds[name]):.1f} / {statistics.median(build_cpu[name]):.1f} ({threads})"

    print()
    print("| index | efSearch | recall@10 | QPS per CPU-second (1 thread, median) | build wall s / CPU s (threads) | bytes/vector |")
    print("|---|---:|---:|---:|---:|---:|")
    for ef in efs:
        for name in ("ours-hnsw", "hnswlib"):
            row = results[(name, ef)]
            label = "ours HnswIndex" if name == "ours-hnsw" else "hnswlib 0.6.2"
            print(f"| {label} | {ef} | {row['recall']:.4f} | {statistics.median(row['qps']):,.0f} | "
                  f"{build_text(name, args.threads)} | {memory[name]:,.0f} |")
    for name, label, b, mem in (("ours-flat", "ours FlatIndex, 1 query/call", "ours-flat", "ours-flat"),
                                ("faiss-flat-1", "FAISS IndexFlatIP, 1 query/call", "faiss-flat", "faiss-flat"),
                                ("faiss-flat-batch", "FAISS IndexFlatIP, 1000 queries/call (BLAS)", "faiss-flat", "faiss-flat")):
        row = results[(name, 0)]
        print(f"| {label} | - | {row['recall']:.4f} | {statistics.median(row['qps']):,.0f} | {build_text(b, 1)} | {memory[mem]:,.0f} |")

    h = {ef: (results[("ours-hnsw", ef)], results[("hnswlib", ef)]) for ef in efs}
    print()
    for ef in efs:
        o, t = h[ef]
        print(f"# ef={ef}: QPS ratio ours/hnswlib = {statistics.median(o['qps']) / statistics.median(t['qps']):.2f}, "
              f"recall ours {o['recall']:.4f} vs {t['recall']:.4f}")
    print(f"# build ratio ours/hnswlib = {build_col('ours-hnsw') / build_col('hnswlib'):.2f} wall, "
          f"{statistics.median(build_cpu['ours-hnsw']) / statistics.median(build_cpu['hnswlib']):.2f} CPU; "
          f"memory ratio = {memory['ours-hnsw'] / memory['hnswlib']:.2f}; "
          f"flat QPS ratio ours/FAISS(1 query/call) = {statistics.median(results[('ours-flat', 0)]['qps']) / statistics.median(results[('faiss-flat-1', 0)]['qps']):.2f}")


def churn(ours, args, efs):
    """Recall of one build before and after deleting args.deletes of its records and inserting them again; --rounds builds."""
    rows = {ef: ([], []) for ef in efs}
    for r in range(args.rounds):
        reply = ours.ask(f"churn-hnsw {args.deletes} {','.join(map(str, efs))}")
        print(f"# round {r + 1}: {reply[1]} records deleted and reinserted in {reply[2]} s wall", flush=True)
        for field in reply[3:]:
            ef, before, after = field.split(":")
            rows[int(ef)][0].append(float(before))
            rows[int(ef)][1].append(float(after))
    ours.close()
    print(f"# uptime: {os.popen('uptime').read().strip()}", flush=True)
    print()
    print(f"| efSearch | recall@10 fresh build | after {args.deletes:.0%} deletes + reinserts | gap (median) | gap (worst round) |")
    print("|---:|---:|---:|---:|---:|")
    for ef in efs:
        before, after = rows[ef]
        gaps = [b - a for b, a in zip(before, after)]
        print(f"| {ef} | {statistics.median(before):.4f} | {statistics.median(after):.4f} | {statistics.median(gaps):+.4f} | {max(gaps):+.4f} |")


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""FAISS 1.7.3 anchor for benchmarks/quantization/run.sh: exact scans over SQ8, binary and PQ codes, one thread.

Prints one JSON object (one line) with build/train times, search QPS and recall@10 against exact float search.
Vectors are L2-normalized first (cosine = inner product), exactly as the C# harness does.
"""
import json
import sys
import time

import faiss
import numpy as np


def read_word2vec(path):
    with open(path, "rb") as f:
        data = f.read()
    newline = data.index(b"\n")
    count, dim = map(int, data[:newline].split())
    vectors = np.empty((count, dim), dtype=np.float32)
    pos = newline + 1
    for i in range(count):
        while data[pos] in b" \n\r\t":
            pos += 1
        space = data.index(b" ", pos)
        pos = space + 1
        vectors[i] = np.frombuffer(data, dtype="<f4", count=dim, offset=pos)
        pos += 4 * dim
    return vectors


def normalize(x):
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return (x / norms).astype(np.float32)


def recall(found, truth, k):
    return float(np.mean([len(set(found[i, :k]) & set(truth[i, :k])) / k for i in range(truth.shape[0])]))


def main():
    base_path, query_path, m, nbits, iterations, k = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), 10
    only = sys.argv[6].split(",") if len(sys.argv) > 6 else ["int8", "binary", "pq"]
    faiss.omp_set_num_threads(1)
    xb = normalize(read_word2vec(base_path))
    xq = normalize(read_word2vec(query_path))
    n, d = xb.shape
    result = {"engine": "faiss " + faiss.__version__, "n": n, "d": d, "queries": xq.shape[0], "k": k, "m": m, "nbits": nbits}

    t, c = time.perf_counter(), time.process_time()
    flat = faiss.IndexFlatIP(d)
    flat.add(xb)
    _, truth = flat.search(xq, k)
    result["float32_search_s"] = time.perf_counter() - t
    result["float32_search_cpu_s"] = time.process_time() - c

    if "int8" in only:
        scalar_int8(xb, xq, truth, d, k, result)
    if "binary" in only:
        binary_flat(xb, xq, truth, d, k, result)
    if "pq" in only:
        product(xb, xq, truth, d, k, m, nbits, iterations, result)
    print(json.dumps(result), flush=True)


def scalar_int8(xb, xq, truth, d, k, result):
    sq = faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    t, c = time.perf_counter(), time.process_time()
    sq.train(xb)
    result["int8_train_s"] = time.perf_counter() - t
    result["int8_train_cpu_s"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    sq.add(xb)
    result["int8_encode_s"] = time.perf_counter() - t
    result["int8_encode_cpu_s"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    _, found = sq.search(xq, k)
    result["int8_search_s"] = time.perf_counter() - t
    result["int8_search_cpu_s"] = time.process_time() - c
    result["int8_recall"] = recall(found, truth, k)
    result["int8_bytes"] = sq.code_size



def binary_flat(xb, xq, truth, d, k, result):
    # Binary: sign bits, padded to a multiple of 8 bits (IndexBinaryFlat needs whole bytes; padding bits are 0 everywhere).
    bits = ((d + 7) // 8) * 8
    def pack(x):
        signs = np.zeros((x.shape[0], bits), dtype=np.uint8)
        signs[:, :d] = x > 0
        return np.packbits(signs, axis=1, bitorder="little")
    t, c = time.perf_counter(), time.process_time()
    bb = pack(xb)
    binary = faiss.IndexBinaryFlat(bits)
    binary.add(bb)
    result["binary_encode_s"] = time.perf_counter() - t
    result["binary_encode_cpu_s"] = time.process_time() - c
    bq = pack(xq)
    t, c = time.perf_counter(), time.process_time()
    _, found = binary.search(bq, k)
    result["binary_search_s"] = time.perf_counter() - t
    result["binary_search_cpu_s"] = time.process_time() - c
    result["binary_recall"] = recall(found, truth, k)
    result["binary_bytes"] = binary.code_size



def product(xb, xq, truth, d, k, m, nbits, iterations, result):
    # Product quantization, same m, nbits and iterations.
    pq = faiss.IndexPQ(d, m, nbits, faiss.METRIC_INNER_PRODUCT)
    pq.pq.cp.niter = iterations
    t, c = time.perf_counter(), time.process_time()
    pq.train(xb)
    result["pq_train_s"] = time.perf_counter() - t
    result["pq_train_cpu_s"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    pq.add(xb)
    result["pq_encode_s"] = time.perf_counter() - t
    result["pq_encode_cpu_s"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    _, found = pq.search(xq, k)
    result["pq_search_s"] = time.perf_counter() - t
    result["pq_search_cpu_s"] = time.process_time() - c
    result["pq_recall"] = recall(found, truth, k)
    result["pq_bytes"] = pq.code_size


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Median table of benchmarks/quantization/run.sh: ours vs FAISS per representation, with ratios and verdicts."""
import json
import statistics
import sys


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def med(rows, key):
    return statistics.median(r[key] for r in rows)


def main():
    ours, faiss = load(sys.argv[1]), load(sys.argv[2])
    q = ours[0]["queries"]
    print(f"GloVe {ours[0]['n']} x {ours[0]['d']}, {q} queries, k={ours[0]['k']}, one thread, PQ m={ours[0]['m']} nbits={ours[0]['nbits']}; "
          f"medians of {len(ours)} runs of ours and {len(faiss)} of FAISS, interleaved; QPS from CPU seconds (wall-clock QPS in brackets)")
    print()
    print("| codes | bytes/vector ours / FAISS | recall@10 ours | recall@10 FAISS | Δ recall | QPS ours | QPS FAISS | QPS ratio | verdict |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in ("int8", "binary", "pq", "pq_packed"):
        if name + "_recall" not in ours[0]:
            continue
        anchor = "pq" if name == "pq_packed" else name
        ro, rf = med(ours, name + "_recall"), med(faiss, anchor + "_recall")
        qo, qf = q / med(ours, name + "_search_cpu_s"), q / med(faiss, anchor + "_search_cpu_s")
        wo, wf = q / med(ours, name + "_search_s"), q / med(faiss, anchor + "_search_s")
        ok = abs(ro - rf) <= 0.01 or ro > rf
        verdict = "pass" if ok and qo >= qf else "FAIL"
        label = {"pq": "pq (back-to-back codes)", "pq_packed": "pq (PackedProductCodes, 64-code blocks)"}.get(name, name)
        print(f"| {label} | {ours[0][name + '_bytes']} / {faiss[0][anchor + '_bytes']} | {ro:.4f} | {rf:.4f} | {ro - rf:+.4f} | {qo:,.0f} ({wo:,.0f}) | {qf:,.0f} ({wf:,.0f}) | {qo / qf:.2f}x | {verdict} |")
    to, tf = med(ours, "pq_train_cpu_s"), med(faiss, "pq_train_cpu_s")
    wto, wtf = med(ours, "pq_train_s"), med(faiss, "pq_train_s")
    print()
    print(f"PQ training (m={ours[0]['m']}, nbits={ours[0]['nbits']}, same iterations, 100k vectors given, FAISS-sized sample): "
          f"ours {to:.2f} s CPU ({wto:.2f} s wall), FAISS {tf:.2f} s CPU ({wtf:.2f} s wall): {to / tf:.2f}x FAISS's time "
          f"({'pass' if to <= 2 * tf else 'FAIL'}, target <= 2x)")
    if "pq_packed_pack_cpu_s" in ours[0]:
        print(f"Packing the PQ codes into 64-code blocks: {med(ours, 'pq_packed_pack_cpu_s') * 1000:.1f} ms CPU, once per index "
              f"(byte-table first pass on this CPU: {ours[0]['pq_packed_accelerated']})")
    print(f"Exact float32 scan QPS: ours {q / med(ours, 'float32_search_cpu_s'):,.0f}, FAISS IndexFlatIP {q / med(faiss, 'float32_search_cpu_s'):,.0f}")


if __name__ == "__main__":
    main()

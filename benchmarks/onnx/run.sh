#!/usr/bin/env bash
# ONNX embedder benchmark on the all-MiniLM-L6-v2-shaped model over the first sentences of the 1,379 STS-B test pairs:
#   (a) OnnxEmbedder end to end vs bare InferenceSession.Run on the same pre-tokenized batches (overhead),
#   (b) OnnxEmbedder vs transformers.js feature-extraction (same model file, same intra-op threads).
# The two processes alternate over ROUNDS rounds; each round times REPS repetitions after a warm-up.
# Usage: bash benchmarks/onnx/run.sh            (env: THREADS=1 BATCH=32 ROUNDS=3 REPS=3)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SHARED="${EMBEDDINGS_SHARED:-$ROOT/../shared}"
[ -d "$SHARED/models" ] || SHARED="$ROOT/shared"
THREADS="${THREADS:-1}" BATCH="${BATCH:-32}" ROUNDS="${ROUNDS:-3}" REPS="${REPS:-3}"
MODELS="$ROOT/.models"
NAME="all-MiniLM-L6-v2-shaped"
MODEL="$MODELS/$NAME"
SENTENCES="$MODELS/sts-test-sentence1.txt"
BENCH_DIR="$ROOT/benchmarks/onnx"

if [ ! -f "$MODEL/onnx/model.onnx" ]; then
  echo "generating $MODEL (about 90 MB) ..." >&2
  rm -rf "$MODEL.tmp" && mkdir -p "$MODEL.tmp"
  /usr/bin/python3 "$SHARED/tools/make-bert-onnx.py" "$MODEL.tmp" --vocab "$SHARED/models/bert-tiny-random/vocab.txt" \
    --tokenizer-dir "$SHARED/models/bert-tiny-random" --layers 6 --hidden 384 --heads 12 --intermediate 1536 >&2
  mkdir -p "$MODEL.tmp/onnx" "$MODEL.tmp/1_Pooling"
  mv "$MODEL.tmp/model.onnx" "$MODEL.tmp/onnx/model.onnx"
  chmod -R u+w "$MODEL.tmp"
  cp "$SHARED/models/bert-tiny-random/modules.json" "$MODEL.tmp/"
  printf '{"max_seq_length": 256, "do_lower_case": false}\n' > "$MODEL.tmp/sentence_bert_config.json"
  printf '{"word_embedding_dimension": 384, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}\n' > "$MODEL.tmp/1_Pooling/config.json"
  rm -rf "$MODEL" && mv "$MODEL.tmp" "$MODEL"
fi

if [ ! -f "$SENTENCES" ]; then
  cut -f6 "$SHARED/data/stsbenchmark/sts-test.csv" > "$SENTENCES"
fi

if [ ! -d "$BENCH_DIR/node_modules/@huggingface/transformers" ]; then
  (cd "$BENCH_DIR" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund >&2)
fi

dotnet build "$ROOT/benchmarks/Embeddings.Benchmarks" -c Release -v quiet -nologo >&2
DLL="$ROOT/benchmarks/Embeddings.Benchmarks/bin/Release/net10.0/Embeddings.Benchmarks.dll"

RESULTS="$(mktemp)"
LOAD_BEFORE="$(uptime)"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then order="dotnet node"; else order="node dotnet"; fi
  for side in $order; do
    if [ "$side" = dotnet ]; then
      dotnet "$DLL" onnx-compare "$MODEL" "$SENTENCES" "$THREADS" "$BATCH" "$REPS" >> "$RESULTS"
    else
      (cd "$BENCH_DIR" && node transformersjs.mjs "$MODELS" "$NAME" "$SENTENCES" "$THREADS" "$BATCH" "$REPS") >> "$RESULTS"
    fi
  done
  echo "round $round done" >&2
done
LOAD_AFTER="$(uptime)"

/usr/bin/python3 - "$RESULTS" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
ours = [s for r in rows if r['side'] == 'dotnet' for s in r['ours']]
raw = [s for r in rows if r['side'] == 'dotnet' for s in r['raw']]
tjs = [s for r in rows if r['side'] == 'transformers.js' for s in r['seconds']]
n = rows[0]['sentences']
pairs = [o / r for d in rows if d['side'] == 'dotnet' for o, r in zip(d['ours'], d['raw'])]
m_ours, m_raw, m_tjs = statistics.median(ours), statistics.median(raw), statistics.median(tjs)
print(f"sentences={n} threads={rows[0]['threads']} batch={rows[0]['batch']} timed repetitions: ours/raw {len(ours)}, transformers.js {len(tjs)}")
print("| measurement | median seconds | sentences/s |")
print("|---|---:|---:|")
print(f"| OnnxEmbedder.GenerateAsync (tokenize, sort, pad, run, pool, normalize) | {m_ours:.3f} | {n / m_ours:.0f} |")
print(f"| bare InferenceSession.Run on the same pre-tokenized batches | {m_raw:.3f} | {n / m_raw:.0f} |")
print(f"| transformers.js feature-extraction (mean, normalize) | {m_tjs:.3f} | {n / m_tjs:.0f} |")
print(f"overhead over bare Run: median of paired ratios {100 * (statistics.median(pairs) - 1):+.1f}% (ratio of medians {100 * (m_ours / m_raw - 1):+.1f}%)")
print(f"throughput vs transformers.js: {m_tjs / m_ours:.2f}x")
print(f"load before: {sys.argv[2].strip()}")
print(f"load after:  {sys.argv[3].strip()}")
PY
rm -f "$RESULTS"

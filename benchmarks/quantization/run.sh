#!/usr/bin/env bash
# Quantized exact scans (int8, binary, PQ) vs FAISS 1.7.3 on GloVe 100k, k=10, one thread, in one run:
# ours and FAISS alternate REPS times; report.py prints medians and ratios.
#   bash benchmarks/quantization/run.sh [REPS=3] [M=20] [NBITS=8] [ITERATIONS=25]
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS="${1:-3}"; M="${2:-20}"; NBITS="${3:-8}"; ITERATIONS="${4:-25}"
SHARED="${EMBEDDINGS_SHARED:-$PWD/../shared}"
[ -d "$SHARED" ] || SHARED=/work/shared
BASE="$SHARED/models/glove-6B-100d-top100k/vectors.bin"
QUERIES="$SHARED/data/glove-ann/queries-dev.bin"
OUT="$(mktemp -d)"
export DOTNET_gcServer=0 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
dotnet build -c Release benchmarks/Embeddings.Benchmarks -v q -nologo >/dev/null
DLL=benchmarks/Embeddings.Benchmarks/bin/Release/net10.0/Embeddings.Benchmarks.dll
for rep in $(seq 1 "$REPS"); do
  echo "rep $rep/$REPS: ours ($(uptime | sed 's/.*load/load/'))" >&2
  dotnet "$DLL" quantization "$BASE" "$QUERIES" "$M" "$NBITS" "$ITERATIONS" >>"$OUT/ours.jsonl"
  echo "rep $rep/$REPS: faiss ($(uptime | sed 's/.*load/load/'))" >&2
  /usr/bin/python3 benchmarks/quantization/faiss_anchor.py "$BASE" "$QUERIES" "$M" "$NBITS" "$ITERATIONS" >>"$OUT/faiss.jsonl"
done
/usr/bin/python3 benchmarks/quantization/report.py "$OUT/ours.jsonl" "$OUT/faiss.jsonl"
echo "raw results: $OUT" >&2

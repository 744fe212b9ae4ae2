#!/usr/bin/env bash
# BM25: Embeddings.Core's Bm25Index (through samples/RetrievalEval) beside the independent NumPy reference
# bm25_reference.py, interleaved twice on the same machine; prints both outputs and the load.
# usage: bash benchmarks/retrieval/compare.sh [SHARED_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
shared="${1:-${EMBEDDINGS_SHARED:-../shared}}"
dotnet build samples/RetrievalEval -c Release -nologo -v q >/dev/null
for run in 1 2; do
  echo "::: run $run  $(uptime)"
  EMBEDDINGS_SHARED="$shared" dotnet run -c Release --no-build --project samples/RetrievalEval 2>/dev/null | grep -E '^\| [a-z].*\| BM25 \|'
  /usr/bin/python3 benchmarks/retrieval/bm25_reference.py "$shared"
done

#!/usr/bin/env bash
# pgvector figures for benchmarks/RESULTS.md (section pgvector):
#   1. load the 100,000 GloVe vectors (rows/s and the bulk path taken), build HNSW (m 16, ef_construction 64),
#      recall@10 and latency at ef_search 40, 80, 160 over the 1,000 dev queries against exact ground truth,
#      interleaved with our in-process HnswIndex at the same M and ef_construction;
#   2. kill the server part way through a load, then load again against a fresh server.
# The server is EMBEDDINGS_PG_CONNECTION when set (a native PostgreSQL with pgvector), else PGlite
# (run .ci/setup.d/pgvector.sh once). Usage: bash benchmarks/pgvector/run.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/pgvector-bench}
mkdir -p "$out"
bash .ci/setup.d/pgvector.sh
dotnet build benchmarks/Embeddings.Benchmarks -c Release -v q -nologo
bench=benchmarks/Embeddings.Benchmarks/bin/Release/net10.0/Embeddings.Benchmarks.dll
uptime | tee "$out/load.txt"
dotnet "$bench" pgvector load --m 16 --ef-construction 64 --ef 40,80,160 --out "$out/load-summary.txt" | tee -a "$out/load.txt"
dotnet "$bench" pgvector crash --limit 20000 | tee "$out/crash.txt"
uptime | tee -a "$out/load.txt"

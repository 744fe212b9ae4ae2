#!/usr/bin/env bash
# One command: builds the harness, then measures our FlatIndex/HnswIndex against hnswlib 0.6.2 and FAISS 1.7.3
# (/usr/bin/python3) on the 100,000 GloVe vectors and 1,000 dev queries, interleaved in one run, and prints one table.
# Usage: bash benchmarks/index/run.sh [extra compare.py arguments, e.g. --rounds 5]
#        bash benchmarks/index/run.sh --deletes 0.3 --rounds 3   (our recall before/after 30% deletes + reinserts)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="${EMBEDDINGS_SHARED:-$root/../shared}"
dotnet build "$root/benchmarks/Embeddings.Benchmarks" -c Release --nologo -v quiet >&2
exec /usr/bin/python3 "$root/benchmarks/index/compare.py" \
  --base "$shared/models/glove-6B-100d-top100k/vectors.bin" \
  --queries "$shared/data/glove-ann/queries-dev.bin" \
  --harness dotnet "$root/benchmarks/Embeddings.Benchmarks/bin/Release/net10.0/Embeddings.Benchmarks.dll" index-compare \
  "$@"

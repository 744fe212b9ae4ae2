#!/usr/bin/env bash
# One command: builds the harness, then measures our FlatIndex/HnswIndex against hnswlib 0.6.2 and FAISS 1.7.3
# (/usr/bin/python3) on one data set, interleaved in one run, and prints one table. Data sets (--dataset):
#   glove   (default) the 100,000 GloVe vectors (100-d) and 1,000 dev queries from ../shared
#   minilm  43,419 SciFact abstract sentences embedded with the packaged all-MiniLM-L6-v2 (384-d, normalized) and
#           1,000 held-back sentences as queries, with their exact top 10; built once by the harness's minilm-ann
#           command into benchmarks/index/.cache/minilm (git-ignored; delete it to rebuild; ~30 min on 2 loaded cores)
# Usage: bash benchmarks/index/run.sh [--dataset glove|minilm] [extra compare.py arguments, e.g. --rounds 5]
#        bash benchmarks/index/run.sh --deletes 0.3 --rounds 3   (our recall before/after 30% deletes + reinserts)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="${EMBEDDINGS_SHARED:-$root/../shared}"
dataset=glove
if [ "${1:-}" = "--dataset" ]; then dataset="${2:?--dataset needs glove or minilm}"; shift 2; fi
dotnet build "$root/benchmarks/Embeddings.Benchmarks" -c Release --nologo -v quiet >&2
dll="$root/benchmarks/Embeddings.Benchmarks/bin/Release/net10.0/Embeddings.Benchmarks.dll"
case "$dataset" in
  glove)
    data=(--base "$shared/models/glove-6B-100d-top100k/vectors.bin" --queries "$shared/data/glove-ann/queries-dev.bin") ;;
  minilm)
    cache="$root/benchmarks/index/.cache/minilm"
    dotnet "$dll" minilm-ann "$shared/data/scifact/corpus.jsonl" "$cache" 1000 2 >&2
    data=(--base "$cache/base.bin" --queries "$cache/queries.bin" --truth "$cache/gt-top10.bin" --gt "$cache/gt-top10.bin") ;;
  *) echo "unknown data set '$dataset' (glove or minilm)" >&2; exit 2 ;;
esac
exec /usr/bin/python3 "$root/benchmarks/index/compare.py" "${data[@]}" \
  --harness dotnet "$dll" index-compare \
  "$@"

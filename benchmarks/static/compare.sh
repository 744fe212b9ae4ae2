#!/usr/bin/env bash
# Runs the static embedder harness (C#) and the NumPy reference on the same data, interleaved twice, and prints
# a markdown table with both and their ratio (figures should agree; timings: ours / NumPy's).
# Usage: bash benchmarks/static/compare.sh [shared-folder]   (default: ../shared beside the repository)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${1:-${EMBEDDINGS_SHARED:-$repo/../shared}}"
shared="$(cd "$shared" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build -c Release "$repo/benchmarks/Embeddings.Benchmarks" -v q -nologo > "$work/build.log"
bin="$(ls "$repo"/benchmarks/Embeddings.Benchmarks/bin/Release/net*/Embeddings.Benchmarks.dll | head -1)"
echo "load: $(uptime)"
for round in 1 2; do
  dotnet "$bin" static-eval "$shared" > "$work/ours.$round"
  /usr/bin/python3 "$repo/benchmarks/static/reference.py" "$shared" > "$work/numpy.$round"
done
python3 - "$work" <<'PY'
import sys, statistics
work = sys.argv[1]
def read(name):
    rounds = []
    for r in (1, 2):
        rounds.append(dict((l.split()[0], float(l.split()[1])) for l in open(f'{work}/{name}.{r}') if l.strip()))
    return {k: statistics.median([x[k] for x in rounds]) for k in rounds[0]}
ours, ref = read('ours'), read('numpy')
print('| measure | Embeddings.Static | NumPy reference | ours / NumPy |')
print('|---|---:|---:|---:|')
for k in ours:
    r = ref.get(k)
    print(f'| {k} | {ours[k]:.4f} | {r:.4f} | {ours[k] / r:.3f} |' if r else f'| {k} | {ours[k]:.4f} | - | - |')
PY

#!/usr/bin/env bash
# Load test of issue 6: 10,000 requests from 32 concurrent callers per leg against a loopback server, on the cache-miss
# path (every text unique), three legs interleaved over rounds (order rotating): "bare bytes" (pre-built body, raw bytes
# back: the floor), "bare JSON" (System.Text.Json request, ReadFromJsonAsync, vector decoded: the baseline of the
# criterion) and the Embeddings pipeline (retry -> single-flight memory cache -> HttpEmbedder). 5 warm-up rounds are
# printed and left out of the medians. Prints the machine load before and after, per-round percentiles, CPU and GC per
# request, medians over rounds and the verdict.
# Usage: bash benchmarks/http/run_load.sh [--rounds N] [--warmup-rounds N] [--requests N] [--concurrency N] [--float] [--stack provider|retry|cache|full]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build benchmarks/Embeddings.Benchmarks -c Release -v quiet -nologo > /dev/null
echo "load before: $(uptime)"
dotnet run -c Release --no-build --project benchmarks/Embeddings.Benchmarks -- http-load "$@"
echo "load after: $(uptime)"

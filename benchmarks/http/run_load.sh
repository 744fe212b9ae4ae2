#!/usr/bin/env bash
# Load test of issue 6: 10,000 requests from 32 concurrent callers against a loopback server, bare HttpClient vs the
# Embeddings pipeline (retry -> single-flight memory cache -> HttpEmbedder) on the cache-miss path, interleaved over
# rounds. Prints the machine load before and after, per-round percentiles and the median p99 difference.
# Usage: bash benchmarks/http/run_load.sh [--rounds N] [--requests N] [--concurrency N] [--float] [--stack provider|retry|cache|full]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build benchmarks/Embeddings.Benchmarks -c Release -v quiet -nologo > /dev/null
echo "load before: $(uptime)"
dotnet run -c Release --no-build --project benchmarks/Embeddings.Benchmarks -- http-load "$@"
echo "load after: $(uptime)"

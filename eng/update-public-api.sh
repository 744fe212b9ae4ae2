#!/usr/bin/env bash
# Regenerates the public API baseline (PublicAPI.Shipped.txt) of every packable project under src/.
# Idempotent: rerunning on an unchanged tree leaves the files byte-identical.
#   1. make sure each project has both files, starting with '#nullable enable';
#   2. let the PublicApiAnalyzers code fixes add missing entries (RS0016/RS0036) and drop removed ones (RS0017/RS0037) in Unshipped;
#   3. fold Unshipped into Shipped (sorted, de-duplicated), leaving Unshipped with only '#nullable enable'.
set -euo pipefail
cd "$(dirname "$0")/.."
header='#nullable enable'
for proj in src/*/*.csproj; do
  dir=$(dirname "$proj")
  for f in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -f "$dir/$f" ] || printf '%s\n' "$header" > "$dir/$f"
  done
done
# Entries that no longer exist must leave Shipped too: start each run from an empty Shipped so removals are found.
for dir in src/*/; do
  printf '%s\n' "$header" > "$dir/PublicAPI.Shipped.txt"
  printf '%s\n' "$header" > "$dir/PublicAPI.Unshipped.txt"
done
dotnet restore Embeddings.Core.sln -v q
# Per project: on the whole solution the code fix did not write the files.
for proj in src/*/*.csproj; do
  dotnet format analyzers "$proj" --no-restore --diagnostics RS0016 RS0017 --severity warn -v q
done
for dir in src/*/; do
  dir=${dir%/}
  { printf '%s\n' "$header"; grep -hv -e '^#nullable enable$' -e '^[[:space:]]*$' "$dir/PublicAPI.Unshipped.txt" "$dir/PublicAPI.Shipped.txt" | LC_ALL=C sort -u; } > "$dir/PublicAPI.Shipped.txt.tmp"
  mv "$dir/PublicAPI.Shipped.txt.tmp" "$dir/PublicAPI.Shipped.txt"
  printf '%s\n' "$header" > "$dir/PublicAPI.Unshipped.txt"
done
echo "Public API baseline updated; build with -warnaserror to check."

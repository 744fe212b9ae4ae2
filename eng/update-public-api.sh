#!/usr/bin/env bash
# Regenerates the public API baseline (PublicAPI.Shipped.txt) of every packable project under src/ (#17.6).
# Idempotent: rerunning on an unchanged tree leaves the files byte-identical.
#   1. start each project from empty files holding only '#nullable enable', so entries that no longer exist leave too;
#   2. let the PublicApiAnalyzers code fix for RS0016 (symbol not declared) write every public symbol into Unshipped,
#      repeating until a pass adds nothing (a fix-all pass can miss symbols that another fix uncovers);
#   3. fold Unshipped into Shipped (sorted, de-duplicated), leaving Unshipped with only '#nullable enable'.
# Only RS0016 is fixed per run: asking dotnet format for several diagnostics at once left the files unwritten.
# Usage: eng/update-public-api.sh [src/Project ...]   (default: every project under src/)
set -euo pipefail
cd "$(dirname "$0")/.."
header='#nullable enable'
if [ $# -gt 0 ]; then dirs=("$@"); else dirs=(src/*/); fi
# The analyzer is referenced only where the files exist (Directory.Build.targets), so write them before the restore.
for dir in "${dirs[@]}"; do
  printf '%s\n' "$header" > "${dir%/}/PublicAPI.Shipped.txt"
  printf '%s\n' "$header" > "${dir%/}/PublicAPI.Unshipped.txt"
done
dotnet restore Embeddings.Core.sln -v q
for dir in "${dirs[@]}"; do
  dir=${dir%/}
  proj=$(ls "$dir"/*.csproj)
  before=-1
  for pass in 1 2 3; do
    dotnet format analyzers "$proj" --no-restore --diagnostics RS0016 --severity warn -v q || true
    after=$(wc -l < "$dir/PublicAPI.Unshipped.txt")
    [ "$after" -eq "$before" ] && break
    before=$after
  done
  tmp="$dir/PublicAPI.Shipped.txt.tmp"
  { printf '%s\n' "$header"; grep -hv -e '^#nullable enable$' -e '^[[:space:]]*$' "$dir/PublicAPI.Unshipped.txt" | LC_ALL=C sort -u || true; } > "$tmp"
  mv "$tmp" "$dir/PublicAPI.Shipped.txt"
  printf '%s\n' "$header" > "$dir/PublicAPI.Unshipped.txt"
  echo "$dir: $(($(wc -l < "$dir/PublicAPI.Shipped.txt") - 1)) public symbols"
done
echo "Public API baseline updated; build with -warnaserror to check."

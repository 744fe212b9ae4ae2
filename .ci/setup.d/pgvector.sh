#!/usr/bin/env bash
# Installs the PostgreSQL-protocol test server of Embeddings.PgVector.Tests: PGlite (PostgreSQL compiled to
# WebAssembly) with pgvector and the wire-protocol socket server, from npm, into the git-ignored
# tests/Embeddings.PgVector.Tests/pglite-server/node_modules. Idempotent: a no-op when the lock file is unchanged.
# Tests use EMBEDDINGS_PG_CONNECTION instead when it is set (a native PostgreSQL with pgvector).
set -euo pipefail
cd "$(dirname "$0")/../../tests/Embeddings.PgVector.Tests/pglite-server"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "pgvector setup: node/npm missing, installing Debian's nodejs and npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "pgvector setup: node $(node --version) is too old; PGlite needs node 18 or later" >&2
  exit 1
fi

stamp=node_modules/.embeddings-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d node_modules/@electric-sql/pglite-socket ]; then
  echo "pgvector setup: PGlite test server already installed"
  exit 0
fi

npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
echo "pgvector setup: installed $(node -p 'require("./node_modules/@electric-sql/pglite/package.json").version') PGlite test server"

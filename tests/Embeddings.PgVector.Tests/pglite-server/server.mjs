// Serves PGlite (PostgreSQL compiled to WebAssembly) with pgvector over the PostgreSQL wire protocol on
// 127.0.0.1, for the Embeddings.PgVector tests and benchmarks. Usage:
//   node server.mjs [--port 0] [--max-connections 16] [--data-dir DIR]
// Prints one line "LISTENING <port>" on stdout once clients may connect. Exits when stdin closes, so a
// server started by a test fixture never outlives the test process, even when that process is killed.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

const port = Number.parseInt(option('port', '0'), 10);
const maxConnections = Number.parseInt(option('max-connections', '16'), 10);
const dataDir = option('data-dir', undefined); // in memory when absent

const db = await PGlite.create(dataDir, { extensions: { vector } });
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections });
server.addEventListener('listening', (event) => {
  process.stdout.write(`LISTENING ${event.detail.port}\n`);
});
await server.start();

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await server.stop();
    await db.close();
  } finally {
    process.exit(0);
  }
}

process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

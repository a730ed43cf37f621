// PostgreSQL with pgvector for tests on a machine whose PostgreSQL has none (Debian bookworm ships no
// postgresql-15-pgvector): PGlite (WASM PostgreSQL) with its pgvector build, served on a free local port by
// pglite-socket so the server's ordinary `pg` driver talks to it over the wire protocol.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** More than the server's pool (10): every pooled connection gets a handler; PGlite runs their queries in turn. */
const SOCKET_CONNECTIONS = 24;

export interface PgliteVectorServer {
  /** postgres://… to give the server as databaseUrl (public schema; the database is new and private to the test). */
  url: string;
  stop(): Promise<void>;
}

export async function startPgliteVector(): Promise<PgliteVectorServer> {
  const db = new PGlite({ extensions: { vector } });
  const socket = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: SOCKET_CONNECTIONS });
  await socket.start();
  return {
    url: `postgres://postgres@${socket.getServerConn()}/postgres`,
    async stop() {
      await socket.stop();
      await db.close();
    },
  };
}

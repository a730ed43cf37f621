// PostgreSQL with pgvector for tests on a machine whose PostgreSQL has none (Debian bookworm ships no
// postgresql-15-pgvector): PGlite (WASM PostgreSQL) with its pgvector build, served on a free local port by
// pglite-socket so the server's ordinary `pg` driver talks to it over the wire protocol.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** More than the server's pool (10): every pooled connection gets a handler; PGlite runs their messages in turn. */
const SOCKET_CONNECTIONS = 24;
/** Frontend messages that end a group: Sync (extended protocol), Query (simple protocol), Terminate. */
const GROUP_ENDS = new Set([0x53, 0x51, 0x58]);

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
}
interface QueueInternals {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
}

/**
 * pglite-socket 0.2.17 queues each protocol message on its own and keeps a connection's turn only inside a
 * transaction, so two pooled connections' Parse/Bind/Execute/Sync interleave on PGlite's single session ("unnamed
 * prepared statement does not exist"). This keeps a connection's turn until its group ends (Sync or Query) as well.
 */
function keepMessageGroupsTogether(server: PGLiteSocketServer, db: PGlite): void {
  const queue = (server as unknown as { queryQueue: QueueInternals }).queryQueue;
  let midGroup = false;
  queue.processQueue = async function processQueue(this: QueueInternals) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const pinned = (midGroup || db.isInTransaction()) && this.lastHandlerId !== null;
        const at = pinned ? this.queue.findIndex((q) => q.handlerId === this.lastHandlerId) : 0;
        if (at === -1) break; // the pinned connection has not sent its next message yet: wait for it
        const [item] = this.queue.splice(at, 1);
        try {
          const bytes = await db.runExclusive(async () => {
            let sent = 0;
            await db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                sent += data.length;
                item.onData(data);
              },
            });
            return sent;
          });
          // A startup packet has no type byte (its first byte is a length byte, 0): it is a group of its own.
          midGroup = item.message[0] !== 0 && !GROUP_ENDS.has(item.message[0]);
          this.lastHandlerId = item.handlerId;
          item.resolve(bytes);
        } catch (err) {
          midGroup = false;
          item.reject(err);
        }
      }
    } finally {
      this.processing = false;
    }
  };
}

export interface PgliteVectorServer {
  /** postgres://… to give the server as databaseUrl (public schema; the database is new and private to the test). */
  url: string;
  stop(): Promise<void>;
}

export async function startPgliteVector(): Promise<PgliteVectorServer> {
  const db = new PGlite({ extensions: { vector } });
  const socket = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: SOCKET_CONNECTIONS });
  keepMessageGroupsTogether(socket, db);
  await socket.start();
  return {
    url: `postgres://postgres@${socket.getServerConn()}/postgres`,
    async stop() {
      await socket.stop();
      await db.close();
    },
  };
}

// Test HTTP stubs are async; a failure inside one must answer 500 (and fail the test), never become an unhandled rejection.
import type { IncomingMessage, ServerResponse } from 'node:http';

export function asyncHandler(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handler(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.statusCode = 500;
      res.end(`stub failed: ${(err as Error)?.message ?? String(err)}`);
    });
  };
}

// Electron main's log: the same pino logger as the plain-Node kiosk (same redaction), written as JSON lines to
// kiosk.log in the app's log folder (macOS ~/Library/Logs/<app>, Windows and Linux <userData>/logs). Glue only.
import { app } from 'electron';
import { existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { configureProcessLogger, fileDestination } from '../node/logging';

export const MAIN_LOG_FILE = 'kiosk.log';
/** One older generation is kept: an always-on kiosk must not fill its disk with logs. */
export const MAIN_LOG_ROTATE_BYTES = 20 * 1024 * 1024;

/** Points every component logger of this process at the log file; returns its path. */
export function openMainLog(): string {
  app.setAppLogsPath();
  const file = join(app.getPath('logs'), MAIN_LOG_FILE);
  if (existsSync(file) && statSync(file).size > MAIN_LOG_ROTATE_BYTES) renameSync(file, `${file}.1`);
  configureProcessLogger({ destination: fileDestination(file) });
  return file;
}

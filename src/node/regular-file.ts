// Inputs named on a command line must be regular files: opening a FIFO, a socket or a device blocks or reads forever.
import { stat } from 'node:fs/promises';
import { CodedError } from '../shared/errors';

/** Throws FILE_NOT_FOUND or NOT_A_FILE without opening the path (stat never blocks on a FIFO). */
export async function assertRegularFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new CodedError('FILE_NOT_FOUND', `There is no file ${path}.`, { cause: err });
    if (code === 'EACCES' || code === 'EPERM')
      throw new CodedError('FORBIDDEN', `${path} cannot be read (permission denied).`, { cause: err });
    throw new CodedError('NOT_A_FILE', `${path} cannot be read as a file.`, { cause: err });
  }
  if (info.isDirectory()) throw new CodedError('NOT_A_FILE', `${path} is a folder; name an image or clip file.`);
  if (!info.isFile())
    throw new CodedError('NOT_A_FILE', `${path} is not a regular file (a pipe, socket or device); name an image or clip file.`);
}

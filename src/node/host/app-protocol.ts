// The Electron window's app:// scheme without Electron: its origin, origin comparison, and which built renderer file
// a URL names. Kept here so the checks the glue relies on are testable where no Electron binary runs.
import { resolve, sep } from 'node:path';

/** Custom scheme the built renderer is served from (a real origin for the permission and sender checks). */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://kiosk`;

/**
 * scheme://host[:port] of a URL, or null. Node's URL.origin is the string "null" for every non-special scheme
 * (app:// included), so comparing `.origin` would refuse our own page everywhere (IPC, camera, file serving).
 */
export function originOf(url: string | undefined | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : null;
  } catch {
    return null;
  }
}

/** The file of `rendererDir` an app:// request names, or null when it is another origin or lies outside. */
export function appFileFor(rendererDir: string, requestUrl: string): string | null {
  if (originOf(requestUrl) !== APP_ORIGIN) return null;
  const root = resolve(rendererDir);
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const file = resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`);
  return file.startsWith(root + sep) ? file : null;
}

// The strict headers every response of the browser-kiosk host carries (the CSP starts from default-src 'none').

/** The kiosk page's CSP, from default-src 'none': only its own scripts, styles and images, and `connectSrc` for the API. */
function kioskPagePolicy(connectSrc: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob: mediastream:",
    `connect-src ${connectSrc}`,
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function contentSecurityPolicy(origin: { host: string; port: number; scheme?: string }): string {
  // An IPv6 literal needs its brackets, or the source is malformed and the browser drops it.
  const host = origin.host.includes(':') ? `[${origin.host}]` : origin.host;
  const wsOrigin = `${origin.scheme === 'https' ? 'wss' : 'ws'}://${host}:${origin.port}`;
  return kioskPagePolicy(`'self' ${wsOrigin}`);
}

export function securityHeaders(origin: { host: string; port: number; scheme?: string }): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(origin),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), usb=(), payment=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  };
}

/** The Electron window's CSP: same policy, and no network at all (the API goes over IPC). */
export function electronContentSecurityPolicy(): string {
  return kioskPagePolicy("'none'");
}

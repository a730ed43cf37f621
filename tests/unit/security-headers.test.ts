// The browser host's CSP must stay exact: it starts from default-src 'none' and names only our own WebSocket origin,
// including on an IPv6 loopback host (where an unbracketed source would be malformed and dropped by the browser).
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, electronContentSecurityPolicy } from '../../src/node/host/security-headers';

const directives = (csp: string) =>
  new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );

describe('content security policies', () => {
  it('the browser host allows scripts, styles and connections from itself only', () => {
    const csp = directives(contentSecurityPolicy({ host: '127.0.0.1', port: 8080 }));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:8080']);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect([...csp.values()].flat().some((value) => value.includes('unsafe'))).toBe(false);
  });

  it('brackets an IPv6 host in the WebSocket source', () => {
    expect(directives(contentSecurityPolicy({ host: '::1', port: 9000 })).get('connect-src')).toEqual(["'self'", 'ws://[::1]:9000']);
  });

  it('the Electron window may not connect anywhere (the API goes over IPC)', () => {
    const csp = directives(electronContentSecurityPolicy());
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'none'"]);
  });
});

/**
 * Tests talk to loopback only. A vitest setup file: host names other than `localhost` (and IP
 * literals) fail name resolution at once with ENOTFOUND, as a real resolver answers NXDOMAIN,
 * without a query leaving the machine. The device core's NXDOMAIN path is exercised through
 * Node's own `net`/`tls` lookup, which reads `dns.lookup` at call time.
 */
import dns from 'node:dns';
import { isIP } from 'node:net';

const systemLookup = dns.lookup;

const isLocal = (host: string) => isIP(host) !== 0 || /^(localhost|localhost\.localdomain|.+\.localhost)$/i.test(host);

function loopbackLookup(hostname: string, options: unknown, callback?: unknown): void {
  const cb = (typeof options === 'function' ? options : callback) as (err: NodeJS.ErrnoException | null, ...rest: unknown[]) => void;
  if (isLocal(hostname)) {
    (systemLookup as (...a: unknown[]) => void)(hostname, typeof options === 'function' ? {} : options, cb);
    return;
  }
  const err: NodeJS.ErrnoException & { hostname?: string } = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: 'ENOTFOUND',
    errno: -3008,
    syscall: 'getaddrinfo',
    hostname,
  });
  process.nextTick(cb, err);
}

dns.lookup = loopbackLookup as typeof dns.lookup;

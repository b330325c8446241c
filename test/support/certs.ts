/**
 * Test certificates made with openssl at test time (nothing is committed): a CA, a server
 * certificate for localhost/127.0.0.1, an already-expired server certificate from the same
 * CA, a client certificate, and a second CA that signed nothing the servers use (for
 * "unknown CA" tests). Every certificate comes as PEM and DER, every key as PEM and as
 * PKCS#8 DER, which is what a Microvisor application hands to the kernel.
 *
 * Needs the `openssl` tool: wrap suites in `describeWithTools(['openssl'], ...)`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertFiles {
  /** Path of the PEM file (the form mosquitto reads). */
  pemPath: string;
  pem: string;
  der: Uint8Array;
}

export interface KeyFiles {
  pemPath: string;
  pem: string;
  /** PKCS#8, DER: the form Microvisor expects for a client key. */
  pkcs8Der: Uint8Array;
}

export interface TestCerts {
  /** The directory holding every file; removed by `cleanup()`. */
  dir: string;
  ca: CertFiles;
  /** A CA nobody's certificate chains to. */
  otherCa: CertFiles;
  server: CertFiles;
  serverKey: KeyFiles;
  /** Same subject and key as `server`, signed by `ca`, but its validity ended before it began. */
  expiredServer: CertFiles;
  client: CertFiles;
  clientKey: KeyFiles;
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function certFiles(dir: string, name: string): CertFiles {
  openssl(dir, ['x509', '-in', `${name}.pem`, '-outform', 'DER', '-out', `${name}.der`]);
  const pemPath = join(dir, `${name}.pem`);
  return { pemPath, pem: readFileSync(pemPath, 'utf8'), der: new Uint8Array(readFileSync(join(dir, `${name}.der`))) };
}

function keyFiles(dir: string, name: string): KeyFiles {
  openssl(dir, ['pkcs8', '-topk8', '-nocrypt', '-in', `${name}.key`, '-outform', 'DER', '-out', `${name}.key.der`]);
  const pemPath = join(dir, `${name}.key`);
  return { pemPath, pem: readFileSync(pemPath, 'utf8'), pkcs8Der: new Uint8Array(readFileSync(join(dir, `${name}.key.der`))) };
}

function selfSignedCa(dir: string, name: string, cn: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '3650']);
}

/** A key and certificate request, then a certificate signed by `ca` valid for `days` (negative: already expired). */
function signed(dir: string, name: string, cn: string, days: number, ext: string, key = name): void {
  if (key === name) openssl(dir, ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${name}.key`]);
  openssl(dir, ['req', '-new', '-key', `${key}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', String(days), '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
}

/** Generates a fresh set in a new temporary directory (about half a second of openssl work). */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'mvmqtt-certs-'));
  try {
    const serverExt = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n';
    selfSignedCa(dir, 'ca', 'mvmqtt-test-ca');
    selfSignedCa(dir, 'other-ca', 'mvmqtt-unknown-ca');
    signed(dir, 'server', 'localhost', 3650, serverExt);
    // `-days -1` puts notAfter a day before notBefore: expired from the moment it exists.
    signed(dir, 'expired-server', 'localhost', -1, serverExt, 'server');
    signed(dir, 'client', 'mvmqtt-test-client', 3650, 'extendedKeyUsage=clientAuth\n');
    return {
      dir,
      ca: certFiles(dir, 'ca'),
      otherCa: certFiles(dir, 'other-ca'),
      server: certFiles(dir, 'server'),
      serverKey: keyFiles(dir, 'server'),
      expiredServer: certFiles(dir, 'expired-server'),
      client: certFiles(dir, 'client'),
      clientKey: keyFiles(dir, 'client'),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * TLS credentials for the high-level client: Microvisor takes DER certificates and a PKCS#8 DER
 * key, but most people hold PEM files. The client converts PEM here (node:crypto), so the
 * system-call layer keeps the device's DER-only rule, and says plainly what it cannot use.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';

/** A certificate or key as DER bytes, or PEM (text, or the bytes of a .pem file). */
export type Credential = Uint8Array | string;

export interface DerCredentials {
  ca?: Uint8Array[] | undefined;
  cert?: Uint8Array[] | undefined;
  key?: Uint8Array | undefined;
  /** The key's algorithm (`rsa`, `ec`, …) when node:crypto could read it. */
  keyType?: string | undefined;
}

/** Bad input the client refuses before opening a channel. */
export class MvCredentialError extends Error {
  override readonly name = 'MvCredentialError';
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;
const decoder = new TextDecoder();

/** PEM text, if `c` is PEM (a string, or bytes that start like a PEM file). */
function pemText(c: Credential): string | undefined {
  if (typeof c === 'string') return c;
  const head = decoder.decode(c.subarray(0, 64));
  return head.trimStart().startsWith('-----BEGIN') ? decoder.decode(c) : undefined;
}

/** Every certificate in `list`, DER; a PEM bundle may hold several. */
function certificates(list: readonly Credential[], what: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  list.forEach((c, i) => {
    const pem = pemText(c);
    if (pem === undefined) {
      out.push(c as Uint8Array);
      return;
    }
    const blocks = [...pem.matchAll(PEM_BLOCK)].filter((m) => m[1] === 'CERTIFICATE' || m[1] === 'TRUSTED CERTIFICATE');
    if (blocks.length === 0) throw new MvCredentialError(`${what}[${i}] is text but holds no PEM certificate (-----BEGIN CERTIFICATE-----); pass DER bytes or PEM`);
    for (const b of blocks) {
      try {
        out.push(new Uint8Array(new X509Certificate(b[0]).raw));
      } catch (err) {
        throw new MvCredentialError(`${what}[${i}] holds a PEM certificate node:crypto cannot read: ${(err as Error).message}`);
      }
    }
  });
  return out;
}

/** The key as PKCS#8 DER, and its algorithm. DER input is passed through (the device judges it). */
function privateKey(key: Credential): { der: Uint8Array; type: string | undefined } {
  const pem = pemText(key);
  try {
    const parsed = pem === undefined ? createPrivateKey({ key: Buffer.from(key as Uint8Array), format: 'der', type: 'pkcs8' }) : createPrivateKey(pem);
    const der = pem === undefined ? (key as Uint8Array) : new Uint8Array(parsed.export({ format: 'der', type: 'pkcs8' }));
    return { der, type: parsed.asymmetricKeyType };
  } catch (err) {
    if (pem === undefined) return { der: key as Uint8Array, type: undefined }; // not PKCS#8 DER: the device will refuse it, with the hint below
    throw new MvCredentialError(`tls.key is PEM that node:crypto cannot read as a private key (an encrypted key needs decrypting first): ${(err as Error).message}`);
  }
}

/** The credentials as the device takes them: DER certificates, a PKCS#8 DER key. */
export function toDer(tls: { ca?: readonly Credential[] | undefined; cert?: readonly Credential[] | undefined; key?: Credential | undefined }): DerCredentials {
  const out: DerCredentials = {};
  if (tls.ca) out.ca = certificates(tls.ca, 'tls.ca');
  if (tls.cert) out.cert = certificates(tls.cert, 'tls.cert');
  if (tls.key !== undefined) {
    const k = privateKey(tls.key);
    out.key = k.der;
    out.keyType = k.type;
  }
  return out;
}

/** What to tell a user whose TLS connect came back INVALIDPARAMETERS. */
export function credentialHint(creds: DerCredentials): string {
  const parts = ['Microvisor takes DER certificates (openssl x509 -outform der) and an unencrypted PKCS#8 DER key (openssl pkcs8 -topk8 -nocrypt -outform der); this client converts PEM itself'];
  if (creds.key && creds.keyType === undefined) parts.push('the key given is not PKCS#8 DER');
  if (creds.keyType !== undefined && creds.keyType !== 'rsa') parts.push(`the key is ${creds.keyType.toUpperCase()}, and the device accepts RSA keys only unless it was created with rsaKeysOnly: false`);
  return parts.join('; ');
}

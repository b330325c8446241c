/**
 * Microvisor takes certificates as DER and the client key as PKCS#8 DER; Node's TLS wants
 * PEM (it silently ignores a DER `ca`, and throws on a DER `cert` or `key`). These helpers
 * convert, and say which input was unusable.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';

export class CredentialFormatError extends Error {
  constructor(
    readonly what: 'cacert' | 'clientcert' | 'key',
    readonly index: number,
    cause: unknown,
  ) {
    super(`${what}${what === 'key' ? '' : `[${index}]`} is not usable: ${(cause as Error)?.message ?? cause}`);
  }
}

/** DER starts with an ASN.1 SEQUENCE tag; Node would also take PEM text, which Microvisor does not. */
function requireDer(bytes: Uint8Array): void {
  if (bytes[0] !== 0x30) throw new Error('not DER (PEM text is not accepted: convert with `openssl x509 -outform der`)');
}

export function derCertificateToPem(der: Uint8Array, what: 'cacert' | 'clientcert', index: number): string {
  try {
    requireDer(der);
    return new X509Certificate(der).toString();
  } catch (err) {
    throw new CredentialFormatError(what, index, err);
  }
}

/** PKCS#8 DER → PEM. With `rsaOnly`, any other key type is refused (the vendor page allows RSA keys only). */
export function pkcs8DerKeyToPem(der: Uint8Array, rsaOnly: boolean): string {
  try {
    requireDer(der);
    const key = createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'pkcs8' });
    if (rsaOnly && key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') {
      throw new Error(`a ${key.asymmetricKeyType} key; Microvisor accepts RSA keys only`);
    }
    return key.export({ format: 'pem', type: 'pkcs8' }) as string;
  } catch (err) {
    throw new CredentialFormatError('key', 0, err);
  }
}

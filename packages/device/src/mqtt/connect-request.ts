/**
 * Turning an `MvMqttConnectRequest` the generated argument checks accepted into what mqtt.js
 * needs. Widths, enums, limits (keepalive, will QoS, certificates per chain) and pointers were
 * checked before the behaviour ran; what is left here is the connect's own rules: a client
 * certificate needs its key and the reverse, username/password excludes a client key, and the
 * certificates and key must parse.
 */
import {
  MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD,
  MV_MQTTPROTOCOLVERSION_V5,
  MV_STATUS_INVALIDAUTHENTICATION,
  MV_STATUS_REQUIREDELEMENTMISSING,
} from '@mvmqtt/sdk';
import type { MvMqttConnectRequest, MvSizedString, MvTlsCertificateChain } from '@mvmqtt/sdk';
import { Refusal, checkedBytes, checkedCopy, checkedText } from '../kernel/args.js';
import { CredentialFormatError, derCertificateToPem, pkcs8DerKeyToPem } from './tls.js';

export interface ConnectPlan {
  protocolVersion: 4 | 5;
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: Buffer;
  keepalive: number;
  clean: boolean;
  will?: { topic: string; payload: Buffer; qos: 0 | 1 | 2; retain: boolean };
  /** Present when TLS is asked for; `ca` undefined means Node's bundled (Mozilla) roots. */
  tls?: { ca?: string[]; cert?: string[]; key?: string };
  /** The certificates or key could not be parsed: the connect response says INVALIDPARAMETERS. */
  credentialError?: CredentialFormatError;
}

/** The DER certificates of a chain the checks accepted (an empty one is missing). */
function chainCerts(chain: MvTlsCertificateChain): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < chain.num_certs; i++) {
    const der = checkedBytes(chain.certs![i]);
    if (der.byteLength === 0) throw new Refusal(MV_STATUS_REQUIREDELEMENTMISSING);
    out.push(der);
  }
  return out;
}

const present = (s: MvSizedString): boolean => s.length > 0;

export interface ConnectDecodeOptions {
  rsaKeysOnly: boolean;
  alwaysTls: boolean;
}

/** Throws Refusal (REQUIREDELEMENTMISSING, INVALIDAUTHENTICATION). */
export function decodeConnectRequest(r: MvMqttConnectRequest, opts: ConnectDecodeOptions): ConnectPlan {
  if (!present(r.host) || !present(r.clientid)) throw new Refusal(MV_STATUS_REQUIREDELEMENTMISSING);
  const useUserPass = r.authentication.method === MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD;

  let will: ConnectPlan['will'];
  const w = r.will;
  if (w) {
    if (!present(w.topic) || !present(w.payload)) throw new Refusal(MV_STATUS_REQUIREDELEMENTMISSING);
    will = { topic: checkedText(w.topic), payload: checkedCopy(w.payload), qos: w.qos as 0 | 1, retain: w.retain !== 0 };
  }

  let tlsCa: Uint8Array[] = [];
  let tlsCert: Uint8Array[] = [];
  let tlsKey: Uint8Array | undefined;
  const creds = r.tls_credentials;
  if (creds) {
    tlsCa = chainCerts(creds.cacert);
    tlsCert = chainCerts(creds.clientcert.chain);
    tlsKey = present(creds.clientcert.key) ? checkedBytes(creds.clientcert.key) : undefined;
    if ((tlsCert.length > 0) !== (tlsKey !== undefined)) throw new Refusal(MV_STATUS_REQUIREDELEMENTMISSING);
  }
  if (useUserPass && tlsKey) throw new Refusal(MV_STATUS_INVALIDAUTHENTICATION);

  let username: string | undefined;
  let password: Buffer | undefined;
  if (useUserPass) {
    const up = r.authentication.username_password;
    username = checkedText(up.username);
    password = checkedCopy(up.password);
  }

  const plan: ConnectPlan = {
    protocolVersion: r.protocol_version === MV_MQTTPROTOCOLVERSION_V5 ? 5 : 4,
    host: checkedText(r.host),
    port: r.port,
    clientId: checkedText(r.clientid),
    username,
    password,
    keepalive: r.keepalive,
    clean: r.clean_start !== 0,
    will,
  };
  if (creds || opts.alwaysTls) {
    try {
      plan.tls = {
        ca: tlsCa.length ? tlsCa.map((der, i) => derCertificateToPem(der, 'cacert', i)) : undefined,
        cert: tlsCert.length ? tlsCert.map((der, i) => derCertificateToPem(der, 'clientcert', i)) : undefined,
        key: tlsKey ? pkcs8DerKeyToPem(tlsKey, opts.rsaKeysOnly) : undefined,
      };
    } catch (err) {
      if (!(err instanceof CredentialFormatError)) throw err;
      plan.credentialError = err;
    }
  }
  return plan;
}

/**
 * Decoding `MvMqttConnectRequest` into what mqtt.js needs, in the order the kernel checks it:
 * top-level fields (PARAMETERFAULT, nothing sent), then the nested pointers (host, client ID,
 * credentials, will), where a bad pointer is a LATEFAULT because the request has started.
 */
import {
  LIMITS,
  MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD,
  MV_MQTTPROTOCOLVERSION_V5,
  MV_STATUS_INVALIDAUTHENTICATION,
  MV_STATUS_REQUIREDELEMENTMISSING,
  MV_STATUS_TOOMANYELEMENTS,
  MvMqttAuthenticationMethod,
  MvMqttProtocolVersion,
} from '@mvmqtt/sdk';
import { unsignedField } from '@mvmqtt/sdk/runtime';
import { Refusal, fault, isStruct, isU32, requireStruct, requireU32, sizedBytes } from '../kernel/args.js';
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

const PROTOCOL_VERSIONS = new Set<number>(Object.values(MvMqttProtocolVersion));
const AUTH_METHODS = new Set<number>(Object.values(MvMqttAuthenticationMethod));
const CERTS_MAX = LIMITS.TLS_CERTIFICATES_PER_CHAIN_MAX.value;
const WILL_QOS_MAX = LIMITS.MQTT_WILL_QOS.max;
const PORT = unsignedField('MvMqttConnectRequest', 'port');
const CLEAN_START = unsignedField('MvMqttConnectRequest', 'clean_start');
const decoder = new TextDecoder();

const text = (bytes: Uint8Array): string => decoder.decode(bytes);
const copy = (bytes: Uint8Array | undefined): Buffer => (bytes ? Buffer.from(bytes) : Buffer.alloc(0));

function chainCount(chain: unknown, what: string): number {
  const c = requireStruct(chain, what, true);
  const n = requireU32(c.num_certs, `${what}.num_certs`, true);
  if (n > CERTS_MAX) throw new Refusal(MV_STATUS_TOOMANYELEMENTS);
  return n;
}

function chainCerts(chain: Record<string, unknown>, n: number, what: string): Uint8Array[] {
  if (n === 0) return [];
  const certs = chain.certs;
  if (!Array.isArray(certs) || certs.length < n) fault(`${what}.certs does not hold num_certs entries`, true);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const der = sizedBytes(certs[i], `${what}.certs[${i}]`, true);
    if (!der) fault(`${what}.certs[${i}] is empty`, true);
    out.push(der);
  }
  return out;
}

export interface ConnectDecodeOptions {
  rsaKeysOnly: boolean;
  alwaysTls: boolean;
}

/** Throws Fault (PARAMETERFAULT, or LATEFAULT once nested pointers are being read) or Refusal. */
export function decodeConnectRequest(request: unknown, opts: ConnectDecodeOptions): ConnectPlan {
  const r = requireStruct(request, 'request');
  if (!PROTOCOL_VERSIONS.has(r.protocol_version as number)) fault('request->protocol_version is not an MvMqttProtocolVersion');
  const port = r.port;
  if (!isU32(port) || port > PORT.max) fault(`request->port is not a ${PORT.bits}-bit value`);
  const keepalive = requireU32(r.keepalive, 'request->keepalive');
  if (keepalive > LIMITS.MQTT_KEEPALIVE_MAX.value) fault('request->keepalive does not fit MQTT’s 16-bit keepalive');
  if (!isU32(r.clean_start) || r.clean_start > CLEAN_START.max) fault(`request->clean_start is not a ${CLEAN_START.bits}-bit value`);
  const auth = requireStruct(r.authentication, 'request->authentication');
  if (!AUTH_METHODS.has(auth.method as number)) fault('request->authentication.method is not an MvMqttAuthenticationMethod');
  const useUserPass = auth.method === MV_MQTTAUTHENTICATIONMETHOD_USERNAMEPASSWORD;

  // The will's QoS is checked before anything is sent (the spec gives it PARAMETERFAULT).
  const willPtr = r.will;
  if (willPtr !== null && willPtr !== undefined && isStruct(willPtr)) {
    if (!isU32(willPtr.qos) || willPtr.qos > WILL_QOS_MAX) fault('request->will->qos is above the QoS Microvisor allows for a will');
  }

  // From here on the kernel is reading nested pointers: faults are late.
  const host = sizedBytes(r.host, 'request->host', true);
  const clientId = sizedBytes(r.clientid, 'request->clientid', true);
  if (!host || !clientId) throw new Refusal(MV_STATUS_REQUIREDELEMENTMISSING);

  let will: ConnectPlan['will'];
  if (willPtr !== null && willPtr !== undefined) {
    const w = requireStruct(willPtr, 'request->will', true);
    const topic = sizedBytes(w.topic, 'request->will->topic', true);
    const payload = sizedBytes(w.payload, 'request->will->payload', true);
    if (!topic || !payload) throw new Refusal(MV_STATUS_REQUIREDELEMENTMISSING);
    will = { topic: text(topic), payload: copy(payload), qos: w.qos as 0 | 1, retain: (w.retain as number) !== 0 };
  }

  let tlsCa: Uint8Array[] = [];
  let tlsCert: Uint8Array[] = [];
  let tlsKey: Uint8Array | undefined;
  const creds = r.tls_credentials;
  const tlsWanted = (creds !== null && creds !== undefined) || opts.alwaysTls;
  if (creds !== null && creds !== undefined) {
    const c = requireStruct(creds, 'request->tls_credentials', true);
    const caCount = chainCount(c.cacert, 'request->tls_credentials->cacert');
    const own = requireStruct(c.clientcert, 'request->tls_credentials->clientcert', true);
    const ownCount = chainCount(own.chain, 'request->tls_credentials->clientcert.chain');
    tlsCa = chainCerts(c.cacert as Record<string, unknown>, caCount, 'request->tls_credentials->cacert');
    tlsCert = chainCerts(own.chain as Record<string, unknown>, ownCount, 'request->tls_credentials->clientcert.chain');
    tlsKey = sizedBytes(own.key, 'request->tls_credentials->clientcert.key', true);
    if ((tlsCert.length > 0) !== (tlsKey !== undefined)) throw new Refusal(MV_STATUS_REQUIREDELEMENTMISSING);
  }
  if (useUserPass && tlsKey) throw new Refusal(MV_STATUS_INVALIDAUTHENTICATION);

  let username: string | undefined;
  let password: Buffer | undefined;
  if (useUserPass) {
    const up = requireStruct(auth.username_password, 'request->authentication.username_password', true);
    const u = sizedBytes(up.username, 'request->authentication.username_password.username', true);
    const p = sizedBytes(up.password, 'request->authentication.username_password.password', true);
    username = u ? text(u) : '';
    password = copy(p);
  }

  const plan: ConnectPlan = {
    protocolVersion: r.protocol_version === MV_MQTTPROTOCOLVERSION_V5 ? 5 : 4,
    host: text(host),
    port,
    clientId: text(clientId),
    username,
    password,
    keepalive,
    clean: r.clean_start !== 0,
    will,
  };
  if (tlsWanted) {
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

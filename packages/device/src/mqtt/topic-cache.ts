/**
 * The last topic a channel published to, decoded and judged once. A device publishes to a few
 * topics over and over; comparing the request's bytes with the remembered ones costs less than
 * decoding them and checking them against MQTT's rules again on every publish.
 */
import type { TopicProblem } from '@mvmqtt/sdk/runtime';

export interface PublishTopic {
  /** The topic as sent to mqtt.js. */
  readonly text: string;
  /** What MQTT does not allow in it (the request is then refused with its status). */
  readonly problem: TopicProblem | undefined;
}

/** Longer topics are not remembered: comparing them is no cheaper than judging them. */
const REMEMBERED_BYTES_MAX = 256;

export class TopicCache {
  /** A copy: the application may change its buffer after the call. */
  private bytes = new Uint8Array(0);
  private topic: PublishTopic | undefined;

  /** The remembered verdict when `bytes` are the remembered bytes. */
  find(bytes: Uint8Array): PublishTopic | undefined {
    // `length`, read once: a byte array's `byteLength` is a builtin call per read when the site
    // sees both Buffers and Uint8Arrays (V8 11), ~9x the cost of this whole comparison.
    const known = this.bytes;
    const n = known.length;
    if (this.topic === undefined || bytes.length !== n) return undefined;
    for (let i = 0; i < n; i++) if (bytes[i] !== known[i]) return undefined;
    return this.topic;
  }

  remember(bytes: Uint8Array, topic: PublishTopic): PublishTopic {
    if (bytes.length <= REMEMBERED_BYTES_MAX) {
      this.bytes = new Uint8Array(bytes); // a copy (a Buffer's slice() would be a view)
      this.topic = topic;
    }
    return topic;
  }
}

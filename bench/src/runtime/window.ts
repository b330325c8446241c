/**
 * The publish window both sides of the runtime workload use: the device's limit on publish
 * requests awaiting their responses, read from the spec (the device defaults to the same limit).
 */
import { loadModel } from '@mvmqtt/generator';
import { REAL_SPEC } from '../paths.js';

export function publishWindow(): number {
  const limit = loadModel(REAL_SPEC).limit('MQTT_PUBLISHES_IN_FLIGHT_MAX');
  if (limit.value === undefined) throw new Error('MQTT_PUBLISHES_IN_FLIGHT_MAX has no value in the spec');
  return limit.value;
}

/**
 * A simulated broker outage (Device.simulateBrokerOutage), kept in the kernel as
 * `k.state(BrokerOutage)`: while it lasts every MQTT connect fails as one to a broker that is
 * down does (the TCP connection is refused), until Device.restoreBroker().
 */
export class BrokerOutage {
  active = false;
}

/** What mqtt.js reports for a connection to a port nobody listens on. */
export function refusedConnection(host: string, port: number): Error {
  return Object.assign(new Error(`connect ECONNREFUSED ${host}:${port} (simulated broker outage)`), { code: 'ECONNREFUSED', syscall: 'connect', address: host, port });
}

// bench:agent's sensor fleet, a child process of its own (the daemon gets one core, this and
// mosquitto share the other, as a plant's devices would not run on the edge box at all): one
// mqtt.js client publishing the simulated plant (agent/source/simulator.ts, healthy pumps) at
// QoS 0, in the wire format of agent/source/sensor-wire.ts. The simulation continues across
// runs, so event time stays contiguous per machine from one rate step to the next.
// argv: brokerUrl machines layout(per-machine|per-channel) startMs.
// IPC in:  { type: 'run', rate, seconds }   publish paced at `rate` msg/s for `seconds`
//          { type: 'count' }                 reply { type: 'count', sent } (cumulative)
//          { type: 'exit' }
// IPC out: { type: 'ready' } once connected;
//          { type: 'done', sent, seconds, cpuSeconds, behindMax } after each run.

import mqtt from 'mqtt';
import { simulate } from '../agent/source/simulator.js';
import type { MessageLayout } from '../agent/source/sensor-wire.js';

const [url, machinesArg, layoutArg, startArg] = process.argv.slice(2);
const send = (m: object): void => void process.send!(m);
const messages = simulate({ seed: 1, machines: Number(machinesArg), layout: layoutArg as MessageLayout, start: Number(startArg) });
const client = mqtt.connect(url, { clientId: `vigil-bench-fleet-${process.pid}`, protocolVersion: 4, reconnectPeriod: 0 });
client.on('error', (e) => {
  process.stderr.write(`publisher: ${e.message}\n`);
  process.exit(1);
});
let sent = 0;
// Pause when this much is waiting in the socket: the broker is not taking it (shown as `behindMax`).
const HIGH_WATER = 4 * 1024 * 1024;

function run(rate: number, seconds: number): void {
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let done = 0;
  let behindMax = 0;
  const tick = (): void => {
    const due = Math.min(total, Math.floor((rate * (performance.now() - t0)) / 1000));
    const stream = client.stream as unknown as { writableLength: number };
    while (done < due && stream.writableLength < HIGH_WATER) {
      const m = messages.next().value!;
      client.publish(m.topic, m.payload, { qos: 0 });
      done++;
      sent++;
    }
    behindMax = Math.max(behindMax, due - done);
    if (done < total) {
      setTimeout(tick, 1);
      return;
    }
    const cpu = process.cpuUsage(cpu0);
    send({ type: 'done', sent, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, behindMax });
  };
  tick();
}

client.once('connect', () => send({ type: 'ready' }));
process.on('message', (m: { type: string; rate?: number; seconds?: number }) => {
  if (m.type === 'run') run(m.rate!, m.seconds!);
  else if (m.type === 'count') send({ type: 'count', sent });
  else if (m.type === 'exit') client.end(false, {}, () => process.exit(0));
});

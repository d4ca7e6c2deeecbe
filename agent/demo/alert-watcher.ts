// What `vigil demo` prints alerts from: an ordinary MQTT consumer of Vigil's two output topics, as any
// client on the broker sees them (the demo observes the product the way a newcomer's own code would):
//   vigil/alerts/<machine>  vigil.alert/1, QoS 1, one message per raised / updated / cleared event
//   vigil/state/<machine>   vigil.state/1, retained: the machine's phase (normal, alerting, learning, cooldown)
// Payloads that are not JSON of those schemas are skipped (bad data is a value, not an exception).
// close() ends the client without waiting for a broker that may already be gone.

import mqtt, { type MqttClient } from 'mqtt';

/** The fields of vigil.alert/1 the demo shows (the full schema is in agent/sink/alert-sink.ts). */
export interface AlertMessage {
  readonly machineId: string;
  readonly state: 'raised' | 'updated' | 'cleared';
  readonly severity: 'warning' | 'critical';
  readonly score: number;
  readonly threshold: number;
  readonly topChannels: readonly { readonly channel: string; readonly score: number; readonly share?: number }[];
  /** Event time of the window behind the event, ISO 8601. */
  readonly time: string;
}

export type MachinePhase = 'normal' | 'alerting' | 'learning' | 'cooldown';

export interface AlertWatcherOptions {
  readonly url: string;
  /** Topic filters. Defaults: vigil/alerts/+ and vigil/state/+. */
  readonly alerts?: string;
  readonly states?: string;
  readonly onAlert: (alert: AlertMessage) => void;
}

export interface AlertWatcher {
  /** The latest phase of every machine whose state has arrived. */
  readonly phases: ReadonlyMap<string, MachinePhase>;
  close(): Promise<void>;
}

const PHASES: readonly string[] = ['normal', 'alerting', 'learning', 'cooldown'];

function parse(payload: Buffer): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(payload.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function asAlert(o: Record<string, unknown> | null): AlertMessage | null {
  if (o?.schema !== 'vigil.alert/1') return null;
  const ok = typeof o.machineId === 'string' && typeof o.state === 'string' && typeof o.score === 'number' && typeof o.threshold === 'number' && Array.isArray(o.topChannels) && typeof o.time === 'string';
  return ok ? (o as unknown as AlertMessage) : null;
}

/** Connects, subscribes, and resolves once both subscriptions are acknowledged (rejects after 10 s without). */
export async function openAlertWatcher(o: AlertWatcherOptions): Promise<AlertWatcher> {
  const alerts = o.alerts ?? 'vigil/alerts/+';
  const states = o.states ?? 'vigil/state/+';
  const phases = new Map<string, MachinePhase>();
  const client: MqttClient = mqtt.connect(o.url, { protocolVersion: 4, clean: true, reconnectPeriod: 1000, connectTimeout: 5000, clientId: `vigil-demo-watch-${process.pid}` });
  client.on('error', () => undefined); // refused while the broker stops: mqtt.js retries until close()
  client.on('message', (topic, payload) => {
    const msg = parse(payload);
    if (msg?.schema === 'vigil.state/1' && typeof msg.machineId === 'string' && PHASES.includes(msg.phase as string)) {
      phases.set(msg.machineId, msg.phase as MachinePhase);
      return;
    }
    const alert = asAlert(msg);
    if (alert) o.onAlert(alert);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error(`alert watcher: no connection to ${o.url} within 10 s`));
    }, 10_000);
    client.once('connect', () =>
      client.subscribe({ [alerts]: { qos: 1 }, [states]: { qos: 1 } }, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      }),
    );
  });
  return {
    phases,
    close: () => new Promise<void>((resolve) => client.end(true, {}, () => resolve())),
  };
}

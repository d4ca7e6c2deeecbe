// The contract between Vigil and an MQTT broker connection, shared by the sensor source and
// the alert sink (which may talk to different brokers). Implemented by openMqttLink over
// mqtt.js; tests may implement it in memory. Lifecycle: open → (connect ⇄ disconnect)* → close.

export interface PublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
}

export interface MqttLink {
  /** True while a session with the broker is up. */
  readonly connected: boolean;
  /** Resolves when the broker acknowledged the message (PUBACK for QoS 1; written for QoS 0).
   *  Rejects if the connection drops first: the caller (the outbox) decides when to retry. */
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void>;
  /** Subscribes (again after every reconnect, unless the broker kept the session). */
  subscribe(filter: string, qos: 0 | 1): Promise<void>;
  /** Every message on any subscribed filter, with receive time. Returns an unsubscribe function. */
  onMessage(listener: (topic: string, payload: Buffer, receivedAt: number) => void): () => void;
  /** Called on every (re)connection and disconnection. Returns an unsubscribe function. */
  onConnectionChange(listener: (connected: boolean) => void): () => void;
  /** Reconnections since open. */
  readonly reconnects: number;
  /** Ends the session: waits for in-flight acknowledgements up to a deadline, then closes. */
  close(deadlineMs?: number): Promise<void>;
}

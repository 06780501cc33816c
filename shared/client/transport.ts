// What the client needs from a connection: send bytes, receive messages, learn of the close.
export interface Transport {
  send(bytes: Uint8Array): void;
  close(): void;
  onMessage: (bytes: Uint8Array) => void;
  onClose: (reason: string) => void;
}

export interface ConnectTarget {
  room?: string;
  token?: string;
  /** The game the hello asks for: a WebSocket puts it in the query, so a quick-join is routed by it. */
  game?: string;
  /**
   * HOST:PORT of the host to connect to instead of the connector's own (the `to` of a REDIRECT, or
   * the host the client last played on); absent: the connector's own host.
   */
  address?: string;
}

/** Opens a connection; resolves once it can carry messages. */
export type Connector = (target: ConnectTarget) => Promise<Transport>;

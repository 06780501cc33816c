// Protocol-level limits and their defaults. The server's configuration may change the
// configurable ones; a client uses these to avoid sending what would be refused.

export const PROTOCOL_LIMITS = {
  /** Largest TCP frame body / WebSocket message, in bytes. */
  maxFrame: 65536,
  nameMin: 1,
  nameMax: 32,
  roomMin: 1,
  roomMax: 32,
  chatMin: 1,
  chatMax: 280,
  tokenMax: 128,
  /** Longest hello.auth (a JWT) by default; the server's authMaxLength setting. */
  authMax: 8192,
  /** Deepest nesting of arrays and maps in a message (the top-level map is 1). */
  maxMsgDepth: 16,
  helloTimeoutMs: 5000,
} as const;

export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** A game's name (hello.game, and the prefix of its room ids). */
export const GAME_NAME_PATTERN = /^[a-z0-9-]{1,32}$/;

/** The TCP frame header: a 4-byte unsigned big-endian body length. */
export const FRAME_HEADER_BYTES = 4;

// The one error type that carries a stable code across every boundary: the wire protocol's
// `error` message, the coordinator channel's rejected requests, the console's answers and the
// worker's admin replies all move `{ code, message }` and rebuild this on the other side.
// The codes themselves are catalogued where users meet them (see server/errors/catalogue.ts).
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

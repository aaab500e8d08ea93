// The wire protocol's version. Bump it on any incompatible change to a message schema;
// `hello` carries the client's version and the daemon closes with 4002 on a mismatch.
export const PROTOCOL_VERSION = 1;

/** WebSocket close codes used by the daemon (4000–4999 are application codes). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  unauthorized: 4001,
  versionMismatch: 4002,
  protocolViolation: 4003,
  tokenRevoked: 4004,
  tooManyErrors: 4005,
} as const;

/** Base of every error the protocol library throws. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}

/**
 * An error that leaves as the protocol's own JSON: `{error, error_description}` with the HTTP status
 * and headers the protocol prescribes (e.g. WWW-Authenticate for RFC 6750). The description must
 * never carry PII or internal detail.
 */
export class ProtocolError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${error}: ${description}`);
    this.name = 'ProtocolError';
  }

  toJSON(): { error: string; error_description: string } {
    // RFC 6749 §5.2: error_description is printable ASCII without CR/LF.
    return { error: this.error, error_description: this.description.replace(/[^\x20-\x7e]/g, ' ') };
  }
}

import { ProtocolError } from '../platform/errors.js';
import type { EndpointErrorCode } from './vocabulary.js';

/**
 * A 400 in the endpoints' own error format (OpenID4VCI 1.0 §8.3.1.2, §9.3, §11.3). The code is one
 * of the vocabulary's; the description is fixed text that never carries PII.
 */
export function badRequest(error: EndpointErrorCode, description: string): ProtocolError {
  return new ProtocolError(400, error, description);
}

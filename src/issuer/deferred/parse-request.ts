import { type Static, Type as T } from '@sinclair/typebox';
import { ResponseEncryption } from '../encryption/index.js';

/** Deferred Credential Request (OpenID4VCI 1.0 §9.1); unknown members are ignored. */
export const DeferredRequestBody = T.Object({
  transaction_id: T.String({ minLength: 1, maxLength: 100 }),
  credential_response_encryption: T.Optional(ResponseEncryption),
});
export type DeferredRequestBody = Static<typeof DeferredRequestBody>;

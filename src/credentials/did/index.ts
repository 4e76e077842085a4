export { didJwkFromJwk } from './did-jwk.js';
export {
  buildDidWebDocument,
  type DidDocumentResolver,
  type DidWebKey,
  didWebDocumentUrl,
  didWebFromUrl,
  resolveVerificationMethodJwk,
  verificationMethodFromDidDocument,
} from './did-web.js';
export { createDidWebResolver } from './did-web-fetch.js';
export { DidResolutionError } from './errors.js';
export { didKeyDocument, didKeyFromJwk, jwkToMultibase, multikeyVerificationMethod } from './multikey.js';
export { assertPublicJwk, hasPrivateMembers, PRIVATE_JWK_MEMBERS } from './public-jwk.js';
export { resolveDidUrlToJwk } from './resolve.js';

export { Pkcs11SigningKey } from './key.js';
export { findTokenKey, generateTokenKey, type TokenKey } from './objects.js';
export { type PinSource, readPin } from './pin.js';
export { type Pkcs11Settings, Pkcs11Token, type TokenKeyRef, type TokenState } from './token.js';

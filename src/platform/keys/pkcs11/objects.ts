import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { Handle, PKCS11 } from 'pkcs11js';
import type { SigningAlgorithm } from '../signing-key.js';
import { CKK_EC_EDWARDS, CKM_EC_EDWARDS_KEY_PAIR_GEN, ED25519_PARAMS, P256_PARAMS } from './constants.js';
import { ecPointToJwk } from './public-key.js';
import type { Pkcs11Token, TokenKeyRef } from './token.js';

const CKA_CLASS = 0x0;
const CKA_TOKEN = 0x1;
const CKA_PRIVATE = 0x2;
const CKA_LABEL = 0x3;
const CKA_KEY_TYPE = 0x100;
const CKA_ID = 0x102;
const CKA_SENSITIVE = 0x103;
const CKA_SIGN = 0x108;
const CKA_VERIFY = 0x10a;
const CKA_EXTRACTABLE = 0x162;
const CKA_EC_PARAMS = 0x180;
const CKA_EC_POINT = 0x181;
const CKO_PUBLIC_KEY = 2;
const CKO_PRIVATE_KEY = 3;
const CKK_EC = 3;
const CKM_EC_KEY_PAIR_GEN = 0x1040;
const CKR_MECHANISM_INVALID = 0x70;

export interface TokenKey {
  ref: TokenKeyRef;
  alg: SigningAlgorithm;
  publicJwk: JWK;
  /** CKA_SENSITIVE and not CKA_EXTRACTABLE: the private key cannot leave the token. */
  protected: boolean;
}

/**
 * Generates a key pair inside the token: the private key is a token object, private, sensitive and
 * not extractable (PKCS#11 v2.40 §4.9), usable only to sign; the public key is kept beside it under
 * the same CKA_ID and label.
 */
export async function generateTokenKey(
  token: Pkcs11Token,
  alg: SigningAlgorithm,
  label: string,
): Promise<TokenKey> {
  const id = randomBytes(16);
  return token.withSession(async (lib, session) => {
    const mechanism = alg === 'ES256' ? CKM_EC_KEY_PAIR_GEN : CKM_EC_EDWARDS_KEY_PAIR_GEN;
    const common = [
      { type: CKA_TOKEN, value: true },
      { type: CKA_LABEL, value: label },
      { type: CKA_ID, value: id },
    ];
    let pair: { publicKey: Handle; privateKey: Handle };
    try {
      pair = await lib.C_GenerateKeyPairAsync(
        session,
        { mechanism },
        [
          ...common,
          { type: CKA_VERIFY, value: true },
          { type: CKA_EC_PARAMS, value: alg === 'ES256' ? P256_PARAMS : ED25519_PARAMS },
        ],
        [
          ...common,
          { type: CKA_PRIVATE, value: true },
          { type: CKA_SENSITIVE, value: true },
          { type: CKA_EXTRACTABLE, value: false },
          { type: CKA_SIGN, value: true },
        ],
      );
    } catch (error) {
      if ((error as { code?: number }).code === CKR_MECHANISM_INVALID) {
        throw new Error(`${token.description} cannot generate ${alg === 'ES256' ? 'P-256' : 'Ed25519'} keys`);
      }
      throw error;
    }
    const [point] = lib.C_GetAttributeValue(session, pair.publicKey, [{ type: CKA_EC_POINT }]);
    return {
      ref: { id: id.toString('hex'), label },
      alg,
      publicJwk: ecPointToJwk(alg, point?.value as Buffer),
      protected: true,
    };
  });
}

function findOne(lib: PKCS11, session: Handle, template: { type: number; value: unknown }[]): Handle[] {
  lib.C_FindObjectsInit(session, template as never);
  const found = lib.C_FindObjects(session, 2);
  lib.C_FindObjectsFinal(session);
  return found;
}

function algorithmOf(keyType: Buffer, params: Buffer | undefined): SigningAlgorithm | undefined {
  const type = keyType.readUIntLE(0, Math.min(keyType.length, 6));
  if (type === CKK_EC && params?.equals(P256_PARAMS)) return 'ES256';
  if (type === CKK_EC_EDWARDS) return 'EdDSA';
  return undefined;
}

/**
 * An existing key of the token, named by its label (an operator's key ceremony may have made it):
 * exactly one private key with that label, a P-256 or Ed25519 key, and its public key object.
 */
export async function findTokenKey(token: Pkcs11Token, label: string): Promise<TokenKey> {
  return token.withSession((lib, session) => {
    const privates = findOne(lib, session, [
      { type: CKA_CLASS, value: CKO_PRIVATE_KEY },
      { type: CKA_LABEL, value: label },
    ]);
    if (privates.length !== 1) {
      throw new Error(
        `${token.description}: ${privates.length ? 'more than one private key' : 'no private key'} labelled "${label}"`,
      );
    }
    const [id, keyType, params, sensitive, extractable] = lib.C_GetAttributeValue(
      session,
      privates[0] as Handle,
      [
        { type: CKA_ID },
        { type: CKA_KEY_TYPE },
        { type: CKA_EC_PARAMS },
        { type: CKA_SENSITIVE },
        { type: CKA_EXTRACTABLE },
      ],
    );
    const alg = algorithmOf(keyType?.value as Buffer, params?.value as Buffer | undefined);
    if (!alg) throw new Error(`${token.description}: key "${label}" is neither P-256 nor Ed25519`);
    const keyId = id?.value as Buffer;
    if (!keyId?.length) throw new Error(`${token.description}: key "${label}" has no CKA_ID`);
    const publics = findOne(lib, session, [
      { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
      { type: CKA_ID, value: keyId },
    ]);
    if (publics.length !== 1) {
      throw new Error(`${token.description}: no public key object with the CKA_ID of "${label}"`);
    }
    const [point] = lib.C_GetAttributeValue(session, publics[0] as Handle, [{ type: CKA_EC_POINT }]);
    const flag = (attribute: { value?: unknown } | undefined) =>
      (attribute?.value as Buffer | undefined)?.[0] === 1;
    return {
      ref: { id: keyId.toString('hex'), label },
      alg,
      publicJwk: ecPointToJwk(alg, point?.value as Buffer),
      protected: flag(sensitive) && !flag(extractable),
    };
  });
}

// The key a credential is bound to, read as a verifier would (the load client checks every answer).
// dc+sd-jwt: `cnf.jwk` of the issuer-signed JWT (SD-JWT VC §3.2.2.2); W3C formats: the did:jwk of
// `credentialSubject.id`; mso_mdoc: the MSO's deviceKey (ISO/IEC 18013-5 §9.1.2.4).
import { decode as cborDecode, Tag } from 'cbor-x';

const jsonOf = (segment) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

function didJwkKey(id) {
  if (typeof id !== 'string' || !id.startsWith('did:jwk:')) throw new Error('subject is not a did:jwk');
  const jwk = jsonOf(id.slice('did:jwk:'.length).split('#')[0]);
  return { x: jwk.x, y: jwk.y };
}

function mdocDeviceKey(credential) {
  const issuerSigned = cborDecode(Buffer.from(credential, 'base64url'));
  const issuerAuth = issuerSigned.issuerAuth ?? issuerSigned.get?.('issuerAuth');
  const payload = issuerAuth[2];
  const inner = cborDecode(payload);
  const mso = cborDecode(inner instanceof Tag ? inner.value : inner);
  const deviceKey = (mso.deviceKeyInfo ?? mso.get('deviceKeyInfo')).deviceKey;
  const get = (k) => (deviceKey instanceof Map ? deviceKey.get(k) : deviceKey[k]);
  return { x: Buffer.from(get(-2)).toString('base64url'), y: Buffer.from(get(-3)).toString('base64url') };
}

/** `{x, y}` of the bound key; checks the issuer's signature too when `check` (JWS formats). */
export function bindingOf(format, credential, verifySignature, check) {
  if (format === 'mso_mdoc') return mdocDeviceKey(credential);
  if (format === 'ldp_vc') return didJwkKey(credential.credentialSubject?.id);
  const jws = format === 'jwt_vc_json' ? credential : credential.split('~')[0];
  if (check && verifySignature && !verifySignature(jws)) throw new Error('issuer signature invalid');
  const payload = jsonOf(jws.split('.')[1]);
  if (format === 'jwt_vc_json')
    return didJwkKey(payload.sub ?? payload.vc?.credentialSubject?.id ?? payload.credentialSubject?.id);
  return { x: payload.cnf?.jwk?.x, y: payload.cnf?.jwk?.y };
}

import type { JWK } from 'jose';
import type { ProofSuite } from '../../credentials/data-integrity/suite-names.js';
import { resolveDidUrlToJwk } from '../../credentials/did/index.js';
import { ProtocolError } from '../../platform/errors.js';
import { onFirstUse } from '../../platform/on-first-use.js';
import { DI_VP_SUITES } from '../vocabulary.js';

/** @digitalbazaar/vc, the suites and the JSON-LD loader load with the first di_vp proof, not at start. */
const dataIntegrity = onFirstUse(async () => {
  const [vc, { createSuite }, { createDocumentLoader }] = await Promise.all([
    import('@digitalbazaar/vc'),
    import('../../credentials/data-integrity/suites.js'),
    import('../../credentials/jsonld/document-loader.js'),
  ]);
  return { vc, createSuite, loader: createDocumentLoader() };
});
const invalidProof = (description: string) => new ProtocolError(400, 'invalid_proof', description);

/**
 * A `di_vp` key proof (OpenID4VCI 1.0 Appendix F.2): a W3C Verifiable Presentation with a Data
 * Integrity proof, `proofPurpose` authentication, `domain` the credential issuer and `challenge` the
 * c_nonce, signed by a did:key (resolved offline). The holder key is the verification method's.
 */
export async function verifyDiVpProof(
  presentation: unknown,
  audiences: readonly string[],
): Promise<{ holderJwk: JWK; nonce: string }> {
  if (typeof presentation !== 'object' || presentation === null || Array.isArray(presentation))
    throw invalidProof('di_vp proof is not a presentation');
  const proof = (presentation as { proof?: unknown }).proof;
  if (typeof proof !== 'object' || proof === null || Array.isArray(proof))
    throw invalidProof('di_vp proof needs exactly one proof');
  const { type, cryptosuite, proofPurpose, domain, challenge, verificationMethod } = proof as Record<
    string,
    unknown
  >;
  if (type !== 'DataIntegrityProof' || !(DI_VP_SUITES as readonly string[]).includes(String(cryptosuite)))
    throw invalidProof('di_vp proof suite not supported');
  if (proofPurpose !== 'authentication') throw invalidProof('di_vp proofPurpose must be authentication');
  if (typeof domain !== 'string' || !audiences.includes(domain))
    throw invalidProof('di_vp domain must be the credential issuer');
  if (typeof challenge !== 'string' || challenge.length === 0)
    throw invalidProof('di_vp proof has no challenge');
  if (typeof verificationMethod !== 'string' || !verificationMethod.startsWith('did:key:'))
    throw invalidProof('di_vp verificationMethod must be a did:key');
  let holderJwk: JWK;
  try {
    holderJwk = resolveDidUrlToJwk(verificationMethod);
  } catch {
    throw invalidProof('di_vp verificationMethod is not resolvable');
  }
  const { vc, createSuite, loader } = await dataIntegrity();
  let result: Awaited<ReturnType<typeof vc.verify>>;
  try {
    result = await vc.verify({
      presentation,
      suite: createSuite(cryptosuite as ProofSuite),
      documentLoader: loader,
      challenge,
      domain,
    });
  } catch {
    throw invalidProof('di_vp proof could not be processed');
  }
  if (!result.verified) throw invalidProof('di_vp proof signature is invalid');
  return {
    holderJwk: {
      kty: holderJwk.kty,
      crv: holderJwk.crv,
      x: holderJwk.x,
      ...(holderJwk.y ? { y: holderJwk.y } : {}),
    },
    nonce: challenge,
  };
}

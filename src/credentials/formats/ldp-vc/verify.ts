import * as vc from '@digitalbazaar/vc';
import { PROOF_SUITES, type ProofSuite } from '../../data-integrity/suite-names.js';
import { type CanonizeBounds, createSuite } from '../../data-integrity/suites.js';
import { CredentialVerificationError } from '../../errors.js';
import { type DocumentLoader, findLoaderError } from '../../jsonld/document-loader.js';
import { checkW3cDataModel, type DataModelCheck } from '../../w3c/data-model.js';

/** Far above any credential we issue (~2 KB); bounds the JSON-LD work a stranger can ask of us. */
const MAX_CREDENTIAL_CHARS = 256 * 1024;

export interface VerifyLdpVcOptions {
  documentLoader: DocumentLoader;
  expectedIssuer?: string;
  now?: Date;
  /** Status check; default: none (status lists are checked by the caller, which fetches them). */
  checkStatus?: (options: unknown) => Promise<{ verified: boolean }>;
  bounds?: CanonizeBounds;
}

export interface VerifiedLdpVc extends DataModelCheck {
  suite: ProofSuite;
  verificationMethod: string;
  credential: Record<string, unknown>;
}

function proofSuite(proof: unknown): ProofSuite {
  if (typeof proof !== 'object' || proof === null || Array.isArray(proof)) {
    throw new CredentialVerificationError('one proof object expected');
  }
  const { type, cryptosuite } = proof as { type?: unknown; cryptosuite?: unknown };
  const name = type === 'DataIntegrityProof' ? cryptosuite : type;
  if (!PROOF_SUITES.includes(name as ProofSuite))
    throw new CredentialVerificationError('proof suite not supported');
  return name as ProofSuite;
}

/**
 * Verifies an `ldp_vc` with @digitalbazaar/vc: the data model (ours, first: cheap), then the proof
 * (suite from the proof, verification method through the offline loader, issuer = controller).
 * Throws CredentialVerificationError with a short reason.
 */
export async function verifyLdpVc(credential: unknown, options: VerifyLdpVcOptions): Promise<VerifiedLdpVc> {
  // Canonicalisation cost grows with the document: refuse the oversized before any JSON-LD work.
  if (JSON.stringify(credential ?? null).length > MAX_CREDENTIAL_CHARS) {
    throw new CredentialVerificationError('credential too large');
  }
  const model = checkW3cDataModel(credential, {
    ...(options.now ? { now: options.now } : {}),
    ...(options.expectedIssuer ? { expectedIssuer: options.expectedIssuer } : {}),
  });
  const document = credential as Record<string, unknown>;
  const suite = proofSuite(document.proof);
  let result: Awaited<ReturnType<typeof vc.verifyCredential>>;
  try {
    result = await vc.verifyCredential({
      credential: document,
      suite: createSuite(suite, options.bounds ? { bounds: options.bounds } : {}),
      documentLoader: options.documentLoader,
      ...(options.now ? { now: options.now } : {}),
      checkStatus: options.checkStatus ?? (async () => ({ verified: true })),
    });
  } catch (error) {
    const refused = findLoaderError(error);
    throw new CredentialVerificationError(refused ? refused.message : 'credential could not be processed');
  }
  if (!result.verified) throw new CredentialVerificationError('proof invalid');
  const { verificationMethod } = document.proof as { verificationMethod: string };
  return { ...model, suite, verificationMethod, credential: document };
}

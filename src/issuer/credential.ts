import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatOf, isAlias, sameFormat } from '../credentials/formats/index.js';
import { ProtocolError } from '../platform/errors.js';
import type { AccessToken } from './access-token.js';
import { insufficientScope } from './access-token.js';
import type { CredentialConfiguration } from './configurations/index.js';
import type { DeferredStore, PendingIssuance } from './deferred/store.js';
import { acceptJwtBodies, bodyReader, sendMaybeEncrypted } from './encryption/body.js';
import { type IssuerEncryption, ResponseEncryption } from './encryption/index.js';
import type { CredentialConfigurationSource, IssuanceOutcome, IssuanceService } from './issuance/index.js';
import type { NonceStore } from './nonce-store.js';
import type { NotificationStore } from './notification/store.js';
import type { OfferStore } from './offers/store.js';
import { type KeyAttestationTrust, type ProofsInput, verifyProofs } from './proofs/index.js';
import { type Authenticator, authenticate } from './token/authenticate.js';
import { BATCH_SIZE, CREDENTIAL_PATH, PROOF_SIGNING_ALGS } from './vocabulary.js';

const Jwt = T.String({ minLength: 1, maxLength: 16384 });

/**
 * Credential Request (OpenID4VCI 1.0 §8.2), and draft 13's `format` + single `proof` that deployed
 * wallets still send. Unknown members are ignored (additional properties allowed, §8.2).
 */
const CredentialRequest = T.Object({
  credential_configuration_id: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
  credential_identifier: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
  proofs: T.Optional(
    T.Object({
      jwt: T.Optional(T.Array(Jwt, { minItems: 1, maxItems: BATCH_SIZE })),
      attestation: T.Optional(T.Array(Jwt, { minItems: 1, maxItems: 1 })),
      di_vp: T.Optional(T.Array(T.Unknown(), { minItems: 1, maxItems: BATCH_SIZE })),
    }),
  ),
  proof: T.Optional(
    T.Object({
      proof_type: T.String({ maxLength: 50 }),
      jwt: T.Optional(Jwt),
      attestation: T.Optional(Jwt),
    }),
  ),
  // Draft 13 (§7.2): the credential is named by format and type instead of a configuration id.
  format: T.Optional(T.String({ maxLength: 50 })),
  vct: T.Optional(T.String({ maxLength: 500 })),
  doctype: T.Optional(T.String({ maxLength: 500 })),
  credential_definition: T.Optional(
    T.Object({ type: T.Optional(T.Array(T.String({ maxLength: 500 }), { maxItems: 20 })) }),
  ),
  credential_response_encryption: T.Optional(ResponseEncryption),
});
type CredentialRequest = Static<typeof CredentialRequest>;

/** Draft 13 §7.2 / Appendix A: a configuration is named by format (or its alias) plus vct, doctype or type. */
function matchesDraft13(c: CredentialConfiguration, body: CredentialRequest): boolean {
  if (!sameFormat(body.format as string, c.format)) return false;
  if (body.vct !== undefined && c.vct !== body.vct) return false;
  if (body.doctype !== undefined && c.doctype !== body.doctype) return false;
  const wanted = body.credential_definition?.type;
  if (wanted !== undefined) {
    const types = c.credentialDefinition?.type ?? [];
    if (wanted.length !== types.length || !wanted.every((t) => types.includes(t))) return false;
  }
  return true;
}

export interface CredentialRouteDeps {
  publicUrl: string;
  proofMaxAge: number;
  nonceTtl: number;
  configurations: CredentialConfigurationSource;
  auth: Authenticator;
  nonces: NonceStore;
  issuance: IssuanceService;
  encryption: IssuerEncryption;
  deferred: DeferredStore;
  notifications: NotificationStore;
  offers: OfferStore;
  attesters?: KeyAttestationTrust;
}

export function badRequest(error: string, description: string): ProtocolError {
  return new ProtocolError(400, error, description);
}

/** Who may collect deferred credentials and send notifications: the token's issuer and subject. */
export function ownerOf(token: AccessToken): string {
  return `${token.issuer} ${token.subject}`;
}

interface AuthorizationDetail {
  type?: unknown;
  credential_configuration_id?: unknown;
  credential_identifiers?: unknown;
}

function authorizationDetails(token: AccessToken): AuthorizationDetail[] {
  const details = token.payload.authorization_details;
  return Array.isArray(details)
    ? details.filter(
        (d): d is AuthorizationDetail => typeof d === 'object' && d?.type === 'openid_credential',
      )
    : [];
}

/** The configuration a request asks for, and whether the token authorises it (§8.2, §5.1.1). */
async function resolveConfiguration(
  body: CredentialRequest,
  token: AccessToken,
  source: CredentialConfigurationSource,
): Promise<CredentialConfiguration> {
  const details = authorizationDetails(token);
  if (body.credential_identifier !== undefined) {
    const identified = details.filter((d) => Array.isArray(d.credential_identifiers));
    const detail = identified.find((d) =>
      (d.credential_identifiers as unknown[]).includes(body.credential_identifier),
    );
    if (!detail || typeof detail.credential_configuration_id !== 'string')
      throw badRequest(
        'unknown_credential_identifier',
        'the credential_identifier was not issued with this token',
      );
    const configuration = await source.get(detail.credential_configuration_id);
    if (!configuration)
      throw badRequest('unknown_credential_identifier', 'the credential is no longer offered');
    return configuration;
  }
  let configuration: CredentialConfiguration | undefined;
  if (body.credential_configuration_id !== undefined) {
    configuration = await source.get(body.credential_configuration_id);
    if (!configuration)
      throw badRequest('unknown_credential_configuration', 'unknown credential_configuration_id');
    // §8.2 says a wallet given credential identifiers uses them; deployed wallets (Sphereon's among
    // them) still name the configuration. Both name what the token authorises, so both are accepted.
  } else if (body.format !== undefined) {
    if (!formatOf(body.format))
      throw badRequest('unsupported_credential_format', 'the credential format is not supported');
    configuration = (await source.list()).find((c) => matchesDraft13(c, body));
    if (!configuration)
      throw badRequest('unsupported_credential_type', 'no credential of that type is offered');
    // A wallet that asks by a format's older name (`vc+sd-jwt`) predates the media type change: it
    // gets the credential under that name (the same SD-JWT VC with the older `typ`; docs/formats.md).
    if (isAlias(body.format))
      configuration = { ...configuration, format: body.format as typeof configuration.format };
  } else {
    throw badRequest(
      'invalid_credential_request',
      'credential_configuration_id or credential_identifier is required',
    );
  }
  const detailed = details.some((d) => d.credential_configuration_id === configuration.id);
  if (!detailed && !token.scopes.has(configuration.scope)) throw insufficientScope(configuration.scope);
  return configuration;
}

function proofsOf(body: CredentialRequest): ProofsInput {
  if (body.proofs && body.proof)
    throw badRequest('invalid_credential_request', 'send either proofs or proof, not both');
  if (body.proof) {
    const { proof_type: type } = body.proof;
    if (type === 'jwt' && body.proof.jwt) return { jwt: [body.proof.jwt] };
    if (type === 'attestation' && body.proof.attestation) return { attestation: [body.proof.attestation] };
    throw badRequest('invalid_proof', 'unsupported or incomplete proof');
  }
  // §8.3.1.2 (1): a missing proofs parameter is invalid_proof.
  if (!body.proofs) throw badRequest('invalid_proof', 'proofs is required');
  return body.proofs;
}

/**
 * The body of a successful (immediate or deferred) Credential Response: the credentials and a
 * notification id recorded against their ledger ids (§8.3, §11).
 */
export async function deliveredBody(
  outcome: Extract<IssuanceOutcome, { kind: 'issued' }>,
  configurationId: string,
  owner: string,
  notifications: NotificationStore,
): Promise<Record<string, unknown>> {
  const notificationId = await notifications.create(owner, configurationId, outcome.credentialIds);
  return {
    credentials: outcome.credentials.map((credential) => ({ credential })),
    notification_id: notificationId,
  };
}

/**
 * The claims an issuer-initiated offer fixed: for a token of our pre-authorized grant (`offer_id`),
 * or for a token of an authorization server that carries the offer's `issuer_state` (§5.1.3) — then
 * only if the offer names nobody or names the token's subject, so one person's offer cannot be
 * collected with another person's login.
 */
async function offeredClaims(
  token: AccessToken,
  deps: CredentialRouteDeps,
): Promise<Record<string, unknown> | undefined> {
  const offerId = token.payload.offer_id;
  if (token.issuer === deps.publicUrl && typeof offerId === 'string')
    return (await deps.offers.get(offerId))?.claims;
  const issuerState = token.payload.issuer_state;
  if (typeof issuerState !== 'string' || issuerState.length > 64) return undefined;
  const offer = await deps.offers.findByIssuerState(issuerState);
  if (!offer) throw badRequest('invalid_credential_request', 'the credential offer has expired');
  if (offer.subject !== undefined && offer.subject !== token.subject)
    throw badRequest('invalid_credential_request', 'the credential offer was made for someone else');
  return offer.claims;
}

/**
 * Credential Endpoint (OpenID4VCI 1.0 §8, draft 13 §7): access token (Bearer or DPoP) → request
 * (possibly encrypted) → configuration → key proofs → c_nonce (consumed once) → the pipeline → the
 * credentials, each bound to its own key, or a deferred transaction.
 */
export function registerCredentialRoute(app: FastifyInstance, deps: CredentialRouteDeps): void {
  const tokens = new WeakMap<FastifyRequest, AccessToken>();
  const read = bodyReader<CredentialRequest>(
    CredentialRequest,
    'invalid_credential_request',
    deps.encryption,
  );
  const audiences = [deps.publicUrl, `${deps.publicUrl}/draft13`];

  app.register(async (scope) => {
    acceptJwtBodies(scope);
    scope.post(
      CREDENTIAL_PATH,
      {
        // The token is checked before the body is even parsed: an unauthenticated caller learns nothing.
        onRequest: async (request, reply) => {
          const token = await authenticate(deps.auth, request, reply);
          if (token) tokens.set(request, token);
        },
      },
      async (request, reply) => {
        const token = tokens.get(request) as AccessToken;
        const { body, encrypter } = await read(request);
        // Draft 13 requests (format, or the single `proof`) get the draft-13 members in the response too.
        const draft13 = body.format !== undefined || body.proof !== undefined;
        try {
          const configuration = await resolveConfiguration(body, token, deps.configurations);
          const proven = await verifyProofs(proofsOf(body), {
            audience: audiences,
            algorithms: PROOF_SIGNING_ALGS,
            maxAgeSeconds: deps.proofMaxAge,
            attesters: deps.attesters,
          });
          // Only after every proof checks out: each distinct nonce is consumed once, atomically (§7).
          for (const nonce of new Set(proven.nonces)) {
            if (!(await deps.nonces.consume(nonce)))
              throw badRequest('invalid_nonce', 'c_nonce is unknown, expired or already used');
          }
          const pending: PendingIssuance = {
            configurationId: configuration.id,
            subject: { sub: token.subject, claims: token.payload as Record<string, unknown> },
            holderJwks: proven.keys,
            offeredClaims: await offeredClaims(token, deps),
            draft13,
          };
          const outcome = await deps.issuance.issue({ ...pending, configuration });
          const owner = ownerOf(token);
          if (outcome.kind === 'pending') {
            // §8.3: 202 with a transaction id; the wallet polls the deferred endpoint (§9).
            const transactionId = await deps.deferred.start(owner, {
              pending,
              reference: outcome.reference,
              interval: outcome.interval,
            });
            request.log.info({ configuration: configuration.id }, 'issuance deferred');
            return sendMaybeEncrypted(
              reply,
              202,
              { transaction_id: transactionId, interval: outcome.interval },
              encrypter,
            );
          }
          const delivered = await deliveredBody(outcome, configuration.id, owner, deps.notifications);
          request.log.info(
            { configuration: configuration.id, count: outcome.credentials.length },
            'credentials issued',
          );
          if (!draft13) return sendMaybeEncrypted(reply, 200, delivered, encrypter);
          // Draft 13 §7.3: one `credential` and the next c_nonce, beside the 1.0 members (wallets
          // between the drafts, such as Sphereon's, send `proof` but read `credentials`).
          return sendMaybeEncrypted(
            reply,
            200,
            {
              ...delivered,
              credential: outcome.credentials[0],
              c_nonce: await deps.nonces.issue(),
              c_nonce_expires_in: deps.nonceTtl,
            },
            encrypter,
          );
        } catch (error) {
          // Draft 13 §7.3.1.2: a proof error carries a fresh c_nonce for the retry.
          if (
            draft13 &&
            error instanceof ProtocolError &&
            ['invalid_proof', 'invalid_nonce'].includes(error.error)
          ) {
            return reply
              .status(400)
              .header('cache-control', 'no-store')
              .send({
                ...error.toJSON(),
                c_nonce: await deps.nonces.issue(),
                c_nonce_expires_in: deps.nonceTtl,
              });
          }
          throw error;
        }
      },
    );
  });
}

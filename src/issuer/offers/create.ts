import { type Static, Type as T } from '@sinclair/typebox';
import QRCode from 'qrcode';
import { ProtocolError } from '../../platform/errors.js';
import type { CredentialConfigurationSource } from '../issuance/index.js';
import { credentialOfferOf, type OfferStore, type StoredOffer } from './store.js';
import { validateOfferedClaims } from './validate-claims.js';

/** What an administrator (API or CLI) sends to create an offer. */
export const OfferRequest = T.Object({
  credential_configuration_ids: T.Array(T.String({ minLength: 1, maxLength: 200 }), {
    minItems: 1,
    maxItems: 10,
    uniqueItems: true,
  }),
  /** The person's registry id, when the data provider should look them up. */
  subject: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
  /** Claims to issue, checked against each configuration (unknown refused, mandatory required). */
  claims: T.Optional(T.Record(T.String(), T.Unknown())),
  grants: T.Optional(
    T.Object({
      pre_authorized_code: T.Optional(
        T.Object({
          tx_code: T.Optional(
            T.Object({
              length: T.Integer({ minimum: 4, maximum: 12 }),
              input_mode: T.Optional(T.Union([T.Literal('numeric'), T.Literal('text')])),
              description: T.Optional(T.String({ maxLength: 300 })),
            }),
          ),
        }),
      ),
      authorization_code: T.Optional(T.Object({})),
    }),
  ),
  /** Offer lifetime in seconds. */
  expires_in: T.Optional(T.Integer({ minimum: 30, maximum: 30 * 86400 })),
  /** Offer for the draft-13 view of the issuer (older wallets). */
  draft13: T.Optional(T.Boolean()),
});
export type OfferRequest = Static<typeof OfferRequest>;

export interface OfferServiceDeps {
  publicUrl: string;
  /** The authorization server named in the authorization code grant. */
  authorizationServer: string;
  store: OfferStore;
  configurations: CredentialConfigurationSource;
  defaultTtl: number;
  attempts: number;
  /** HAIP mode: 1.0 offers name the wallet by `haip://` (HAIP 1.0 draft -04 §4.2) instead of OFFER_SCHEME. */
  haip?: boolean;
}

export interface OfferView {
  id: string;
  credential_offer: Record<string, unknown>;
  /** `openid-credential-offer://?credential_offer=…` (by value). */
  credential_offer_uri_by_value: string;
  /** The by-reference document, and the wallet URI that names it. */
  credential_offer_uri: string;
  offer_uri_by_reference: string;
  qr_png: string;
  qr_svg: string;
  /** Shown once: give it to the holder through another channel than the offer. */
  tx_code?: string;
  expires_at: string;
}

export const OFFER_SCHEME = 'openid-credential-offer://';
/** HAIP 1.0 (editor's draft -04 §4.2, the version docs/standards.md audits): "at least a custom URL scheme `haip://`". */
export const HAIP_OFFER_SCHEME = 'haip://';

export function credentialIssuerOf(publicUrl: string, draft13: boolean): string {
  return draft13 ? `${publicUrl}/draft13` : publicUrl;
}

/** Creating and presenting offers: shared by the admin API and the CLI. */
export class OfferService {
  constructor(private readonly deps: OfferServiceDeps) {}

  async create(request: OfferRequest): Promise<OfferView> {
    for (const id of request.credential_configuration_ids) {
      const configuration = await this.deps.configurations.get(id);
      if (!configuration)
        throw new ProtocolError(400, 'invalid_request', `unknown credential configuration ${id}`);
      if (request.claims) validateOfferedClaims(configuration, request.claims);
    }
    if (!request.subject && !request.claims)
      throw new ProtocolError(400, 'invalid_request', 'an offer names a subject or the claims to issue');
    const grants = request.grants ?? { pre_authorized_code: {} };
    if (!grants.pre_authorized_code && !grants.authorization_code)
      throw new ProtocolError(400, 'invalid_request', 'an offer needs at least one grant');
    const tx = grants.pre_authorized_code?.tx_code;
    const { stored, txCode } = await this.deps.store.create({
      configurationIds: request.credential_configuration_ids,
      subject: request.subject,
      claims: request.claims,
      preAuthorized: grants.pre_authorized_code
        ? {
            txCode: tx
              ? {
                  length: tx.length,
                  input_mode: tx.input_mode ?? 'numeric',
                  ...(tx.description ? { description: tx.description } : {}),
                }
              : undefined,
          }
        : undefined,
      authorizationCode: grants.authorization_code !== undefined,
      ttlSeconds: request.expires_in ?? this.deps.defaultTtl,
      attempts: this.deps.attempts,
    });
    return this.view(stored, request.draft13 === true, txCode);
  }

  offerDocument(offer: StoredOffer, draft13: boolean): Record<string, unknown> {
    return credentialOfferOf(offer, credentialIssuerOf(this.deps.publicUrl, draft13), {
      preAuthorized: credentialIssuerOf(this.deps.publicUrl, draft13),
      authorizationCode: this.deps.authorizationServer,
    });
  }

  referenceUrl(id: string, draft13: boolean): string {
    return `${this.deps.publicUrl}/offers/${id}${draft13 ? '?draft13=1' : ''}`;
  }

  /** The wallet invocation scheme: `haip://` in HAIP mode; draft 13 wallets only know OFFER_SCHEME. */
  private scheme(draft13: boolean): string {
    return this.deps.haip && !draft13 ? HAIP_OFFER_SCHEME : OFFER_SCHEME;
  }

  referenceUri(id: string, draft13: boolean): string {
    return `${this.scheme(draft13)}?credential_offer_uri=${encodeURIComponent(this.referenceUrl(id, draft13))}`;
  }

  view(offer: StoredOffer, draft13: boolean, txCode?: string): OfferView {
    const document = this.offerDocument(offer, draft13);
    const base = `${this.deps.publicUrl}/offers/${offer.id}`;
    const suffix = draft13 ? '?draft13=1' : '';
    return {
      id: offer.id,
      credential_offer: document,
      credential_offer_uri_by_value: `${this.scheme(draft13)}?credential_offer=${encodeURIComponent(JSON.stringify(document))}`,
      credential_offer_uri: this.referenceUrl(offer.id, draft13),
      offer_uri_by_reference: this.referenceUri(offer.id, draft13),
      qr_png: `${base}/qr.png${suffix}`,
      qr_svg: `${base}/qr.svg${suffix}`,
      ...(txCode ? { tx_code: txCode } : {}),
      expires_at: new Date(offer.expiresAt).toISOString(),
    };
  }
}

/** QR code of a wallet URI (the by-reference form keeps the code small and scannable). */
export async function qrPng(uri: string): Promise<Buffer> {
  return QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 });
}

export async function qrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

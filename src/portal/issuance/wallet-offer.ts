import type { Config } from '../../platform/config/index.js';
import { UpstreamError } from '../errors.js';
import { request, requireSecureUrl } from '../http.js';

/** Lifetime of a wallet offer: long enough to find the phone and scan, short enough to be useless later. */
export const WALLET_OFFER_TTL_SECONDS = 600;
/** Digits of the transaction code the person types in the wallet (OpenID4VCI 1.0 §4.1.1 `tx_code`). */
export const TX_CODE_LENGTH = 6;

export interface WalletOffer {
  /** `openid-credential-offer://?credential_offer_uri=…`: by reference keeps the QR code small. */
  uri: string;
  txCode: string | undefined;
  expiresAt: string;
}

/**
 * Asks our issuer's admin API (`POST /admin/offers`, authenticated with the configured API key, or
 * else with a client-credentials token carrying `issuer:offers`) for a
 * credential offer with a pre-authorized code and a transaction code, for the person the portal
 * just signed in (`subject`, the registry id the issuer looks up). The person's own wallet then
 * redeems it and gets the same credential bound to a key of its own.
 */
export async function createWalletOffer(
  config: Config,
  issuer: string,
  input: { configurationIds: string[]; subject: string; txDescription: string },
  /** The Bearer credential: `portal.issuerApiKey`, or an access token from `OffersTokens`. */
  credential: string,
): Promise<WalletOffer> {
  const url = requireSecureUrl(config, `${issuer.replace(/\/$/, '')}/admin/offers`, 'credential');
  const response = await request('credential', url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify({
      credential_configuration_ids: input.configurationIds,
      subject: input.subject,
      grants: {
        pre_authorized_code: {
          tx_code: {
            length: TX_CODE_LENGTH,
            input_mode: 'numeric',
            description: input.txDescription.slice(0, 300),
          },
        },
      },
      expires_in: WALLET_OFFER_TTL_SECONDS,
    }),
  });
  const body = response.json as {
    offer_uri_by_reference?: unknown;
    tx_code?: unknown;
    expires_at?: unknown;
    error?: unknown;
  };
  if (response.status !== 201 || typeof body?.offer_uri_by_reference !== 'string') {
    const code = typeof body?.error === 'string' ? body.error : `http_${response.status}`;
    throw new UpstreamError('credential', code, 'the issuer did not create a wallet offer');
  }
  return {
    uri: body.offer_uri_by_reference,
    txCode: typeof body.tx_code === 'string' ? body.tx_code : undefined,
    expiresAt: typeof body.expires_at === 'string' ? body.expires_at : '',
  };
}

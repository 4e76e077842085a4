import { digest } from '@sd-jwt/crypto-nodejs';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, createLocalJWKSet, decodeJwt, type JWK } from 'jose';
import { expect } from 'vitest';
import type { ForeignAs } from '../issuer/helpers/foreign-as.js';
import { newHolder, proofJwt } from '../issuer/helpers/wallet.js';

/**
 * A wallet's view of an issuer for operations tests: get a dc+sd-jwt national ID with a token from
 * a test authorization server, read its status list entry, verify it as an independent verifier
 * (@sd-jwt/sd-jwt-vc with jose, keys from the issuer's jwt-vc-issuer metadata).
 */
export function issuingWallet(issuerUrl: string, as: ForeignAs) {
  const statusOf = (credential: string) =>
    (
      decodeJwt(credential.split('~')[0] as string) as {
        status: { status_list: { idx: number; uri: string } };
      }
    ).status.status_list;
  return {
    statusOf,
    entry: (credential: string) => `${statusOf(credential).uri}#${statusOf(credential).idx}`,
    async issueOne(sub = '5102030400'): Promise<string> {
      const nonce = (
        (await (await fetch(`${issuerUrl}/nonce`, { method: 'POST' })).json()) as { c_nonce: string }
      ).c_nonce;
      const holder = await newHolder('ES256');
      const response = await fetch(`${issuerUrl}/credential`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await as.mint({ claims: { sub } })}`,
        },
        body: JSON.stringify({
          credential_configuration_id: 'national_id_sd_jwt',
          proofs: { jwt: [await proofJwt(holder, { audience: issuerUrl, nonce })] },
        }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { credentials: { credential: string }[] }).credentials[0]
        ?.credential as string;
    },
    async listStatus(credential: string): Promise<number> {
      const { uri, idx } = statusOf(credential);
      return getListFromStatusListJWT(await (await fetch(uri)).text()).getStatus(idx);
    },
    async issuerKeys(): Promise<unknown> {
      return (await fetch(`${issuerUrl}/.well-known/jwt-vc-issuer`)).json();
    },
    async verify(credential: string) {
      const { jwks } = (await (await fetch(`${issuerUrl}/.well-known/jwt-vc-issuer`)).json()) as {
        jwks: { keys: JWK[] };
      };
      const keys = createLocalJWKSet(jwks);
      return new SDJwtVcInstance({
        hasher: digest,
        verifier: async (data: string, signature: string) => {
          await compactVerify(`${data}.${signature}`, keys);
          return true;
        },
      }).verify(credential);
    },
  };
}

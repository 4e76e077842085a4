import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeJwt, exportJWK, type JWK, SignJWT } from 'jose';

/** What one credential request (OpenID4VCI 1.0 §8) got: a 200 with its credential, a refusal, or nothing. */
export interface Attempt {
  nonce: string;
  proof: string;
  token: string;
  /** The wallet key that signed `proof`: a replay signs a fresh proof (new iat) over the same nonce. */
  holder: Holder;
  outcome: 'issued' | 'refused' | 'no answer';
  status?: number;
  /** The Token Status List reference of an issued SD-JWT VC (`status.status_list`). */
  statusRef?: { uri: string; idx: number };
}

export interface Holder {
  privateKey: KeyObject;
  publicJwk: JWK;
}

async function newHolder(): Promise<Holder> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

/** An OpenID4VCI 1.0 Appendix F.1 key proof, as a wallet signs it. */
export function signProof(holder: Holder, issuer: string, nonce: string): Promise<string> {
  return new SignJWT({ nonce })
    .setProtectedHeader({ typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: holder.publicJwk })
    .setAudience(issuer)
    .setIssuedAt()
    .sign(holder.privateKey);
}

/** The status reference in the issuer-signed JWT of an SD-JWT VC (its part before the first `~`). */
export function statusOf(sdJwt: string): { uri: string; idx: number } | undefined {
  const payload = decodeJwt(sdJwt.split('~')[0] as string) as {
    status?: { status_list?: { uri: string; idx: number } };
  };
  return payload.status?.status_list;
}

/** POST /credential with one JWT proof; never throws (a dead server is an answer too). */
export async function requestCredential(
  issuer: string,
  token: string,
  proof: string,
  configurationId: string,
): Promise<Pick<Attempt, 'outcome' | 'status' | 'statusRef'> & { error?: string }> {
  try {
    const response = await fetch(`${issuer}/credential`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ credential_configuration_id: configurationId, proofs: { jwt: [proof] } }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as { credentials?: { credential: string }[]; error?: string };
    if (response.status !== 200) return { outcome: 'refused', status: response.status, error: body.error };
    const credential = body.credentials?.[0]?.credential as string;
    return { outcome: 'issued', status: 200, statusRef: statusOf(credential) };
  } catch {
    return { outcome: 'no answer' };
  }
}

/**
 * `workers` wallets in parallel, each looping nonce → proof → credential until `stop()` says so;
 * every attempt is recorded. A nonce request that gets no answer (the server died) ends nothing:
 * the loop goes on until told to stop.
 */
export async function credentialLoad(options: {
  issuer: string;
  tokens: string[];
  configurationId: string;
  workers: number;
  attempts: Attempt[];
  stop: () => boolean;
}): Promise<void> {
  const { issuer, tokens, configurationId, attempts } = options;
  const worker = async (w: number) => {
    const holder = await newHolder();
    const token = tokens[w % tokens.length] as string;
    while (!options.stop()) {
      const nonce = await fetch(`${issuer}/nonce`, { method: 'POST', signal: AbortSignal.timeout(30_000) })
        .then(async (r) => ((await r.json()) as { c_nonce?: string }).c_nonce)
        .catch(() => undefined);
      if (!nonce) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const proof = await signProof(holder, issuer, nonce);
      const attempt: Attempt = { nonce, proof, token, holder, outcome: 'no answer' };
      attempts.push(attempt);
      Object.assign(attempt, await requestCredential(issuer, token, proof, configurationId));
    }
  };
  await Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w)));
}

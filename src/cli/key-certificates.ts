import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { MDOC_DS_KEY_PURPOSE, MDOC_IACA_KEY_PURPOSE, SD_JWT_KEY_PURPOSE } from '../issuer/formats/keys.js';
import type { Config } from '../platform/config/index.js';
import type { KeyStore, SigningKey } from '../platform/keys/index.js';
import {
  type ChainUse,
  certificateSummary,
  certificatesFromPem,
  createCsr,
  validateChain,
} from '../platform/keys/x509/index.js';

/** The purposes that take a certificate, and what their leaf must allow. */
export const CERTIFICATE_USES: Record<string, ChainUse> = {
  [MDOC_DS_KEY_PURPOSE]: 'document-signer',
  [SD_JWT_KEY_PURPOSE]: 'issuer-signer',
  [MDOC_IACA_KEY_PURPOSE]: 'iaca',
};

export interface CertificateArgs {
  purpose?: string | undefined;
  kid?: string | undefined;
  subject?: string | undefined;
  out?: string | undefined;
  chain?: string | undefined;
}

class CommandError extends Error {}

const HOUR = 3_600_000;

function useOf(purpose: string | undefined): ChainUse {
  const use = purpose ? CERTIFICATE_USES[purpose] : undefined;
  if (!use) {
    throw new CommandError(
      `--purpose must be one of ${Object.keys(CERTIFICATE_USES).join(', ')} (the keys that carry a certificate)`,
    );
  }
  return use;
}

/** The key a CSR is for: --kid, else the purpose's pending key (a rotation in progress), else its signing key. */
async function keyFor(keys: KeyStore, purpose: string, kid: string | undefined): Promise<SigningKey> {
  const records = await keys.records(purpose);
  const record = kid
    ? records.find((r) => r.kid === kid)
    : (records.find((r) => r.lifecycle.state === 'pending') ??
      records.find((r) => r.lifecycle.state === 'signing'));
  const key = record && (await keys.get(record.kid));
  if (!key)
    throw new CommandError(
      kid
        ? `no key ${kid} of ${purpose}`
        : `${purpose} has no key yet (start the issuer once, or attesta keys rotate issuer --purpose ${purpose})`,
    );
  return key;
}

function defaultSubject(config: Config, purpose: string): string {
  const { country = 'XA', organization = 'Attesta' } = config.issuer.mdoc ?? {};
  const role =
    purpose === MDOC_DS_KEY_PURPOSE
      ? 'document signer'
      : purpose === MDOC_IACA_KEY_PURPOSE
        ? 'IACA'
        : 'credential issuer';
  return `C=${country}, O=${organization}, CN=${organization} ${role}`;
}

/** `attesta keys csr issuer --purpose p [--kid k] [--subject dn] [--out file]`: a PKCS#10 request signed by the key. */
export async function csrCommand(
  keys: KeyStore,
  config: Config,
  args: CertificateArgs,
  out: (line: string) => void,
) {
  useOf(args.purpose);
  const purpose = args.purpose as string;
  const key = await keyFor(keys, purpose, args.kid);
  const pem = await createCsr(key, {
    subject: args.subject ?? defaultSubject(config, purpose),
    // The SD-JWT VC issuer certificate names the issuer (`iss`) as a URI SAN.
    ...(purpose === SD_JWT_KEY_PURPOSE ? { uris: [config.issuer.publicUrl] } : {}),
  });
  if (args.out) {
    writeFileSync(args.out, pem);
    out(`certificate request for ${purpose} key ${key.kid} written to ${args.out}`);
  } else out(pem.trimEnd());
}

/** `attesta keys import-chain issuer --purpose p [--kid k] --chain file.pem`: checks the chain, then attaches it. */
export async function importChainCommand(
  keys: KeyStore,
  config: Config,
  args: CertificateArgs,
  out: (line: string) => void,
) {
  const use = useOf(args.purpose);
  const purpose = args.purpose as string;
  if (!args.chain)
    throw new CommandError('--chain <file.pem> is required (leaf first, then each CA up to the root)');
  const ders = certificatesFromPem(readFileSync(args.chain));
  // The key the leaf certifies: --kid, or the purpose's key with the leaf's public key.
  const candidates = args.kid ? [await keyFor(keys, purpose, args.kid)] : await keys.all(purpose);
  let lastError: Error | undefined;
  for (const key of candidates) {
    try {
      await validateChain(ders, { use, publicJwk: key.publicJwk, issuerUrl: config.issuer.publicUrl });
    } catch (error) {
      lastError = error as Error;
      // Only a key mismatch moves on to the next candidate; any other reason is the answer.
      if (!/certifies another key/.test(lastError.message) || args.kid)
        throw new CommandError(`refused: ${lastError.message}`);
      continue;
    }
    await keys.setCertificateChain(key.kid, ders);
    out(`chain imported for ${purpose} key ${key.kid}: ${certificateSummary(ders[0] as Buffer)}`);
    if (use === 'document-signer') {
      // An MSO is signed at the issuance hour rounded down (ISO/IEC 18013-5 §9.3.1): a DS certificate
      // that starts after that hour is not used until the next full hour after its start.
      const from = Date.parse(new X509Certificate(ders[0] as Buffer).validFrom);
      const usableFrom = Math.ceil(from / HOUR) * HOUR;
      if (usableFrom > Math.floor(Date.now() / HOUR) * HOUR) {
        out(
          `note: mdocs are signed at the issuance hour, so this certificate signs from ${new Date(usableFrom).toISOString()}; until then an earlier document signer with a valid certificate does, or mdoc issuance (and the issuer's start) fails. Ask the CA to start the validity at or before the current hour.`,
        );
      }
    }
    return;
  }
  throw new CommandError(
    `refused: the leaf certificate certifies none of the keys of ${purpose} (${candidates.map((k) => k.kid).join(', ') || 'none'}); make the CSR with attesta keys csr`,
  );
}

export function isCommandError(error: unknown): error is Error {
  return error instanceof CommandError || (error as Error)?.name === 'ChainError';
}

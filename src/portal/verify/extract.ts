import { DecodeOverBudget, type DecodePool } from './decode-pool.js';
import type { DecodeResult, DecodeTask } from './decode-worker.js';
import { fileKind, imageWithinLimits, jsonWithinLimits, LIMITS } from './measure.js';

const BASE45 = /^[0-9A-Z $%*+\-./:]+$/;
const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(~[A-Za-z0-9_.~-]*)?$/;
/** An mdoc IssuerSigned as OpenID4VCI returns it (base64url CBOR). */
const BASE64URL = /^[A-Za-z0-9_-]{64,}$/;

export interface ExtractOptions {
  /** Takes the credential of one of our one-time links (`…/r/<id>`), when the text is one. */
  retrieve: (url: string) => Promise<string | undefined>;
  /** Where pictures, PDFs and PixelPass payloads are decoded (off the event loop, within a budget). */
  decoder: DecodePool;
}

/** Decodes in the pool; a task over its time or memory budget read nothing. `DecodeBusy` goes up. */
async function decode(options: ExtractOptions, task: DecodeTask): Promise<DecodeResult> {
  try {
    return await options.decoder.run(task);
  } catch (error) {
    if (error instanceof DecodeOverBudget) return { texts: [] };
    throw error;
  }
}

/**
 * The credential in a piece of text: a compact SD-JWT/JWT, our JSON download, a PixelPass QR
 * payload, or one of our one-time links. Undefined when none of these, or when the text is over
 * the limits (docs/security.md, Bounded input). Throws `DecodeBusy` when the decoders are full.
 */
export async function credentialFromText(
  text: string,
  options: ExtractOptions,
  depth = 0,
): Promise<string | undefined> {
  const value = text.trim();
  if (!value || depth > 2 || value.length > LIMITS.credentialChars) return undefined;
  if (COMPACT_JWT.test(value)) return value;
  if (value.startsWith('{')) return credentialFromJson(value, options, depth);
  if (/^https?:\/\//.test(value)) return options.retrieve(value);
  if (value.length <= LIMITS.base45Chars && BASE45.test(value)) {
    const { texts } = await decode(options, { kind: 'pixelpass', text: value });
    const decoded = texts[0] && (await credentialFromText(texts[0], options, depth + 1));
    if (decoded) return decoded;
  }
  if (BASE64URL.test(value)) return value;
  return undefined;
}

/** Our JSON download (`{"credential": …}`) or a JSON-LD credential, measured before it is parsed. */
async function credentialFromJson(
  value: string,
  options: ExtractOptions,
  depth: number,
): Promise<string | undefined> {
  if (!jsonWithinLimits(value, LIMITS.credentialChars)) return undefined;
  let json: { credential?: unknown };
  try {
    json = JSON.parse(value) as { credential?: unknown };
  } catch {
    return undefined;
  }
  if (typeof json.credential === 'string') return credentialFromText(json.credential, options, depth + 1);
  const document =
    typeof json.credential === 'object' && json.credential !== null ? JSON.stringify(json.credential) : value;
  // The JSON-LD processor expands and canonicalises what it gets: its input is capped further.
  return document.length <= LIMITS.jsonLdChars ? document : undefined;
}

/**
 * The credential in an uploaded file: a PDF (its QR code), a PNG or JPEG picture of a QR code, or
 * text. Pictures are measured from their headers first; decoding runs in the pool.
 */
export async function credentialFromFile(
  bytes: Buffer,
  options: ExtractOptions,
): Promise<string | undefined> {
  const kind = fileKind(bytes);
  if (!kind) return credentialFromText(bytes.toString('utf8'), options);
  if (kind !== 'pdf' && !imageWithinLimits(bytes)) return undefined;
  const { texts } = await decode(options, { kind: kind === 'pdf' ? 'pdf' : 'image', bytes });
  for (const text of texts) {
    const credential = await credentialFromText(text, options);
    if (credential) return credential;
  }
  return undefined;
}

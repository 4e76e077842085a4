import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type ClaimMeta, claimLabels, localizeType, pickDisplay } from '../catalog/issuer-metadata.js';
import { type PortalContext, sendMessage, sendPage } from '../context.js';
import { type Locale, pageContext } from '../i18n/index.js';
import { busyMessage } from '../pages/message.js';
import { type VerifiedType, verifyFormPage, verifyResultPage } from '../pages/verify.js';
import { type VerificationReport, verifyReport } from '../verify/checks.js';
import { DecodeBusy, DecodePool } from '../verify/decode-pool.js';
import { credentialFromFile, credentialFromText, type ExtractOptions } from '../verify/extract.js';

/** Verifications per client IP and minute. */
export const VERIFY_RATE_LIMIT = { max: 60, timeWindow: 60_000 };

/** Uploads larger than this are refused while they are read (a PDF of ours is ~30 KB). */
export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;
/** Pasted text (a credential, our JSON download, a PixelPass payload). */
export const MAX_TEXT_BYTES = 1024 * 1024;
/** A busy decoding pool asks the person to come back after this many seconds. */
const BUSY_RETRY_SECONDS = 5;

/**
 * The verify form's two fields, read by @fastify/multipart within its limits (RFC 7578): one file,
 * a few fields, each capped while it streams in; a text over its cap is refused, not truncated.
 */
async function formFields(request: FastifyRequest): Promise<{ file?: Buffer; text?: string }> {
  if (!request.isMultipart()) {
    const text = (request.body as { text?: unknown } | undefined)?.text;
    return typeof text === 'string' ? { text } : {};
  }
  const fields: { file?: Buffer; text?: string } = {};
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer(); // throws RequestFileTooLargeError (413) past fileSize
      if (part.fieldname === 'file' && bytes.length) fields.file = bytes;
    } else if (part.fieldname === 'text' && typeof part.value === 'string') {
      if (part.valueTruncated) throw Object.assign(new Error('text too large'), { statusCode: 413 });
      if (part.value) fields.text = part.value;
    }
  }
  return fields;
}

/**
 * `GET /verify` and `POST /verify`: anyone may check a credential file, one of our PDFs, a picture of
 * a QR code or pasted text. The portal trusts the issuers of its catalogue; nothing is stored.
 */
export async function verifyRoutes(app: FastifyInstance, ctx: PortalContext): Promise<void> {
  await app.register(multipart, {
    limits: {
      fieldNameSize: 64,
      fieldSize: MAX_TEXT_BYTES,
      fields: 4,
      fileSize: MAX_UPLOAD_BYTES,
      files: 1,
      parts: 6,
      headerPairs: 16,
    },
  });
  const decoder = new DecodePool();
  app.addHook('onClose', () => decoder.close());

  app.get('/verify', async (request, reply) =>
    sendPage(reply, 200, verifyFormPage(pageContext(request, reply))),
  );

  app.post('/verify', { config: { rateLimit: VERIFY_RATE_LIMIT } }, async (request, reply) => {
    const pc = pageContext(request, reply);
    const options: ExtractOptions = {
      decoder,
      retrieve: async (url: string) => {
        const prefix = `${ctx.config.portal.publicUrl}/r/`;
        if (!url.startsWith(prefix)) return undefined;
        return (await ctx.retrievals.take(url.slice(prefix.length)))?.credential;
      },
    };
    const { file, text } = await formFields(request);
    let credential: string | undefined;
    try {
      if (file) credential = await credentialFromFile(file, options);
      if (!credential && text) credential = await credentialFromText(text, options);
    } catch (error) {
      if (!(error instanceof DecodeBusy)) throw error;
      reply.header('retry-after', String(BUSY_RETRY_SECONDS));
      return sendMessage(request, reply, busyMessage);
    }
    const result = credential ? await verifyAny(ctx, credential) : undefined;
    const type = result ? await verifiedType(ctx, result, pc.locale) : undefined;
    return sendPage(reply, result ? 200 : 422, verifyResultPage(pc, result, type));
  });
}

/** A credential of any format, checked by src/credentials/verify; only the catalogue's issuers are trusted. */
async function verifyAny(ctx: PortalContext, credential: string): Promise<VerificationReport> {
  const trusted = (await ctx.catalogs.all()).flatMap((e) => (e.catalog ? [e.catalog.issuer] : []));
  return verifyReport(ctx.config, ctx.issuerKeys, trusted, credential);
}

/**
 * Metadata paths rewritten to the shape of the verified claims: W3C claims are `credentialSubject`'s,
 * mdoc claims those of its namespaces (whose names hold dots), so a path starts at the first segment
 * that names a claim.
 */
function metaForClaims(meta: ClaimMeta[], claims: Record<string, unknown>): ClaimMeta[] {
  return meta.flatMap((claim) => {
    const segments = claim.path.split('.');
    const start = segments.findIndex((s) => s in claims);
    return start === -1 ? [] : [{ ...claim, path: segments.slice(start).join('.') }];
  });
}

const sameFormat = (a: string, b: string | undefined) =>
  a === b || (a.endsWith('+sd-jwt') && Boolean(b?.endsWith('+sd-jwt')));

/**
 * The configuration of a trusted issuer the verified credential is one of (same format, same `vct`
 * when it has one; else the one whose claims it matches best), for its name, labels and claim order.
 */
async function verifiedType(
  ctx: PortalContext,
  result: VerificationReport,
  locale: Locale,
): Promise<VerifiedType | undefined> {
  if (!result.issuer || result.checks.issuer !== 'passed') return undefined;
  const catalog = (await ctx.catalogs.all()).find((e) => e.catalog?.issuer === result.issuer)?.catalog;
  if (!catalog) return undefined;
  const claims = result.claims ?? {};
  const candidates = catalog.types
    .filter((t) => sameFormat(t.format, result.format) && (!result.vct || !t.vct || t.vct === result.vct))
    .map((type) => ({ type, meta: metaForClaims(type.claims, claims) }))
    .map((c) => ({ ...c, score: Object.keys(claims).filter((k) => c.meta.some((m) => m.path === k)).length }))
    .sort((a, b) => b.score - a.score);
  const best = candidates[0];
  if (!best) return undefined;
  return {
    name: localizeType(best.type, locale).name,
    issuerName: pickDisplay(catalog.display, locale)?.name ?? catalog.name,
    meta: best.meta,
    labels: claimLabels(best.meta, 'en'),
  };
}

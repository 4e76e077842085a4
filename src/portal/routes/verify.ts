import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { type PortalContext, sendPage } from '../context.js';
import { pageContext } from '../i18n/index.js';
import { verifyFormPage, verifyResultPage } from '../pages/verify.js';
import { type VerificationReport, verifyReport } from '../verify/checks.js';
import { credentialFromFile, credentialFromText } from '../verify/extract.js';
import { boundaryOf, parseMultipart } from '../verify/multipart.js';

/** Verifications per client IP and minute. */
export const VERIFY_RATE_LIMIT = { max: 60, timeWindow: 60_000 };

/** Uploads larger than this are refused before they are read (a PDF of ours is ~30 KB). */
export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;

/**
 * `GET /verify` and `POST /verify`: anyone may check a credential file, one of our PDFs, a picture of
 * a QR code or pasted text. The portal trusts the issuers of its catalogue; nothing is stored.
 */
export async function verifyRoutes(app: FastifyInstance, ctx: PortalContext): Promise<void> {
  // Verifying costs CPU (PDF parsing, QR reading, JSON-LD canonicalisation): per client IP, bounded.
  await app.register(rateLimit, { global: false });
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES },
    (_r, body, done) => done(null, body),
  );

  app.get('/verify', async (request, reply) =>
    sendPage(reply, 200, verifyFormPage(pageContext(request, reply))),
  );

  app.post(
    '/verify',
    { bodyLimit: MAX_UPLOAD_BYTES, config: { rateLimit: VERIFY_RATE_LIMIT } },
    async (request, reply) => {
      const pc = pageContext(request, reply);
      const options = {
        retrieve: async (url: string) => {
          const prefix = `${ctx.config.portal.publicUrl}/r/`;
          if (!url.startsWith(prefix)) return undefined;
          return (await ctx.retrievals.take(url.slice(prefix.length)))?.credential;
        },
      };
      let credential: string | undefined;
      const body = request.body;
      const boundary = boundaryOf(request.headers['content-type']);
      if (Buffer.isBuffer(body) && boundary) {
        for (const part of parseMultipart(body, boundary)) {
          if (part.name === 'file' && part.data.length)
            credential ??= await credentialFromFile(part.data, options);
          if (part.name === 'text' && part.data.length) {
            credential ??= await credentialFromText(part.data.toString('utf8'), options);
          }
        }
      } else if (typeof (body as { text?: unknown } | undefined)?.text === 'string') {
        credential = await credentialFromText((body as { text: string }).text, options);
      }
      const result = credential ? await verifyAny(ctx, credential) : undefined;
      return sendPage(reply, result ? 200 : 422, verifyResultPage(pc, result));
    },
  );
}

/** A credential of any format, checked by src/credentials/verify; only the catalogue's issuers are trusted. */
async function verifyAny(ctx: PortalContext, credential: string): Promise<VerificationReport> {
  const trusted = (await ctx.catalogs.all()).flatMap((e) => (e.catalog ? [e.catalog.issuer] : []));
  return verifyReport(ctx.config, ctx.issuerKeys, trusted, credential);
}

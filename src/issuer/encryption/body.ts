import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProtocolError } from '../../platform/errors.js';
import {
  type IssuerEncryption,
  invalidEncryption,
  type ResponseEncrypter,
  type ResponseEncryption,
} from './index.js';

/** Lets a scope take `application/jwt` bodies (encrypted requests, §10) as text. */
export function acceptJwtBodies(scope: FastifyInstance): void {
  scope.addContentTypeParser(
    'application/jwt',
    { parseAs: 'string', bodyLimit: 256 * 1024 },
    (_r, body, done) => done(null, body),
  );
}

export interface ReadBody<T> {
  body: T;
  /** The wallet's response encryption choice, checked; required when the request was encrypted. */
  encrypter?: ResponseEncrypter;
}

/**
 * A request body that may be encrypted (OpenID4VCI 1.0 §10): decrypted, then checked against the
 * schema (errors are `errorCode`); in "encryption required" mode a plaintext request or one that
 * asks for a plaintext response is refused with `invalid_encryption_parameters`.
 */
export function bodyReader<T extends { credential_response_encryption?: ResponseEncryption }>(
  schema: TSchema,
  errorCode: string,
  encryption: IssuerEncryption,
) {
  const check = TypeCompiler.Compile(schema);
  return async (request: FastifyRequest): Promise<ReadBody<T>> => {
    let raw: unknown = request.body;
    const encrypted = typeof raw === 'string';
    if (encrypted) raw = await encryption.decryptRequest(raw as string);
    else if (encryption.required) throw invalidEncryption('this issuer requires encrypted requests');
    if (!check.Check(raw)) {
      const first = check.Errors(raw).First();
      const where = first?.path ? `${first.path.replace(/^\//, '').replaceAll('/', '.')} ` : '';
      throw new ProtocolError(400, errorCode, `body: ${where}${first?.message ?? 'is malformed'}`.trim());
    }
    const body = raw as T;
    const params = body.credential_response_encryption;
    const encrypter = params ? await encryption.responseEncrypter(params) : undefined;
    if (!encrypter && (encrypted || encryption.required))
      throw invalidEncryption('credential_response_encryption is required');
    return { body, encrypter };
  };
}

/** Sends a success response, encrypted as a JWE (`application/jwt`) when the wallet asked for it. */
export async function sendMaybeEncrypted(
  reply: FastifyReply,
  status: number,
  body: unknown,
  encrypter: ResponseEncrypter | undefined,
): Promise<FastifyReply> {
  reply.status(status).header('cache-control', 'no-store');
  if (!encrypter) return reply.send(body);
  return reply.type('application/jwt').send(await encrypter.encrypt(body));
}

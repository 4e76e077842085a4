import { Type as T } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProtocolError } from '../../platform/errors.js';
import type { AccessToken } from '../access-token.js';
import { ownerOf } from '../credential.js';
import { type Authenticator, authenticate } from '../token/authenticate.js';
import { NOTIFICATION_PATH } from '../vocabulary.js';
import { NOTIFICATION_EVENTS, type NotificationStore } from './store.js';

const NotificationRequest = TypeCompiler.Compile(
  T.Object({
    notification_id: T.String({ minLength: 1, maxLength: 64 }),
    event: T.Union(NOTIFICATION_EVENTS.map((e) => T.Literal(e))),
    event_description: T.Optional(
      T.String({ maxLength: 500, pattern: '^[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*$' }),
    ),
  }),
);

/**
 * Notification Endpoint (OpenID4VCI 1.0 §11): the wallet reports what became of the credentials of
 * one response. 204 on success, idempotent; `invalid_notification_id` for an id that is not the
 * caller's, `invalid_notification_request` for a malformed body (§11.3).
 */
export function registerNotificationRoute(
  app: FastifyInstance,
  auth: Authenticator,
  notifications: NotificationStore,
): void {
  const tokens = new WeakMap<FastifyRequest, AccessToken>();
  app.post(
    NOTIFICATION_PATH,
    {
      onRequest: async (request, reply) => {
        const token = await authenticate(auth, request, reply);
        if (token) tokens.set(request, token);
      },
    },
    async (request, reply) => {
      const token = tokens.get(request) as AccessToken;
      const body = request.body;
      if (!NotificationRequest.Check(body))
        throw new ProtocolError(
          400,
          'invalid_notification_request',
          'notification_id and a known event are required',
        );
      const recorded = await notifications.record(
        body.notification_id,
        ownerOf(token),
        body.event,
        body.event_description,
      );
      if (!recorded) throw new ProtocolError(400, 'invalid_notification_id', 'unknown notification_id');
      request.log.info({ event: body.event }, 'wallet notification');
      return reply.status(204).header('cache-control', 'no-store').send();
    },
  );
}

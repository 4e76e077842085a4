import type { FastifyInstance } from 'fastify';
import { type AccessGuard, accessTokenOf, requireAccessToken } from '../access-guard.js';
import { ownerOf } from '../access-token.js';
import { badRequest } from '../errors.js';
import { NOTIFICATION_PATH } from '../vocabulary.js';
import { parseNotificationRequest } from './parse-request.js';
import type { NotificationStore } from './store.js';

export interface NotificationRouteDeps {
  guard: AccessGuard;
  notifications: NotificationStore;
}

/**
 * Notification Endpoint (OpenID4VCI 1.0 §11), as its steps: authenticate (the shared guard) → parse
 * → record the event against the caller's notification id → respond 204. Idempotent; an id that is
 * not the caller's is `invalid_notification_id` (§11.3).
 */
export function registerNotificationRoute(app: FastifyInstance, deps: NotificationRouteDeps): void {
  app.post(NOTIFICATION_PATH, { onRequest: requireAccessToken(deps.guard) }, async (request, reply) => {
    const owner = ownerOf(accessTokenOf(request));
    const { notification_id: id, event, event_description } = parseNotificationRequest(request.body);
    if (!(await deps.notifications.record(id, owner, event, event_description)))
      throw badRequest('invalid_notification_id', 'unknown notification_id');
    request.log.info({ event }, 'wallet notification');
    return reply.status(204).header('cache-control', 'no-store').send();
  });
}

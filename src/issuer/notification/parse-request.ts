import { type Static, Type as T } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { badRequest } from '../errors.js';
import { NOTIFICATION_EVENTS } from './store.js';

/** Notification Request (OpenID4VCI 1.0 §11.1); `event_description` is ASCII without `"` and `\`. */
const NotificationRequest = T.Object({
  notification_id: T.String({ minLength: 1, maxLength: 64 }),
  event: T.Union(NOTIFICATION_EVENTS.map((e) => T.Literal(e))),
  event_description: T.Optional(
    T.String({ maxLength: 500, pattern: '^[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*$' }),
  ),
});
export type NotificationRequest = Static<typeof NotificationRequest>;

const check = TypeCompiler.Compile(NotificationRequest);

/** The request, or `invalid_notification_request` for a malformed body or an unknown event (§11.3). */
export function parseNotificationRequest(body: unknown): NotificationRequest {
  if (!check.Check(body))
    throw badRequest('invalid_notification_request', 'notification_id and a known event are required');
  return body;
}

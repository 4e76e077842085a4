import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  expectError,
  http,
  postCredential,
  preAuthorizedToken,
  proofsFor,
} from '../helpers/protocol-client.js';
import { protocolIssuerForFile } from '../helpers/protocol-issuer.js';
import { newHolder } from '../helpers/wallet.js';

const issuer = protocolIssuerForFile();

async function issue(token: string, holders = 1) {
  const proofs = await proofsFor(
    issuer.url,
    await Promise.all(Array.from({ length: holders }, () => newHolder())),
  );
  return postCredential(
    issuer.url,
    { credential_identifier: 'national_id_sd_jwt', proofs: { jwt: proofs } },
    token,
  );
}

const deferred = (token: string, body: unknown) =>
  postCredential(issuer.url, body, token, { path: '/deferred_credential' });
const notify = (token: string, body: unknown) =>
  postCredential(issuer.url, body, token, { path: '/notification' });

describe('deferred issuance (OpenID4VCI 1.0 §9)', () => {
  it('answers 202 with a transaction id and interval, then delivers once', async () => {
    const token = await preAuthorizedToken(issuer.url);
    issuer.issuance.pendingFor = 2;
    const first = await issue(token, 2);
    expect(first.status).toBe(202);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const transactionId = first.body?.transaction_id as string;
    expect(transactionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.body?.interval).toBe(5);
    expect(first.body?.credentials).toBeUndefined();

    // Still pending: 202 again, same transaction.
    const again = await deferred(token, { transaction_id: transactionId });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ transaction_id: transactionId, interval: 5 });
    // The pipeline is asked again about the same request, with its reference.
    const asked = issuer.issuance.requests.at(-1);
    expect(asked?.resume).toBe('ref-1');
    expect(asked?.holderJwks).toHaveLength(2);

    const ready = await deferred(token, { transaction_id: transactionId, unknown_member: true });
    expect(ready.status).toBe(200);
    const credentials = ready.body?.credentials as { credential: string }[];
    expect(credentials).toHaveLength(2);
    expect(decodeJwt(credentials[0]?.credential ?? '').given_name).toBe('Amara');
    expect(typeof ready.body?.notification_id).toBe('string');

    // One time only.
    expectError(await deferred(token, { transaction_id: transactionId }), 400, 'invalid_transaction_id');
  });

  it('refuses an unknown transaction id, and one presented with another token', async () => {
    const token = await preAuthorizedToken(issuer.url);
    expectError(await deferred(token, { transaction_id: 'nope' }), 400, 'invalid_transaction_id');
    issuer.issuance.pendingFor = 1;
    const started = await issue(token);
    const other = await preAuthorizedToken(issuer.url);
    // Another offer's token has another subject: the transaction is not its.
    expectError(
      await deferred(other, { transaction_id: started.body?.transaction_id }),
      400,
      'invalid_transaction_id',
    );
    expect((await deferred(token, { transaction_id: started.body?.transaction_id })).status).toBe(200);
  });

  it('requires an access token and a well-formed body', async () => {
    const anonymous = await http(`${issuer.url}/deferred_credential`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"transaction_id":"x"}',
    });
    expect(anonymous.status).toBe(401);
    const token = await preAuthorizedToken(issuer.url);
    expectError(await deferred(token, {}), 400, 'invalid_credential_request');
  });
});

describe('notifications (OpenID4VCI 1.0 §11)', () => {
  it('records events against the issued credentials, idempotently, with 204', async () => {
    const token = await preAuthorizedToken(issuer.url);
    const issued = await issue(token, 2);
    const notificationId = issued.body?.notification_id as string;
    expect(notificationId).toBeTruthy();
    const accepted = await notify(token, { notification_id: notificationId, event: 'credential_accepted' });
    expect(accepted.status).toBe(204);
    expect(accepted.text).toBe('');
    // Idempotent: the same notification again is fine.
    expect(
      (await notify(token, { notification_id: notificationId, event: 'credential_accepted' })).status,
    ).toBe(204);
    const row = await issuer.db
      .selectFrom('issuer_notifications' as never)
      .selectAll()
      .where('id' as never, '=', notificationId as never)
      .executeTakeFirstOrThrow();
    const recorded = row as { event: string; credential_ids: string };
    expect(recorded.event).toBe('credential_accepted');
    // The ledger ids the pipeline returned for this response.
    const ids = JSON.parse(recorded.credential_ids) as string[];
    expect(ids).toHaveLength(2);
    const credentials = issued.body?.credentials as { credential: string }[];
    expect(ids).toEqual(credentials.map((c) => decodeJwt(c.credential).jti));

    const deleted = await notify(token, {
      notification_id: notificationId,
      event: 'credential_deleted',
      event_description: 'removed by the holder',
    });
    expect(deleted.status).toBe(204);
    const failure = await notify(token, { notification_id: notificationId, event: 'credential_failure' });
    expect(failure.status).toBe(204);
  });

  it('refuses unknown ids, foreign ids, unknown events and malformed bodies', async () => {
    const token = await preAuthorizedToken(issuer.url);
    const issued = await issue(token);
    const notificationId = issued.body?.notification_id as string;
    expectError(
      await notify(token, { notification_id: 'nope', event: 'credential_accepted' }),
      400,
      'invalid_notification_id',
    );
    const other = await preAuthorizedToken(issuer.url);
    expectError(
      await notify(other, { notification_id: notificationId, event: 'credential_accepted' }),
      400,
      'invalid_notification_id',
    );
    expectError(
      await notify(token, { notification_id: notificationId, event: 'credential_loved' }),
      400,
      'invalid_notification_request',
    );
    expectError(await notify(token, { event: 'credential_accepted' }), 400, 'invalid_notification_request');
    const anonymous = await http(`${issuer.url}/notification`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ notification_id: notificationId, event: 'credential_accepted' }),
    });
    expect(anonymous.status).toBe(401);
  });
});

import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR } from '../../src/authz/factors/acr.js';
import { SmtpNotifier } from '../../src/authz/notify/index.js';
import { testConfig } from '../helpers/system.js';
import { AMARA, type AuthzUnderTest, Browser, startAuthz } from './helpers.js';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** A local SMTP server (smtp-server) that keeps what it receives. */
async function startSmtp(): Promise<{ server: SMTPServer; port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.server.address() as AddressInfo).port, mails };
}

let smtp: Awaited<ReturnType<typeof startSmtp>>;
let authz: AuthzUnderTest;
let dataDir: string;

beforeAll(async () => {
  smtp = await startSmtp();
  const test = await testConfig({ services: ['authz'] });
  dataDir = test.dataDir;
  const portal = test.config.authz.clients[0];
  if (portal) portal.acr_values = [ACR.otp];
  test.config.authz.login.notify = {
    transport: 'smtp',
    from: 'Attesta <sign-in@attesta.test>',
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false },
  };
  authz = await startAuthz(test.config);
});

afterAll(async () => {
  await authz?.stop();
  await new Promise<void>((resolve) => smtp?.server.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function nextMail(count: number): Promise<Mail> {
  for (let i = 0; i < 200 && smtp.mails.length < count; i++) await new Promise((r) => setTimeout(r, 25));
  const mail = smtp.mails[count - 1];
  if (!mail) throw new Error('no mail arrived');
  return mail;
}

describe('one-time codes by e-mail through SMTP (nodemailer → local smtp-server)', () => {
  it('delivers the code to the registry e-mail and signs in with it', async () => {
    const origin = authz.config.authz.publicUrl;
    const browser = new Browser();
    const codeVerifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(authz.rp, {
      redirect_uri: authz.config.authz.clients[0]?.redirect_uris[0] ?? '',
      scope: 'openid national_id',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: 'smtp',
      ui_locales: 'fr',
      resource: authz.config.authz.resources[0]?.identifier ?? '',
    });
    const start = await browser.follow(url, origin);
    expect(await start.response.text()).toContain('Envoyer le code');
    const path = start.url.pathname;
    await browser.submit(new URL(`${path}/login`, origin), origin, {
      individual_id: AMARA.individual_id,
      lang: 'fr',
    });
    const mail = await nextMail(1);
    expect(mail.from).toBe('sign-in@attesta.test');
    expect(mail.to).toEqual(['amara.okafor@example.org']);
    expect(mail.raw).toMatch(/^Subject: Votre code de connexion Attesta/m);
    const code = /est ([0-9]{6})/.exec(mail.raw)?.[1] ?? '';
    expect(code).toMatch(/^[0-9]{6}$/);
    const done = await browser.submit(new URL(`${path}/otp`, origin), origin, { otp: code });
    const tokens = await client.authorizationCodeGrant(
      authz.rp,
      done.url,
      { pkceCodeVerifier: codeVerifier, expectedState: 'smtp' },
      { resource: authz.config.authz.resources[0]?.identifier ?? '' },
    );
    expect(tokens.claims()).toMatchObject({ sub: AMARA.individual_id, acr: ACR.otp, amr: ['otp'] });
  });

  it('has no /dev/outbox page with the SMTP transport', async () => {
    const response = await fetch(`${authz.config.authz.publicUrl}/dev/outbox`);
    expect(response.status).toBe(404);
  });

  it('reaches e-mail only (no SMS through SMTP)', async () => {
    const notifier = new SmtpNotifier({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      from: 'a@b.test',
    });
    expect([...notifier.channels]).toEqual(['email']);
    await expect(notifier.send({ channel: 'phone', to: '+1', subject: 's', text: 't' })).rejects.toThrow(
      /e-mail only/,
    );
    await notifier.close();
  });
});

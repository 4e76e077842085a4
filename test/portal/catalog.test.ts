import { describe, expect, it } from 'vitest';
import { parseIssuerMetadata } from '../../src/portal/catalog/issuer-metadata.js';
import { TtlCache } from '../../src/portal/catalog/ttl-cache.js';
import { wellKnownUrls } from '../../src/portal/catalog/well-known.js';
import { UpstreamError } from '../../src/portal/errors.js';
import { issuerMetadata } from './stubs.js';

describe('issuer metadata', () => {
  const issuer = 'https://issuer.example';

  it('takes names, descriptions and claim labels from credential_metadata, or draft-13 display', () => {
    const catalog = parseIssuerMetadata(issuerMetadata(issuer, 'https://as.example'), issuer);
    expect(catalog).toMatchObject({ issuer, name: 'Stub Issuer', authorizationServer: 'https://as.example' });
    expect(catalog.types).toEqual([
      expect.objectContaining({
        id: 'national_id_sd_jwt',
        name: 'National ID',
        description: 'Your national identity card',
        scope: 'national_id',
        labels: { given_name: 'Given name', family_name: 'Family name', 'address.locality': 'Town' },
        proofAlgs: ['ES256'],
      }),
      expect.objectContaining({
        id: 'draft13_card',
        name: 'Draft 13 card',
        description: 'Shaped like draft 13',
        labels: { given_name: 'First name' },
      }),
      expect.objectContaining({ id: 'no_scope_mdoc', name: 'Mobile licence', scope: undefined }),
    ]);
  });

  it('treats the issuer as its own authorization server when none is named (§12.2.4)', () => {
    const metadata = issuerMetadata(issuer, 'x');
    delete metadata.authorization_servers;
    expect(parseIssuerMetadata(metadata, issuer).authorizationServer).toBe(issuer);
  });

  it('refuses metadata of another issuer and malformed metadata', () => {
    const error = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as UpstreamError;
      }
      throw new Error('no error');
    };
    expect(
      error(() => parseIssuerMetadata(issuerMetadata('https://evil.example', 'x'), issuer)),
    ).toMatchObject({
      step: 'issuer_metadata',
      code: 'invalid_metadata',
    });
    const broken = { ...issuerMetadata(issuer, 'x'), credential_endpoint: 42 };
    expect(error(() => parseIssuerMetadata(broken, issuer))).toBeInstanceOf(UpstreamError);
  });

  it('builds well-known URLs by RFC 8615 insertion, appending as a second try', () => {
    expect(wellKnownUrls('https://a.example', 'openid-credential-issuer').map(String)).toEqual([
      'https://a.example/.well-known/openid-credential-issuer',
    ]);
    expect(wellKnownUrls('https://a.example/tenant/1/', 'jwt-vc-issuer').map(String)).toEqual([
      'https://a.example/.well-known/jwt-vc-issuer/tenant/1',
      'https://a.example/tenant/1/.well-known/jwt-vc-issuer',
    ]);
  });
});

describe('TTL cache', () => {
  it('reuses a value until it expires, shares one load and does not keep failures', async () => {
    let clock = 0;
    let loads = 0;
    let fail = false;
    const cache = new TtlCache(
      async () => {
        loads++;
        if (fail) throw new Error('down');
        return loads;
      },
      1000,
      () => clock,
    );
    expect(await Promise.all([cache.get(), cache.get()])).toEqual([1, 1]);
    clock = 999;
    expect(await cache.get()).toBe(1);
    clock = 1000;
    fail = true;
    await expect(cache.get()).rejects.toThrow('down');
    fail = false;
    expect(await cache.get()).toBe(3);
    cache.invalidate();
    expect(await cache.get()).toBe(4);
  });
});

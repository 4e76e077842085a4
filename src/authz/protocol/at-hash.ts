import type { Provider } from 'oidc-provider';
// oidc-provider's request context store (pinned version 9.13.3; test/authz/protocol.test.ts checks
// at_hash, so an upgrade that moves it fails loudly).
import als from 'oidc-provider/lib/helpers/als.js';

interface TokenModel {
  save(...args: unknown[]): Promise<string>;
}
interface IdTokenModel {
  ctx?: object;
  extra: Record<string, unknown>;
  set(key: string, value: unknown): void;
  issue(options?: { use?: string }): Promise<string>;
}
interface Models {
  AccessToken: { prototype: TokenModel };
  IdToken: { prototype: IdTokenModel };
}

/**
 * `at_hash` in ID tokens from the token endpoint (OIDC Core §3.1.3.6 makes it optional there;
 * oidc-provider only adds it at the authorization endpoint). The access token issued in the same
 * request is remembered per request context, and the ID token of that request hashes it
 * (oidc-provider computes the hash for the signing alg when the claim is set to the token value).
 */
export function addAtHash(provider: Provider): void {
  const models = provider as unknown as Models;
  const issued = new WeakMap<object, string>();
  const save = models.AccessToken.prototype.save;
  models.AccessToken.prototype.save = async function (this: TokenModel, ...args: unknown[]) {
    const value = await save.apply(this, args);
    const ctx = als.getStore() as object | undefined;
    if (ctx) issued.set(ctx, value);
    return value;
  };
  const issue = models.IdToken.prototype.issue;
  models.IdToken.prototype.issue = async function (this: IdTokenModel, options?: { use?: string }) {
    const accessToken = this.ctx ? issued.get(this.ctx) : undefined;
    if (options?.use === 'idtoken' && accessToken && this.extra.at_hash === undefined) {
      this.set('at_hash', accessToken);
    }
    return issue.call(this, options);
  };
}

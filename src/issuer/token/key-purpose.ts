/** The key the issuer's own token endpoint signs access tokens with. */
export const TOKEN_KEY_PURPOSE = 'issuer-token';

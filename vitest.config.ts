import { defineConfig } from 'vitest/config';

/**
 * Files that measure time or load against a baseline, kill or time processes, or drive Chromium:
 * they run one at a time, after the rest, so no other test file competes with them for the two
 * cores of a CI machine. Every other file runs two at a time (most of their time is spent waiting
 * on servers, databases and child processes, not computing).
 */
const ALONE = [
  'test/e2e/**/*.test.ts',
  'test/authz/browser.test.ts',
  'test/authz/pages-browser.test.ts',
  'test/security/cross-site-forms.test.ts',
  'test/platform/overload.test.ts',
  'test/portal/hostile-uploads.test.ts',
  'test/portal/extract.test.ts',
  'test/platform/durability.test.ts',
  'test/cli/**/*.test.ts',
  'test/issuer/parallel-issuance.test.ts',
  'test/platform/keys/pkcs11-token.test.ts',
  'test/security/grant-revocation.test.ts',
  'test/security/fuzz.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/global-build.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'together',
          include: ['test/**/*.test.ts'],
          exclude: ALONE,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});

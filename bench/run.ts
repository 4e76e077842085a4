// `npm run bench [-- <scenario>] [-- --db postgres]`: one scenario per file of bench/, the credential
// endpoint beside its peer by default. Every scenario prints Markdown for docs/benchmarks.md; figures are
// ratios within one run and CPU per operation, never a threshold a test would assert.
//   credentials  Attesta's issuer beside a reference issuer on oidc-provider's openid4vci (default)
//   variants     one Attesta (1 worker) per credential variant: dc+sd-jwt Bearer, DPoP, batch of 10,
//                jwt_vc_json, ldp_vc (eddsa-rdfc-2022), mso_mdoc — each beside its raw bound (issue 14)
//   logins       complete sign-ins at c=8 against authz beside a minimal oidc-provider login server
//   formats      signing alone per format and suite, one process, through the issuer's signers
//   overload     /nonce at c=256 with the overload guard on and off (issue 15)
//   durability   the credential endpoint on SQLite with synchronous FULL and NORMAL (issue 15)
//   hsm          signing per format with the issuer keys in SoftHSM2 beside software keys (issue 19)
//   soak         `npm start` at c=16 for 5 minutes: RSS, p99 and database bytes per credential over time (issue 14)
const SCENARIOS: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  credentials: () => import('./credentials.js'),
  variants: () => import('./variants.js'),
  logins: () => import('./logins.js'),
  formats: () => import('./formats.js'),
  overload: () => import('./overload.js'),
  durability: () => import('./durability.js'),
  hsm: () => import('./hsm.js'),
  soak: () => import('./soak.js'),
};

const args = process.argv.slice(2);
const named = args[0] && !args[0].startsWith('--') ? (args.shift() as string) : 'credentials';
const load = SCENARIOS[named];
if (!load) throw new Error(`unknown bench scenario ${named} (${Object.keys(SCENARIOS).join(', ')})`);
await (await load()).run(args);
process.exit(process.exitCode ?? 0);

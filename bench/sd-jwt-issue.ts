// SD-JWT VC issuance, ours (issue.ts) beside @sd-jwt/sd-jwt-vc 0.19 from the same input, as the issuer
// did before 2026-12-07 (test/helpers/library-sd-jwt-issue.ts): CPU per credential of one process, the
// national_id claims (12 disclosures), ES256. `npx tsx bench/sd-jwt-issue.ts [rounds]`; the two
// alternate in rounds so a shared machine's load falls on both. Ratios and CPU ms, never a threshold.
import { issueSdJwtVc } from '../src/credentials/formats/sd-jwt-vc/index.js';
import { LocalSigningKey } from '../src/platform/keys/index.js';
import { NATIONAL_ID_CLAIMS, NATIONAL_ID_DISCLOSABLE } from '../test/helpers/demo-records.js';
import { libraryIssueSdJwtVc } from '../test/helpers/library-sd-jwt-issue.js';
import { alternatingCpuPerOp } from './alternating-cpu.js';

const ROUNDS = Number(process.argv[2] ?? 10);
const PER_ROUND = 2000;

const key = await LocalSigningKey.generate('ES256');
const holder = await LocalSigningKey.generate('ES256');
const iat = Math.floor(Date.now() / 1000);
// As the demo's national_id_sd_jwt renders it (config/demo/configurations/national_id_sd_jwt.json).
const input = {
  issuerKey: key,
  issuer: 'https://issuer.example',
  vct: 'https://issuer.example/types/national-id',
  claims: NATIONAL_ID_CLAIMS,
  disclosable: NATIONAL_ID_DISCLOSABLE,
  holderJwk: holder.publicJwk,
  iat,
  exp: iat + 365 * 86_400,
  status: { status_list: { idx: 4711, uri: 'https://issuer.example/status/1' } },
};
const signingInput = new TextEncoder().encode((await issueSdJwtVc(input)).split('.').slice(0, 2).join('.'));

const cases: Record<string, () => Promise<unknown>> = {
  '@sd-jwt/sd-jwt-vc 0.19 (before)': () => libraryIssueSdJwtVc(input),
  'ours (issue.ts)': () => issueSdJwtVc(input),
  'ES256 signature alone (SigningKey.sign of the same signing input)': () => key.sign(signingInput),
};
const cpu = await alternatingCpuPerOp(cases, { rounds: ROUNDS, perRound: PER_ROUND, warmUp: 500 });
const per = (name: string) => cpu[name] ?? 0;
const [before, ours, sign] = Object.keys(cases).map(per) as [number, number, number];
console.log(
  `SD-JWT VC issue, national_id claims (12 disclosures), ES256, ${ROUNDS} × ${PER_ROUND} per side, Node ${process.version}\n`,
);
console.log('| issuance | CPU ms per credential | above the signature |\n| --- | --- | --- |');
for (const name of Object.keys(cases)) {
  console.log(`| ${name} | ${per(name).toFixed(4)} | ${(per(name) - sign).toFixed(4)} |`);
}
console.log(
  `\nours / before: ${(ours / before).toFixed(2)}× CPU; saved ${(before - ours).toFixed(4)} ms per credential; assembly above the signature ${((ours - sign) / (before - sign)).toFixed(2)}×`,
);

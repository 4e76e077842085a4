// mso_mdoc issuance, ours (src/credentials/formats/mso-mdoc/issue.ts, cbor-x) beside @owf/mdoc 0.6's structures
// from the same input, as the issuer did before 2026-12-07 (test/helpers/library-mdoc-issue.ts): CPU per
// credential of one process, an mDL of 12 elements with a status reference, ES256. `npx tsx bench/mdoc-issue.ts
// [rounds]`; the sides alternate in rounds so a shared machine's load falls on all. Ratios and CPU ms, never a
// threshold.
import { exportJWK, generateKeyPair } from 'jose';
import { issueMdoc } from '../src/credentials/formats/mso-mdoc/issue.js';
import { MDL_DOCTYPE, MDL_NAMESPACE } from '../src/credentials/formats/mso-mdoc/mdl.js';
import { certificateChain, DRIVING_LICENCE_ELEMENTS } from '../test/credentials/formats/mso-mdoc/helpers.js';
import { libraryIssueMdoc } from '../test/helpers/library-mdoc-issue.js';
import { alternatingCpuPerOp } from './alternating-cpu.js';

const ROUNDS = Number(process.argv[2] ?? 6);
const PER_ROUND = 1000;

const chain = await certificateChain();
const now = new Date();
const input = {
  docType: MDL_DOCTYPE,
  namespaces: {
    [MDL_NAMESPACE]: DRIVING_LICENCE_ELEMENTS,
  },
  signer: chain.signer,
  certificates: [chain.ds],
  holderJwk: await exportJWK((await generateKeyPair('ES256')).publicKey),
  validFrom: now,
  validUntil: new Date(now.getTime() + 365 * 86_400_000),
  status: { idx: 4711, uri: 'https://issuer.example/status/token/1' },
};
const signingInput = Buffer.alloc(600, 1); // about the size of the mDL's Sig_structure

const cases: Record<string, () => Promise<unknown>> = {
  '@owf/mdoc 0.6 structures (before)': () => libraryIssueMdoc(input),
  'ours (issue.ts, cbor-x)': () => issueMdoc(input),
  'ES256 signature alone (SigningKey.sign of 600 bytes)': () => chain.signer.sign(signingInput),
};
const cpu = await alternatingCpuPerOp(cases, { rounds: ROUNDS, perRound: PER_ROUND, warmUp: 200 });
const per = (name: string) => cpu[name] ?? 0;
const [before, ours, sign] = Object.keys(cases).map(per) as [number, number, number];
console.log(
  `mso_mdoc issue, an mDL of 12 elements with a status reference, ES256, ${ROUNDS} × ${PER_ROUND} per side, Node ${process.version}\n`,
);
console.log('| issuance | CPU ms per credential | above the signature |\n| --- | --- | --- |');
for (const [name, value] of [
  [Object.keys(cases)[0], before],
  [Object.keys(cases)[1], ours],
] as [string, number][])
  console.log(`| ${name} | ${value.toFixed(3)} | ${(value - sign).toFixed(3)} |`);
console.log(`| ES256 signature alone | ${sign.toFixed(3)} | |`);
console.log(`\nours / before: ${(ours / before).toFixed(2)}×`);

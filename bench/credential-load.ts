import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { percentile } from './services.js';

/**
 * Per credential one `POST /nonce` and one `POST /credential` (Bearer token, one proof), over
 * `connections` connections; latency is nonce + credential, of the 200s.
 */
export async function loadCredentialEndpoint(
  issuer: string,
  tokens: string[],
  proofs: string[],
  { connections, configurationId }: { connections: number; configurationId: string },
) {
  let next = 0;
  const latencies: number[] = [];
  const failures = new Map<number, number>();
  const started = performance.now();
  const result = await autocannon({
    url: issuer,
    connections,
    amount: proofs.length * 2,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        path: '/nonce',
        setupRequest: (request, context) => {
          (context as { t0?: number }).t0 = performance.now();
          return request;
        },
      },
      {
        method: 'POST',
        path: '/credential',
        setupRequest: (request) => {
          const i = next++;
          return {
            ...request,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${tokens[i % tokens.length]}`,
            },
            body: JSON.stringify({
              credential_configuration_id: configurationId,
              proofs: { jwt: [proofs[i % proofs.length]] },
            }),
          };
        },
        onResponse: (status, _body, context) => {
          if (status === 200) latencies.push(performance.now() - ((context as { t0?: number }).t0 ?? 0));
          else failures.set(status, (failures.get(status) ?? 0) + 1);
        },
      },
    ],
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    credentials: latencies.length,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failures,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

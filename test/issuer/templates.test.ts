import jsonata from 'jsonata';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CredentialConfiguration } from '../../src/issuer/configurations/index.js';
import {
  CompiledTemplate,
  TemplateError,
  templateHelpers,
  toDocument,
} from '../../src/issuer/templates/index.js';

const NOW = new Date('2026-11-28T12:00:00Z');

function template(output: Record<string, unknown>, required?: string[][]) {
  return new CompiledTemplate('cfg', { name: 'tpl', output: output as never, required });
}

describe('templates', () => {
  it('render nested output, leave out absent values, and bind the token claims', async () => {
    const rendered = await template({
      name: 'given & " " & family',
      address: { city: 'address.city', zip: 'address.zip' },
      tags: '[tags]',
      who: '$token.sub',
    }).render(
      { given: 'Ada', family: 'Lovelace', address: { city: 'London' }, tags: 'x' },
      { token: { sub: 's1' }, now: NOW },
    );
    expect(rendered).toEqual({ name: 'Ada Lovelace', address: { city: 'London' }, tags: ['x'], who: 's1' });
  });

  it('offer date helpers computed in UTC', async () => {
    const h = templateHelpers(() => NOW);
    expect(h.date?.('13/03/1970' as never)).toBe('1970-03-13');
    expect(h.date?.('1970-03-13T23:30:00-05:00' as never)).toBe('1970-03-13');
    expect(h.today?.()).toBe('2026-11-28');
    expect(h.addYears?.('2024-02-29' as never, 1 as never)).toBe('2025-03-01');
    expect(h.addDays?.('2026-12-30' as never, 5 as never)).toBe('2027-01-04');
    expect(h.age?.('2008-11-28' as never)).toBe(18);
    expect(h.age?.('2008-11-29' as never)).toBe(17);
    expect(h.ageOver?.('2008-11-29' as never, 18 as never)).toBe(false);
    const rendered = await template({
      until: '$addYears($date(born), 10)',
      adult: '$ageOver(born, 18)',
    }).render({ born: '01.02.2000' }, { now: NOW });
    expect(rendered).toEqual({ until: '2010-02-01', adult: true });
  });

  it('errors name configuration, template and path, without record values', async () => {
    expect(() => template({ a: { b: '$substring(' } })).toThrow(
      /^configuration cfg, template tpl, path a\.b: /,
    );
    const failing = template({ ok: 'x', bad: { when: '$date(x)' } });
    await expect(failing.render({ x: 'Secret Name' })).rejects.toThrow(
      'configuration cfg, template tpl, path bad.when: $date: not a date',
    );
    const typed = template({ n: 'x + 1' });
    const error = await typed.render({ x: 'Secret Name' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as Error).message).not.toContain('Secret');
    await expect(template({ a: 'x' }, [['b']]).render({ x: 1 })).rejects.toThrow(
      'configuration cfg, template tpl, path b: required value missing in the record',
    );
  });

  it('run no code from configuration and stop runaway expressions', async () => {
    // JSONata has no access to JavaScript: names are record paths, only registered functions exist.
    const probe = await template({ p: 'process', c: 'constructor', g: '$globalThis' }).render({});
    expect(probe).toEqual({});
    await expect(template({ f: '$eval("$require(\'fs\')")' }).render({})).rejects.toThrow(TemplateError);
    // An endless (tail-recursive, so never too deep) loop and a long sort stop at the step budget.
    const loop = template({ n: '($f := function($i) { $f($i + 1) }; $f(0))' });
    await expect(loop.render({})).rejects.toThrow(/path n: evaluation exceeded 20000 steps/);
    const sort = template({ n: '$sort([1..9999], function($a, $b) { $a > $b })' });
    await expect(sort.render({})).rejects.toThrow(/evaluation exceeded 20000 steps/);
    await expect(template({ n: '$count([1..10000000])' }).render({})).rejects.toThrow(/JSONata D2015/);
    await expect(template({ f: 'function($x) { $x }' }).render({})).rejects.toThrow(
      'renders a function, not a value',
    );
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('do not depend on how busy the machine is (a step budget, not a clock)', async () => {
    // A machine so loaded that every step of the evaluator seems to take a second: a wall-clock
    // limit failed legitimate credentials this way (JSONata D1012 in a CI run on a busy machine).
    let clock = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => {
      clock += 1000;
      return clock;
    });
    const rendered = await template({
      initials: '$join($map([given, family], function($n) { $substring($n, 0, 1) }), ".")',
      adult: '$ageOver(born, 18)',
      nationalities: 'nationality ? [nationality] : undefined',
    }).render({ given: 'Ada', family: 'Lovelace', born: '1815-12-10', nationality: 'GB' }, { now: NOW });
    expect(rendered).toEqual({ initials: 'A.L', adult: true, nationalities: ['GB'] });
  });

  it('read plain member paths directly, with the answer JSONata gives', async () => {
    const records: Record<string, unknown>[] = [
      { a: 'x', b: { c: 'y', d: 0, e: false, f: null }, g: ['p', 'q'], h: ['only'], i: { j: ['k'] } },
      { a: 1.5, b: [{ c: 'one' }, { c: 'two' }], g: [], h: {}, i: [{ j: 'x' }] },
      { b: { c: '' }, constructor: 'own', and: 'member' },
      {},
    ];
    const paths = [
      'a',
      'b.c',
      'b.d',
      'b.e',
      'b.f',
      'b.zz',
      'g',
      'h',
      'i.j',
      'constructor',
      'toString',
      'zz.yy',
    ];
    for (const record of records) {
      const ours = await template(Object.fromEntries(paths.map((p, n) => [`v${n}`, p]))).render(record);
      const theirs: Record<string, unknown> = {};
      for (const [n, p] of paths.entries()) {
        const value = await jsonata(p).evaluate(record);
        if (value !== undefined && value !== null && value !== '')
          theirs[`v${n}`] = JSON.parse(JSON.stringify(value));
      }
      expect(ours).toEqual(theirs);
    }
  });

  it('take string literals and helper calls on plain paths without the evaluator, with the answer JSONata gives', async () => {
    const records: Record<string, unknown>[] = [
      { born: '1815-12-10', b: { d: '10/12/1815' } },
      { born: '13.03.1970', b: { d: 0 } },
      { born: -4_000_000_000_000, b: { d: '1970-03-13T10:00:00Z' } },
      { born: 'not a date' },
      { born: '' },
      { born: null },
      { born: true },
      { born: ['1815-12-10'], b: [{ d: '1815-12-10' }] },
      { born: { y: 1815 } },
      {},
    ];
    const expressions = [
      "'XA'",
      ' "XA" ',
      "''",
      '$date(born)',
      '$date( b.d )',
      '$age(born)',
      '$ageOver(born)',
      '$addDays(born)',
      '$today(born)',
      '$date(zz.yy)',
    ];
    const helpers = { ...templateHelpers(() => NOW), token: {} };
    for (const record of records) {
      for (const expression of expressions) {
        const outcome = async (run: () => Promise<unknown>) => {
          try {
            const value = await run();
            return { value: value === undefined || value === null || value === '' ? undefined : value };
          } catch (error) {
            return { error: (error as Error).message };
          }
        };
        const ours = await outcome(
          async () => (await template({ v: expression }).render(record, { now: NOW })).v,
        );
        const theirs = await outcome(() => jsonata(expression).evaluate(record, helpers));
        if ('error' in theirs)
          expect(ours).toEqual({ error: expect.stringContaining(theirs.error as string) });
        else
          expect(ours).toEqual({
            value: theirs.value === undefined ? undefined : JSON.parse(JSON.stringify(theirs.value)),
          });
      }
    }
  });

  it('shape the per-format document', () => {
    const base = { id: 'c', scope: 's', display: [], template: { name: 't', output: {} } };
    const sd = toDocument(
      {
        ...base,
        format: 'dc+sd-jwt',
        vct: 'v',
        claims: [
          { path: ['a'], disclosable: true, display: [] },
          { path: ['b'], disclosable: false, display: [] },
          { path: ['missing'], disclosable: true, display: [] },
        ],
      } as CredentialConfiguration,
      { a: 1, b: 2 },
    );
    expect(sd).toEqual({ kind: 'sd-jwt', claims: { a: 1, b: 2 }, disclosable: [['a']] });
    const w3c = toDocument(
      {
        ...base,
        format: 'ldp_vc',
        claims: [],
        credentialDefinition: {
          '@context': ['https://www.w3.org/ns/credentials/v2', 'https://example.org/ctx'],
          type: ['VerifiableCredential', 'X'],
        },
      } as CredentialConfiguration,
      { name: 'n' },
    );
    expect(w3c).toEqual({
      kind: 'w3c',
      dataModel: '2.0',
      contexts: ['https://example.org/ctx'],
      types: ['X'],
      credentialSubject: { name: 'n' },
    });
    expect(() =>
      toDocument({ ...base, format: 'mso_mdoc', doctype: 'd', claims: [] } as CredentialConfiguration, {
        ns: 'flat',
      }),
    ).toThrow('configuration c, template t, path ns: an mdoc template maps namespaces to elements');
  });
});

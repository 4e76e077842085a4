import { describe, expect, it } from 'vitest';
import { onFirstUse } from '../../src/platform/on-first-use.js';

describe('onFirstUse', () => {
  it('loads nothing until asked, then once for every caller', async () => {
    let loads = 0;
    const module = onFirstUse(async () => {
      loads++;
      return { answer: 42 };
    });
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([module(), module()]);
    expect(await module()).toBe(a);
    expect(b).toBe(a);
    expect(loads).toBe(1);
  });

  it('tries again after a failed load (a failure is not kept)', async () => {
    let loads = 0;
    const module = onFirstUse(async () => {
      loads++;
      if (loads === 1) throw new Error('not yet');
      return 'loaded';
    });
    await expect(module()).rejects.toThrow('not yet');
    expect(await module()).toBe('loaded');
    expect(loads).toBe(2);
  });
});

/**
 * Date helpers offered to templates as JSONata functions. Dates are ISO 8601 calendar dates
 * (`YYYY-MM-DD`), computed in UTC so the answer does not depend on the server's time zone.
 */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

function parseDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value);
  if (typeof value !== 'string') return undefined;
  const iso = ISO_DATE.exec(value);
  if (iso) return new Date(Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3])));
  // Day-first forms seen in registries: 13/03/1970, 13.03.1970.
  const dmy = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(value.trim());
  if (dmy) return new Date(Date.UTC(Number(dmy[3]), Number(dmy[2]) - 1, Number(dmy[1])));
  return undefined;
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function need(value: unknown, name: string): Date {
  const date = parseDate(value);
  if (!date || Number.isNaN(date.getTime())) throw new Error(`$${name}: not a date`);
  return date;
}

export function templateHelpers(now: () => Date): Record<string, (...args: never[]) => unknown> {
  const age = (birth: unknown): number | undefined => {
    if (birth === undefined) return undefined;
    const born = need(birth, 'age');
    const today = now();
    let years = today.getUTCFullYear() - born.getUTCFullYear();
    const monthDay = (d: Date) => d.getUTCMonth() * 100 + d.getUTCDate();
    if (monthDay(today) < monthDay(born)) years -= 1;
    return years;
  };
  return {
    /** `$date(x)`: a date in ISO form (from ISO, dd/mm/yyyy or epoch ms); undefined stays undefined. */
    date: (value: unknown) => (value === undefined ? undefined : isoDate(need(value, 'date'))),
    /** `$today()`: the issuance date. */
    today: () => isoDate(now()),
    /** `$addDays(date, n)`, `$addYears(date, n)`. */
    addDays: (value: unknown, days: number) => {
      const date = need(value, 'addDays');
      return isoDate(new Date(date.getTime() + days * 86400000));
    },
    addYears: (value: unknown, years: number) => {
      const date = need(value, 'addYears');
      const result = new Date(date);
      result.setUTCFullYear(date.getUTCFullYear() + years);
      return isoDate(result);
    },
    /** `$age(birthdate)`: whole years today; `$ageOver(birthdate, 18)`: a boolean. */
    age,
    ageOver: (birth: unknown, years: number) => {
      const a = age(birth);
      return a === undefined ? undefined : a >= years;
    },
  };
}

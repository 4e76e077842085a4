import jsonata from 'jsonata';
import type { CredentialConfiguration, TemplateConfig, TemplateNode } from '../configurations/types.js';
import { TemplateError } from './errors.js';
import { templateHelpers } from './helpers.js';
import { callOnPlainPath, plainPath, readPlainPath, stringLiteral } from './plain-path.js';

/**
 * JSONata limits: an expression runs in JSONata's own evaluator (no JavaScript from configuration),
 * and these bound what a pathological template can cost per leaf: depth and sequence length, and
 * evaluation steps counted by JSONata's per-step hook — work, not wall time, so a busy machine never
 * fails a legitimate template (a 200 ms timeout did, under load) and a runaway one stops at the same
 * point everywhere (about 2 µs of CPU per step here: 20,000 steps ≈ 40 ms).
 */
const LIMITS = { stack: 100, sequence: 10000 };
export const MAX_STEPS = 20_000;
/** JSONata calls the function bound under this symbol before every evaluation step. */
const STEP_HOOK = Symbol.for('jsonata.__evaluate_entry');

class StepBudgetExceeded {
  readonly code = 'steps';
  constructor(readonly position: number | undefined) {}
}

/** Counts the steps of one evaluation (JSONata's per-evaluation base frame) and stops it past the budget. */
function countStep(expression: { position?: number }, _input: unknown, environment: unknown): void {
  const base = (environment as { base: { steps?: number } }).base;
  base.steps = (base.steps ?? 0) + 1;
  if (base.steps > MAX_STEPS) throw new StepBudgetExceeded(expression.position);
}

interface Leaf {
  path: string[];
  expression: jsonata.Expression;
  /** Set when the expression is a plain member path: read without the evaluator. */
  plain?: string[];
  /** Set when the expression is a string literal without escapes (`'XA'`): its value. */
  constant?: { value: string };
  /**
   * Set when the expression calls a template helper on a plain member path (`$date(birthDate)`): the
   * helper is called with the value read as for `plain`, as JSONata calls it (one argument, `this`
   * the record); when the path needs JSONata (an array or object on the way), JSONata evaluates it.
   */
  call?: { helper: string; argument: string[] };
}

/** The helpers' names (the same functions are bound per render, with its time). */
const HELPERS = new Set(Object.keys(templateHelpers(() => new Date(0))));

export interface RenderContext {
  /** Access token claims, as `$token`. */
  token?: Record<string, unknown>;
  /** Issuance time (for `$today()`, `$age()`); default now. */
  now?: Date;
}

function jsonataReason(error: unknown, phase: 'compile' | 'evaluate'): string {
  if (error instanceof StepBudgetExceeded)
    return `evaluation exceeded ${MAX_STEPS} steps (JSONata at ${error.position ?? '?'})`;
  const e = error as { code?: string; message?: string; position?: number };
  if (typeof e?.code === 'string') {
    // Compile messages describe the expression (configuration, not data). Evaluation messages may
    // quote record values, so only the code and position leave.
    return phase === 'compile'
      ? `${e.message} (JSONata ${e.code} at ${e.position ?? '?'})`
      : `evaluation failed (JSONata ${e.code} at ${e.position ?? '?'})`;
  }
  return e?.message ?? String(error);
}

/** A template compiled once; `render` evaluates every leaf against one record. */
export class CompiledTemplate {
  private readonly leaves: Leaf[] = [];

  constructor(
    readonly configurationId: string,
    readonly template: TemplateConfig,
  ) {
    const walk = (node: TemplateNode, path: string[]) => {
      if (typeof node === 'string') {
        try {
          const expression = jsonata(node, LIMITS);
          expression.assign(STEP_HOOK as unknown as string, countStep);
          const call = callOnPlainPath(node);
          this.leaves.push({
            path,
            expression,
            plain: plainPath(node),
            constant: stringLiteral(node),
            call: call && HELPERS.has(call.name) ? { helper: call.name, argument: call.argument } : undefined,
          });
        } catch (error) {
          throw this.error(path, jsonataReason(error, 'compile'));
        }
        return;
      }
      for (const [member, child] of Object.entries(node)) walk(child, [...path, member]);
    };
    walk(template.output, []);
  }

  private error(path: string[], reason: string): TemplateError {
    return new TemplateError(this.configurationId, this.template.name, path.join('.'), reason);
  }

  /** The rendered tree; leaves that evaluate to nothing are left out (never issued empty). */
  async render(
    record: Record<string, unknown>,
    context: RenderContext = {},
  ): Promise<Record<string, unknown>> {
    const now = context.now ?? new Date();
    const bindings = { ...templateHelpers(() => now), token: context.token ?? {} };
    const output: Record<string, unknown> = {};
    for (const leaf of this.leaves) {
      const direct = leaf.constant ?? (leaf.plain && readPlainPath(record, leaf.plain));
      const argument = !direct && leaf.call ? readPlainPath(record, leaf.call.argument) : undefined;
      let value: unknown;
      if (direct) value = direct.value;
      else {
        try {
          value =
            leaf.call && argument
              ? (
                  (bindings as Record<string, unknown>)[leaf.call.helper] as (
                    this: unknown,
                    value: unknown,
                  ) => unknown
                ).call(record, argument.value)
              : await leaf.expression.evaluate(record, bindings);
        } catch (error) {
          throw this.error(leaf.path, jsonataReason(error, 'evaluate'));
        }
      }
      if (value === undefined || value === null || value === '') continue;
      const lambda = typeof value === 'object' && value !== null && '_jsonata_lambda' in value;
      if (typeof value === 'function' || lambda)
        throw this.error(leaf.path, 'renders a function, not a value');
      let target = output;
      for (const segment of leaf.path.slice(0, -1)) {
        target[segment] ??= {};
        target = target[segment] as Record<string, unknown>;
      }
      // JSONata sequences are arrays with extra members; copy to a plain JSON value.
      try {
        target[leaf.path.at(-1) as string] = isJsonScalar(value) ? value : JSON.parse(JSON.stringify(value));
      } catch {
        throw this.error(leaf.path, 'renders something that is not a JSON value');
      }
    }
    for (const path of this.template.required ?? []) {
      if (valueAt(output, path) === undefined) throw this.error(path, 'required value missing in the record');
    }
    return output;
  }
}

function isJsonScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value);
}

export function valueAt(tree: unknown, path: readonly string[]): unknown {
  let node = tree;
  for (const segment of path) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return node;
}

const compiled = new WeakMap<CredentialConfiguration, CompiledTemplate>();

/** The compiled template of a configuration (configurations are immutable objects, so cached by identity). */
export function templateOf(configuration: CredentialConfiguration): CompiledTemplate {
  let template = compiled.get(configuration);
  if (!template) {
    if (!configuration.template) {
      throw new TemplateError(configuration.id, '(none)', '', 'the configuration has no template');
    }
    template = new CompiledTemplate(configuration.id, configuration.template);
    compiled.set(configuration, template);
  }
  return template;
}

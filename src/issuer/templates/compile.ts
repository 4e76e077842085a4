import jsonata from 'jsonata';
import type { CredentialConfiguration, TemplateConfig, TemplateNode } from '../configurations/index.js';
import { TemplateError } from './errors.js';
import { templateHelpers } from './helpers.js';

/**
 * JSONata limits: an expression runs in JSONata's own evaluator (no JavaScript from configuration),
 * and these bound what a pathological template can cost per leaf.
 */
const LIMITS = { timeout: 200, stack: 100, sequence: 10000 };

interface Leaf {
  path: string[];
  expression: jsonata.Expression;
}

export interface RenderContext {
  /** Access token claims, as `$token`. */
  token?: Record<string, unknown>;
  /** Issuance time (for `$today()`, `$age()`); default now. */
  now?: Date;
}

function jsonataReason(error: unknown, phase: 'compile' | 'evaluate'): string {
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
          this.leaves.push({ path, expression: jsonata(node, LIMITS) });
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
      let value: unknown;
      try {
        value = await leaf.expression.evaluate(record, bindings);
      } catch (error) {
        throw this.error(leaf.path, jsonataReason(error, 'evaluate'));
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
        target[leaf.path.at(-1) as string] = JSON.parse(JSON.stringify(value));
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

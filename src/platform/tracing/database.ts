import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  Kysely,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { operationOf, queryDuration } from '../metrics/index.js';
import { activeTracer } from './state.js';

export interface ObservedDatabase {
  /** Label of the database: the service that owns it, or `registry`. */
  name: string;
  dialect: 'sqlite' | 'postgres';
}

/** OpenTelemetry database semantic conventions: `db.system.name`. */
const SYSTEM = { sqlite: 'sqlite', postgres: 'postgresql' } as const;
const MAX_STATEMENT = 2000;

/**
 * Every statement through Kysely, on both dialects, at the driver seam: its time goes into
 * `attesta_db_query_duration_seconds`, and, when tracing is on, it becomes a client span (the SQL
 * text with its placeholders — never the parameter values, which may be personal data). There is
 * no maintained instrumentation for better-sqlite3, and one seam gives both dialects the same spans.
 */
export function observedDialect(inner: Dialect, database: ObservedDatabase): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db: Kysely<unknown>) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver: () => new ObservedDriver(inner.createDriver(), database),
  };
}

class ObservedDriver implements Driver {
  private readonly inner = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(
    private readonly driver: Driver,
    private readonly database: ObservedDatabase,
  ) {}

  init(): Promise<void> {
    return this.driver.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.driver.acquireConnection();
    const observed = new ObservedConnection(connection, this.database);
    this.inner.set(observed, connection);
    return observed;
  }

  private unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.inner.get(connection) ?? connection;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.driver.beginTransaction(this.unwrap(connection), settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.driver.commitTransaction(this.unwrap(connection));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.driver.rollbackTransaction(this.unwrap(connection));
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['savepoint']>>[2],
  ): Promise<void> {
    await this.driver.savepoint?.(this.unwrap(connection), name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2],
  ): Promise<void> {
    await this.driver.rollbackToSavepoint?.(this.unwrap(connection), name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2],
  ): Promise<void> {
    await this.driver.releaseSavepoint?.(this.unwrap(connection), name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.driver.releaseConnection(this.unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.driver.destroy();
  }
}

/** A client span for one statement, only inside a traced request (probes, scrapes and purges would each start a trace). */
function statementSpan(database: ObservedDatabase, operation: string, sqlText: string): Span | undefined {
  const tracer = activeTracer();
  const parent = tracer ? trace.getSpan(context.active()) : undefined;
  if (!parent?.isRecording()) return undefined;
  return tracer?.startSpan(
    `${operation.toUpperCase()} ${database.name}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': SYSTEM[database.dialect],
        'db.namespace': database.name,
        'db.operation.name': operation.toUpperCase(),
        'db.query.text': sqlText.length > MAX_STATEMENT ? `${sqlText.slice(0, MAX_STATEMENT)}…` : sqlText,
      },
    },
    context.active(),
  );
}

/**
 * The same observation for a statement run below Kysely (a hot path's hand-prepared statement,
 * src/authz/storage/model-statements.ts): its time in `attesta_db_query_duration_seconds` and, in a
 * traced request, its span. `run` may return a value (better-sqlite3) or a promise (pg).
 */
export function statementObserver(database: ObservedDatabase, sqlText: string): <T>(run: () => T) => T {
  const operation = operationOf(sqlText);
  const labels = { database: database.name, dialect: database.dialect, operation };
  return <T>(run: () => T): T => {
    const span = statementSpan(database, operation, sqlText);
    const started = performance.now();
    const done = (failed = false, error?: unknown) => {
      if (failed)
        span?.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error | undefined)?.name ?? '' });
      queryDuration.observe(labels, (performance.now() - started) / 1000);
      span?.end();
    };
    let result: T;
    try {
      result = run();
    } catch (error) {
      done(true, error);
      throw error;
    }
    if (!(result instanceof Promise)) {
      done();
      return result;
    }
    return result.then(
      (value) => {
        done();
        return value;
      },
      (error: unknown) => {
        done(true, error);
        throw error;
      },
    ) as T;
  };
}

class ObservedConnection implements DatabaseConnection {
  constructor(
    private readonly connection: DatabaseConnection,
    private readonly database: ObservedDatabase,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const operation = operationOf(query.sql);
    const labels = { database: this.database.name, dialect: this.database.dialect, operation };
    const span = statementSpan(this.database, operation, query.sql);
    const started = performance.now();
    try {
      return await (span
        ? context.with(trace.setSpan(context.active(), span), () => this.connection.executeQuery<R>(query))
        : this.connection.executeQuery<R>(query));
    } catch (error) {
      span?.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
      throw error;
    } finally {
      queryDuration.observe(labels, (performance.now() - started) / 1000);
      span?.end();
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.connection.streamQuery<R>(query, chunkSize);
  }
}

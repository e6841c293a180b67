import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Config, loadConfig } from '../config/config.js';
import { TesseraError } from '../errors/tessera-error.js';
import { closeServices, openServices, type Services } from '../services.js';
import { SQLITE_FILE } from '../store/database.js';
import type { Command } from 'commander';
import type { FastifyBaseLogger } from 'fastify';

export interface Output {
  json: boolean;
}

/**
 * A command's result: the JSON object to print with --json, and the lines for a person otherwise; or
 * output written as it comes, byte for byte (`audit list --csv`).
 */
export type Result =
  | {
      json: Record<string, unknown>;
      text: string;
      /** Non-zero for a finding that is no error of the command (`audit verify` found a break): printed, then exits with it. */
      exitCode?: number;
    }
  | { stream: AsyncIterable<string> };

/**
 * Runs a subcommand against the same store and configuration as the server (the same environment).
 * With --json every command prints exactly one JSON object, errors included.
 */
export async function run(output: Output, action: (services: Services) => Promise<Result>): Promise<void> {
  let services: Services | undefined;
  try {
    const config = loadConfig();
    const notice = storeNotice(config);
    if (notice) console.error(`tessera: ${notice}`);
    // A command is over in a moment: nothing would scrape its metrics, and it serves no request that
    // announced changes could concern (it only announces its own).
    services = await openServices({ ...config, metrics: false }, { log: stderrWarnings, listen: false });
    const result = await action(services);
    if ('stream' in result) {
      for await (const chunk of result.stream) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
      return;
    }
    console.log(output.json ? JSON.stringify(result.json) : result.text);
    if (result.exitCode) process.exitCode = result.exitCode;
  } catch (error) {
    // The CLI's one mapping of errors: a TesseraError's code and message, anything else internal_error.
    const known = error instanceof TesseraError;
    const code = known ? error.code : 'internal_error';
    let message = known ? error.message : `Unexpected failure: ${(error as Error).message}`;
    // "does not exist" most often means "not in this store": say which one was looked in.
    if (code === 'not_found' && services) message += ` in ${services.database.location}`;
    if (output.json) console.log(JSON.stringify({ error: { code, message } }));
    else console.error(`Error: ${message}`);
    process.exitCode = 1;
  } finally {
    if (services) await closeServices(services);
  }
}

/**
 * The services' warnings as lines a person reads at a terminal, not JSON log records: and the command
 * need not load pino at all (it starts faster).
 */
const stderrWarnings = {
  warn(fields: { err?: unknown; file?: string }, message?: string): void {
    const where = fields.file ? ` (${fields.file})` : '';
    const why = fields.err instanceof Error ? `: ${fields.err.message}` : '';
    console.error(`tessera: warning: ${message ?? ''}${where}${why}`);
  },
} as Pick<FastifyBaseLogger, 'warn'>;

/**
 * A line for stderr when the store is not the one a person would assume: a new, empty one (the
 * classic mistake: another working directory or TESSERA_DATA_DIR than the server's), or the project's
 * data folder found above the working directory. PostgreSQL and an explicit folder go unremarked.
 */
export function storeNotice(config: Config, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string | undefined {
  if (config.databaseUrl) return undefined;
  const file = path.join(config.dataDir, SQLITE_FILE);
  if (!existsSync(file)) return `no store at ${file} yet: creating a new, empty one (TESSERA_DATA_DIR or DATABASE_URL selects another)`;
  if (!env.TESSERA_DATA_DIR && config.dataDir !== path.resolve(cwd, 'data')) return `using the project's store at ${file}`;
  return undefined;
}

export function table<T extends object>(rows: readonly T[], columns: (keyof T & string)[]): string {
  if (rows.length === 0) return '(none)';
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String((r as Record<string, unknown>)[c] ?? '').length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => String((r as Record<string, unknown>)[c] ?? ''))))].join('\n');
}

/** Adds the --json option every command takes. */
export function withJson(command: Command): Command {
  return command.option('--json', 'print one JSON object');
}

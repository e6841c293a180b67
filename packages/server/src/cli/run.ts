import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.js';
import { StartupError, TesseraError } from '../errors.js';
import { closeServices, openServices, type Services } from '../services.js';
import type { Command } from 'commander';

export interface Output {
  json: boolean;
}

/** A command's result: the JSON object to print with --json, and the lines for a person otherwise. */
export interface Result {
  json: Record<string, unknown>;
  text: string;
}

/**
 * Runs a subcommand against the same store and configuration as the server (the same environment).
 * With --json every command prints exactly one JSON object, errors included.
 */
export async function run(output: Output, action: (services: Services) => Promise<Result>): Promise<void> {
  let services: Services | undefined;
  try {
    const config = loadConfig();
    services = await openServices(config, { log: pino({ level: 'warn' }, pino.destination(2)) });
    const result = await action(services);
    console.log(output.json ? JSON.stringify(result.json) : result.text);
  } catch (error) {
    const known = error instanceof TesseraError || error instanceof ConfigError || error instanceof StartupError;
    const code =
      error instanceof TesseraError ? error.code : error instanceof ConfigError ? 'invalid_config' : error instanceof StartupError ? 'cannot_start' : 'internal_error';
    const message = known ? (error as Error).message : `Unexpected failure: ${(error as Error).message}`;
    if (output.json) console.log(JSON.stringify({ error: { code, message } }));
    else console.error(`Error: ${message}`);
    process.exitCode = 1;
  } finally {
    if (services) await closeServices(services);
  }
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

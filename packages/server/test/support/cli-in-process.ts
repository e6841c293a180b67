import { format } from 'node:util';
import { vi } from 'vitest';
import { main } from '../../src/cli/cli.js';
import { TESSERA_BIN } from './processes.js';

// `tessera <args>` run in this process, by the command's own program (cli/cli.ts `main`): the same
// parsing, environment, store and output as the command, without starting Node and loading the bundle
// for each call (about half a second of one core on the test machine). For a suite that checks many
// answers of one command family, its refusals above all; every family keeps real processes as well
// (processes.ts `tessera`), which is what a person runs.

/** The call running: a command has the process's environment, console and exit code to itself, so calls take turns. */
let turn: Promise<unknown> = Promise.resolve();

/** Like processes.ts `tessera`: the exit code and what the command wrote to stdout and stderr (calls made at once run one after the other). */
export function tesseraInProcess(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = turn.then(() => runInProcess(args, env));
  turn = result.catch(() => undefined);
  return result;
}

async function runInProcess(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { ...process.env };
  const exitCode = process.exitCode;
  const spies = [
    vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => void (stdout += `${format(...values)}\n`)),
    vi.spyOn(console, 'error').mockImplementation((...values: unknown[]) => void (stderr += `${format(...values)}\n`)),
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)),
  ];
  // The child's environment: this process's, with `env` over it (processes.ts does the same).
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  process.exitCode = undefined;
  try {
    await main([process.execPath, TESSERA_BIN, ...args]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.exitCode = exitCode;
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    for (const spy of spies) spy.mockRestore();
  }
}

/** Like processes.ts `tesseraJson`: `tessera … --json` in this process and its one JSON object. */
export async function tesseraJsonInProcess(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; json: Record<string, unknown> }> {
  const result = await tesseraInProcess([...args, '--json'], env);
  const lines = result.stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one JSON line, got: ${result.stdout} ${result.stderr}`);
  return { code: result.code, json: JSON.parse(lines[0]!) };
}

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const PORTAL = 'packages/portal';

/**
 * Tests that start the `tessera` or `tessera-token` command run the built JavaScript, and the served
 * portal is its built bundle: build them first, so they never test yesterday's code. What `npm run
 * build` does, less the portal's typecheck (`tsc -p tsconfig.build.json`, some 8 s of one core, which
 * builds nothing: `npm run typecheck`, run before the tests by `npm test`, checks the portal and more):
 * every other workspace's build (incremental: a few seconds when nothing changed), and beside it the
 * portal's bundle (`vite build`, which reads the server's sources, not its build).
 */
export default async function buildOnce(): Promise<void> {
  const { workspaces } = JSON.parse(readFileSync('package.json', 'utf8')) as { workspaces: string[] };
  const others = workspaces.filter((folder) => folder !== PORTAL).flatMap((folder) => ['--workspace', folder]);
  await Promise.all([
    run('npm', ['run', 'build', '--silent', '--if-present', ...others]),
    run(process.execPath, [path.resolve('node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], PORTAL),
  ]);
}

function run(command: string, args: string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`))));
  });
}

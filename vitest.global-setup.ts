import { execFileSync } from 'node:child_process';

/**
 * Tests that start the `tessera` or `tessera-token` command run the built JavaScript: build it first,
 * so they never test yesterday's code (incremental: a few seconds when nothing changed).
 */
export default function buildOnce(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
}

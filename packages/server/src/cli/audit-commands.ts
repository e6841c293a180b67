import { type Command, InvalidArgumentError } from 'commander';
import { listAudit } from '../audit/list-audit.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { run, table, withJson, type Output } from './run.js';

/** A whole number ≥ `min`, for --limit and --offset. */
function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`use a whole number from ${min}`);
    return Number(value);
  };
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit log of credential actions (append-only, hash-chained per platform)');
  withJson(audit.command('list').description("list a platform's audit entries, newest first"))
    .requiredOption('--platform <platformName>', 'the platform')
    .option('--limit <n>', 'at most this many entries', wholeNumber(1), 50)
    .option('--offset <n>', 'skip this many of the newest first', wholeNumber(0), 0)
    .action((options: Output & { platform: string; limit: number; offset: number }) =>
      run(options, async (services) => {
        const entries = await listAudit(services, options.platform, { limit: options.limit, offset: options.offset });
        return {
          json: { platformName: options.platform, entries },
          text: table(entries, ['at', 'seq', 'actor', 'action', 'target_id', 'outcome', 'source_address', 'id']),
        };
      }),
    );
  withJson(audit.command('verify').description("check every platform's hash chain; exits 1 naming the first entry changed or removed")).action((options: Output) =>
    run(options, async (services) => {
      const result = await verifyAudit(services);
      if (result.ok) return { json: { ...result }, text: `OK: ${result.checked} audit entries verified` };
      const { problem, platformName, platform_id, seq, id } = result.broken;
      const where = `platform ${platformName ?? platform_id}, seq ${seq}`;
      const text =
        problem === 'removed'
          ? `BROKEN: audit entry ${where} was removed (the entry after the gap is ${id})`
          : `BROKEN: audit entry ${where} (${id}) was changed`;
      return { json: { ...result }, text, exitCode: 1 };
    }),
  );
}

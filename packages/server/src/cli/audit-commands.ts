import { type Command, InvalidArgumentError, Option } from 'commander';
import { exportAuditCsv } from '../audit/audit-csv.js';
import { listAudit, MAX_AUDIT_PAGE } from '../audit/list-audit.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { run, table, withJson, type Output } from './run.js';

/** A whole number from `min` to `max`, for --limit and --before. */
function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    if (!/^\d{1,16}$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `use a whole number from ${min}` : `use a whole number from ${min} to ${max}`);
    }
    return Number(value);
  };
}

/** An ISO 8601 date (midnight UTC) or date-time with its offset: one without would depend on the machine's zone. */
const ISO_TIME = /^\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d{1,3})?)?(?:Z|[+-]\d\d:\d\d))?$/;

function isoTime(value: string): number {
  const ms = ISO_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError('use an ISO 8601 time with its offset, e.g. 2026-11-28T12:00:00Z, or a date (midnight UTC)');
  return ms;
}

interface ListOptions extends Output {
  platform: string;
  action?: string;
  from?: number;
  to?: number;
  limit: number;
  before?: number;
  csv?: boolean;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit log of credential actions (append-only, hash-chained per platform)');
  withJson(audit.command('list').description("list a platform's audit entries, newest first"))
    .requiredOption('--platform <platformName>', 'the platform')
    .option('--action <action>', 'only this action (generate, reveal, token_refused, …)')
    .option('--from <time>', 'only entries at or after this time (ISO 8601)', isoTime)
    .option('--to <time>', 'only entries at or before this time (ISO 8601)', isoTime)
    .option('--limit <n>', `at most this many entries (1–${MAX_AUDIT_PAGE})`, wholeNumber(1, MAX_AUDIT_PAGE), 50)
    .option('--before <seq>', 'only entries older than this seq: the "next" of the previous page', wholeNumber(1))
    .addOption(new Option('--csv', 'every matching entry as CSV (RFC 4180), for a spreadsheet').conflicts(['limit', 'before', 'json']))
    .action((options: ListOptions) =>
      run(options, async (services) => {
        const filter = { action: options.action, from: options.from, to: options.to };
        if (options.csv) return { stream: await exportAuditCsv(services, options.platform, filter) };
        const { entries, next } = await listAudit(services, options.platform, { ...filter, before: options.before, limit: options.limit });
        const rows = table(entries, ['at', 'seq', 'actor', 'action', 'target_id', 'outcome', 'source_address', 'id']);
        return {
          json: { platformName: options.platform, entries, next },
          text: next === null ? rows : `${rows}\n(older entries: add --before ${next})`,
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

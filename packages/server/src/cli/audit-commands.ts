import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { exportAuditCsv } from '../audit/audit-csv.js';
import { listAudit, MAX_AUDIT_PAGE } from '../audit/list-audit.js';
import { archiveAudit, verifyArchive } from '../audit/archive-audit.js';
import { checkpointChains } from '../audit/audit-upkeep.js';
import { type AuditPublicKey, type CheckpointLine, readAuditPublicKey, readCheckpointFile } from '../audit/checkpoints.js';
import { type AuditFinding, verifyAudit, verifyAuditChains } from '../audit/verify-audit.js';
import { auditCheckpointsFile } from '../config/config.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { Services } from '../services.js';
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
  withJson(audit.command('verify').description("check every platform's hash chain; exits 1 naming the first entry changed or removed"))
    .option('--checkpoints [file]', 'also check the chains against these signed checkpoints (default: TESSERA_AUDIT_CHECKPOINTS or DATA_DIR/audit-checkpoints.jsonl): finds a cut tail, a removed, rewritten or reordered chain, a forged checkpoint')
    .option('--public-key <file>', 'the audit public key (the JWK of /.well-known/tessera-audit-key, or PEM); default: the signing key file or setting')
    .option('--since-checkpoint', "verify each chain from its last trusted checkpoint, reading only the entries after it (implies --checkpoints)")
    .option('--from-checkpoints', 'the same as --since-checkpoint')
    .action((options: VerifyOptions) =>
      run(options, async (services) => {
        const incremental = Boolean(options.sinceCheckpoint || options.fromCheckpoints);
        if (options.checkpoints === undefined && !incremental) {
          const result = await verifyAudit(services);
          if (result.ok) return { json: { ...result }, text: `OK: ${result.checked} audit entries verified` };
          const { problem, platformName, platform_id, seq, id } = result.broken;
          const where = `platform ${platformName ?? platform_id}, seq ${seq}`;
          const text =
            problem === 'removed'
              ? `BROKEN: audit entry ${where} was removed (the entry after the gap is ${id})`
              : `BROKEN: audit entry ${where} (${id}) was changed`;
          return { json: { ...result }, text, exitCode: 1 };
        }
        const file = typeof options.checkpoints === 'string' ? path.resolve(options.checkpoints) : auditCheckpointsFile(services.config);
        const publicKey = await verifierKey(services, options.publicKey);
        const checkpoints = await readCheckpoints(file, publicKey);
        const report = await verifyAuditChains(services, { checkpoints, publicKey, fromCheckpoints: incremental });
        const json = { ...report, checkpoints: checkpoints.length, mode: incremental ? 'since-checkpoint' : 'full', kid: publicKey.kid };
        if (report.ok) {
          const how = incremental ? 'since their last checkpoints' : 'in full';
          return { json, text: `OK: ${report.checked} audit entries verified ${how}, against ${checkpoints.length} signed checkpoints` };
        }
        return { json, text: findingLines(report.findings).join('\n'), exitCode: 1 };
      }),
    );
  withJson(audit.command('key').description('print the audit public key (JWK) that verifies the signed checkpoints; made on first use')).action((options: Output) =>
    run(options, async (services) => {
      const key = await services.auditKeys.signingKey();
      return { json: { ...key.jwk }, text: `${JSON.stringify(key.jwk)}\n(kid ${key.kid}; the private key is in ${key.source})` };
    }),
  );
  withJson(audit.command('checkpoint').description('sign a checkpoint of each chain head and append it to the checkpoints file'))
    .option('--platform <platformName>', 'only this platform')
    .action((options: Output & { platform?: string }) =>
      run(options, async (services) => {
        let platformId: string | undefined;
        if (options.platform !== undefined) {
          const platform = await services.platforms.findByName(options.platform);
          if (!platform) throw new TesseraError('not_found', `Platform ${options.platform} does not exist`);
          platformId = platform.id;
        }
        const file = auditCheckpointsFile(services.config);
        const made = await checkpointChains({ ...services }, file, { platformId });
        const rows = table(made, ['platform_id', 'seq', 'hash', 'at']);
        return { json: { file, checkpoints: made }, text: `${made.length} checkpoint${made.length === 1 ? '' : 's'} appended to ${file}\n${rows}` };
      }),
    );
  withJson(audit.command('archive').description('write the entries older than a date to an archive file, with closing signed checkpoints, then remove them from the store'))
    .requiredOption('--before <time>', 'archive the entries before this time (ISO 8601); the newest entry of each chain is kept', isoTime)
    .requiredOption('--to <file>', 'the archive to write (JSON lines); never overwritten')
    .action((options: Output & { before: number; to: string }) =>
      run(options, async (services) => {
        const result = await archiveAudit(services, { before: options.before, file: path.resolve(options.to), checkpointsFile: auditCheckpointsFile(services.config) });
        if (result.file === null) return { json: { ...result }, text: `Nothing to archive: no entry before ${new Date(options.before).toISOString()} (the newest entry of each chain is kept)` };
        return { json: { ...result }, text: `Archived ${result.entries} audit entries of ${result.chains.length} platform${result.chains.length === 1 ? '' : 's'} to ${result.file}, then removed them from the store` };
      }),
    );
  withJson(audit.command('verify-archive').description('check an archive on its own: its chains and their signed checkpoints; exits 1 naming what is wrong'))
    .argument('<file>', 'the archive (tessera audit archive --to)')
    .option('--public-key <file>', 'the audit public key (JWK or PEM); default: the signing key file or setting')
    .action((file: string, options: Output & { publicKey?: string }) =>
      run(options, async (services) => {
        const publicKey = await verifierKey(services, options.publicKey);
        const result = await verifyArchive(await readable(path.resolve(file), 'archive'), publicKey);
        if (result.ok) return { json: { ...result }, text: `OK: ${result.entries} archived audit entries of ${result.chains.length} platform${result.chains.length === 1 ? '' : 's'} verified` };
        return { json: { ...result }, text: findingLines(result.findings).join('\n'), exitCode: 1 };
      }),
    );
}

interface VerifyOptions extends Output {
  checkpoints?: string | true;
  publicKey?: string;
  sinceCheckpoint?: boolean;
  fromCheckpoints?: boolean;
}

/** A finding as a line: which platform, which entry, what. */
function findingLines(findings: readonly AuditFinding[]): string[] {
  return findings.map((f) => {
    const platform = f.platformName ?? f.platform_id;
    const where = [platform === null ? null : `platform ${platform}`, f.seq === null ? null : `seq ${f.seq}`].filter(Boolean).join(', ');
    return `BROKEN (${f.problem}): ${where ? `${where}: ` : ''}${f.message}`;
  });
}

/** The key a verification uses: --public-key, else the signing key's public half (never made here). */
async function verifierKey(services: Services, file: string | undefined): Promise<AuditPublicKey> {
  if (file !== undefined) return readAuditPublicKey(await readable(path.resolve(file), 'public key'));
  const key = await services.auditKeys.existingPublicKey();
  if (!key) {
    throw new TesseraError('invalid_input', `No audit signing key at ${services.auditKeys.source}: give the public key with --public-key <file> (the JWK of /.well-known/tessera-audit-key)`);
  }
  return key;
}

async function readCheckpoints(file: string, key: AuditPublicKey): Promise<CheckpointLine[]> {
  return readCheckpointFile(await readable(file, 'checkpoints file'), key);
}

/** `file` when it can be read, else an error that names it. */
async function readable(file: string, what: string): Promise<string> {
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    throw new TesseraError('invalid_input', `Cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return file;
}

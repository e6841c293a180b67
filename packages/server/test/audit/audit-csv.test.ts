import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField, exportAuditCsv } from '../../src/audit/audit-csv.js';
import { recordAudit } from '../../src/audit/record-audit.js';
import { createPlatform } from '../../src/credentials/platforms.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let all = '';
  for await (const chunk of chunks) all += chunk;
  return all;
}

describe('a CSV field', () => {
  it('is quoted when it holds a comma, a quote or a line break, with quotes doubled (RFC 4180 §2.6–2.7)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(42)).toBe('42');
    expect(csvField('')).toBe('');
  });

  it('never starts with what a spreadsheet runs as a formula: = + - @ tab CR get a leading quote', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('\r=1')).toBe('"\'\r=1"');
    expect(csvField('=HYPERLINK("http://evil.example","x")')).toBe('"\'=HYPERLINK(""http://evil.example"",""x"")"');
    expect(csvField('=cmd|\' /C calc\'!A0')).toBe("'=cmd|' /C calc'!A0");
    // Only the first character matters.
    expect(csvField('a=1')).toBe('a=1');
    expect(csvField('2026-11-28T12:00:00.000Z')).toBe('2026-11-28T12:00:00.000Z');
  });
});

describe.each(STORE_KINDS)('the audit CSV export on %s', (store) => {
  let env: TestEnvironment;
  let services: Services;
  let platformId: string;

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store }));
    platformId = (await createPlatform(services, 'acme')).id;
  });
  afterAll(async () => env?.close());

  it('writes the header and every matching entry, newest first, defused and quoted', async () => {
    await recordAudit(services, { actor: 'cli' }, { platformId, action: 'generate', targetId: 'key_a' });
    env.clock.advance(1_000);
    await recordAudit(
      services,
      { actor: '=evil@example.com', sourceAddress: '2001:db8::1', userAgent: '=HYPERLINK("http://evil.example","click"), "quoted"' },
      { platformId, action: 'reveal', targetId: 'key_a', outcome: 'failure' },
    );
    const [second, first] = (await services.auditLog.list(platformId, {}, 10)).map((e) => e.id);
    expect(await text(await exportAuditCsv(services, 'acme', {}))).toBe(
      'at,actor,action,target_id,source_address,user_agent,outcome,seq,id\r\n' +
        `2026-11-28T12:00:01.000Z,'=evil@example.com,reveal,key_a,2001:db8::1,"'=HYPERLINK(""http://evil.example"",""click""), ""quoted""",failure,2,${second}\r\n` +
        `2026-11-28T12:00:00.000Z,cli,generate,key_a,,,success,1,${first}\r\n`,
    );
    expect(await text(await exportAuditCsv(services, 'acme', { action: 'generate' }))).toBe(
      `at,actor,action,target_id,source_address,user_agent,outcome,seq,id\r\n2026-11-28T12:00:00.000Z,cli,generate,key_a,,,success,1,${first}\r\n`,
    );
    expect(await text(await exportAuditCsv(services, 'acme', { from: env.clock.now() + 1 }))).toBe('at,actor,action,target_id,source_address,user_agent,outcome,seq,id\r\n');
  });

  it('reads a long log in batches, each entry once, in order', async () => {
    const many = (await createPlatform(services, 'many')).id;
    for (let i = 0; i < 501; i++) await recordAudit(services, { actor: 'cli' }, { platformId: many, action: 'reveal', targetId: `key_${i}` });
    const lines = (await text(await exportAuditCsv(services, 'many', {}))).split('\r\n');
    expect(lines.at(-1)).toBe('');
    const seqs = lines.slice(1, -1).map((line) => Number(line.split(',')[7]));
    expect(seqs).toEqual(Array.from({ length: 501 }, (_, i) => 501 - i));
  });

  it('refuses a bad filter or an unknown platform before anything is written', async () => {
    await expect(exportAuditCsv(services, 'acme', { action: 'nope' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(exportAuditCsv(services, 'acme', { from: 2, to: 1 })).rejects.toMatchObject({ code: 'invalid_input', message: 'Invalid time range: from is after to' });
    await expect(exportAuditCsv(services, 'nowhere', {})).rejects.toMatchObject({ code: 'not_found', message: 'Platform nowhere does not exist' });
  });
});

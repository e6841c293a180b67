import type { Kysely, Selectable } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import type { EmailTemplatesTable, Schema } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

export type EmailTemplateRow = Selectable<EmailTemplatesTable>;
/** A new template: the store gives it its number (`seq`). */
export type NewEmailTemplateRow = Omit<EmailTemplateRow, 'seq' | 'deleted_at'>;
/** What an update may change, with its time. */
export type EmailTemplateChanges = Partial<Omit<EmailTemplateRow, 'platform_id' | 'seq' | 'created_at' | 'deleted_at'>> & { updated_at: number };

/** The largest number an etid (E + six digits) can carry. */
const MAX_TEMPLATE_SEQ = 999_999;
/** Concurrent creations on PostgreSQL may pick the same next number: the loser tries again, this often. */
const INSERT_ATTEMPTS = 10;

/**
 * A platform's email templates. Every method takes the platform id first and every query filters on it
 * (another platform's template is never found); deleted templates are only marked and never returned.
 */
export class EmailTemplateStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * Inserts a template with the platform's next number (deleted ones count: a number is never reused);
   * a live template of the same name is a `conflict`.
   */
  async insert(template: NewEmailTemplateRow): Promise<EmailTemplateRow> {
    for (let attempt = 1; ; attempt++) {
      const last = await this.db
        .selectFrom('email_templates')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('platform_id', '=', template.platform_id)
        .executeTakeFirst();
      const seq = Number(last?.seq ?? 0) + 1;
      if (seq > MAX_TEMPLATE_SEQ) throw new TesseraError('conflict', `This platform has used all ${MAX_TEMPLATE_SEQ} email template identifiers`);
      const row: EmailTemplateRow = { ...template, seq, deleted_at: null };
      try {
        await this.db.insertInto('email_templates').values(row).execute();
        return row;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (await this.nameTaken(template.platform_id, template.name)) throw nameConflict(template.name);
        // Another instance took this number first (PostgreSQL; SQLite writes one at a time): a 503 to
        // retry rather than a 500, should that go on for so many attempts.
        if (attempt >= INSERT_ATTEMPTS) {
          throw new TesseraError('unavailable', 'Too many email templates are being created at once on this platform: try again', { retryAfterSeconds: 1, cause: error });
        }
      }
    }
  }

  /** The live template number `seq` of the platform. */
  async find(platformId: string, seq: number): Promise<EmailTemplateRow | undefined> {
    return this.db
      .selectFrom('email_templates')
      .selectAll()
      .where('platform_id', '=', platformId)
      .where('seq', '=', seq)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
  }

  /** One page of the platform's live templates, oldest first, and how many there are in all. */
  async list(platformId: string, page: { offset: number; limit: number }): Promise<{ rows: EmailTemplateRow[]; total: number }> {
    const live = this.db.selectFrom('email_templates').where('platform_id', '=', platformId).where('deleted_at', 'is', null);
    const [rows, count] = await Promise.all([
      live.selectAll().orderBy('seq').limit(page.limit).offset(page.offset).execute(),
      live.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.total) };
  }

  /** Every live template of the platform, oldest first: few, for choosing an order's default. */
  async listAll(platformId: string): Promise<EmailTemplateRow[]> {
    return this.db.selectFrom('email_templates').selectAll().where('platform_id', '=', platformId).where('deleted_at', 'is', null).orderBy('seq').execute();
  }

  /** Changes a live template; undefined when there is none. A name another live template has is a `conflict`. */
  async update(platformId: string, seq: number, changes: EmailTemplateChanges): Promise<EmailTemplateRow | undefined> {
    try {
      return await this.db
        .updateTable('email_templates')
        .set(changes)
        .where('platform_id', '=', platformId)
        .where('seq', '=', seq)
        .where('deleted_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
    } catch (error) {
      if (isUniqueViolation(error) && changes.name !== undefined) throw nameConflict(changes.name);
      throw error;
    }
  }

  /** Marks a live template deleted; false when there is none. */
  async delete(platformId: string, seq: number, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('email_templates')
      .set({ deleted_at: at })
      .where('platform_id', '=', platformId)
      .where('seq', '=', seq)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  private async nameTaken(platformId: string, name: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('email_templates')
      .select('seq')
      .where('platform_id', '=', platformId)
      .where('name', '=', name)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }
}

function nameConflict(name: string): TesseraError {
  return new TesseraError('conflict', `An email template named ${name} already exists`);
}

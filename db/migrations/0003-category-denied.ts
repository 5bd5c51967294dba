import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The category colour step is optional (graph.md): a mailbox whose master category list Graph
 * refuses (403, no MailboxSettings permission) is remembered, so its syncs skip the step until a
 * forced rebuild tries again.
 */
export class CategoryDenied1796860800000 implements MigrationInterface {
  name = 'CategoryDenied1796860800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailboxes ADD COLUMN category_denied boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailboxes DROP COLUMN category_denied`);
  }
}

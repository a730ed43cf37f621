// A table whose rows are kept by uuid and listed oldest first (workflows, webhook destinations): the reads and the
// delete every such store shares, so each store writes only its own inserts and updates.
import type { SqlDb } from './sql';

export class UuidTable<Row> {
  constructor(
    protected readonly db: SqlDb,
    private readonly table: string,
  ) {}

  list(): Promise<Row[]> {
    return this.db.all<Row>(`SELECT * FROM ${this.table} ORDER BY created_at, uuid`);
  }

  get(uuid: string): Promise<Row | undefined> {
    return this.db.get<Row>(`SELECT * FROM ${this.table} WHERE uuid = $1`, [uuid]);
  }

  async delete(uuid: string): Promise<boolean> {
    return (await this.db.run(`DELETE FROM ${this.table} WHERE uuid = $1`, [uuid])) > 0;
  }
}

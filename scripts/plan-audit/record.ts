/**
 * @module Vitest setup file of the plan audit (./README.md): records the text of every SQLite
 * statement the test suite prepares, one JSON string per line, into $QATRA_PLAN_AUDIT_DIR.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

const dir = process.env.QATRA_PLAN_AUDIT_DIR;
if (!dir) throw new Error('QATRA_PLAN_AUDIT_DIR is not set (run through `npm run audit:plans`)');
const file = path.join(dir, `statements-${process.pid}-${Math.random().toString(36).slice(2)}.ndjson`);
const proto = (Database as unknown as { prototype: { prepare(sql: string): unknown } }).prototype;
const prepare = proto.prepare;
const seen = new Set<string>();
proto.prepare = function (this: unknown, text: string) {
  if (!seen.has(text)) {
    seen.add(text);
    fs.appendFileSync(file, `${JSON.stringify(text)}\n`);
  }
  return prepare.call(this, text);
};

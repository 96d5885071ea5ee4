import fs from "node:fs";
import { OUTBOX_DIR } from "./tests/helpers";

/** Removes what a run made: its database file (with SQLite's WAL files) and the outbox. */
export default async function teardown() {
  const database = process.env.HELPDESK_E2E_DATABASE;
  if (database) {
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(`${database}${suffix}`, { force: true });
  }
  fs.rmSync(OUTBOX_DIR, { recursive: true, force: true });
}

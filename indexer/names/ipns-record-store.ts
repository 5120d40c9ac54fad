import { type IpnsEntry, readIpnsRecord } from "#protocol";
import type { Db } from "../db/open-database.ts";
import { InvalidRecordError } from "../errors.ts";
import { sequenceKey } from "./project-name.ts";

/** How many records an IPNS name keeps: the highest sequences (the anchored one and a few newer). */
const KEPT_PER_NAME = 4;

/**
 * The IPNS records handed to `PUT /routing/v1/ipns/{name}`. Each passes the stock validator on
 * arrival (signature under the name, size, end of life); it is served only while a name's chain
 * update anchors it (see NameQueries.anchoredRecord), so a record nobody anchored changes nothing.
 */
export class IpnsRecordStore {
  readonly #put: ReturnType<Db["prepare"]>;
  readonly #prune: ReturnType<Db["prepare"]>;
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
    this.#put =
      db.prepare(`INSERT OR IGNORE INTO ipns_records (ipns_name, sequence, path, validity, ttl, public_key,
        record, received_at) VALUES (@ipns_name, @sequence, @path, @validity, @ttl, @public_key, @record, @received_at)`);
    this.#prune = db.prepare(`DELETE FROM ipns_records WHERE ipns_name = @ipns_name AND sequence NOT IN (
        SELECT sequence FROM ipns_records WHERE ipns_name = @ipns_name ORDER BY sequence DESC LIMIT ${KEPT_PER_NAME})
      AND sequence NOT IN (SELECT sequence FROM names WHERE ipns_name = @ipns_name)`);
  }

  /** Checks and keeps a record; an invalid one is refused (InvalidRecordError) and changes nothing. */
  async put(ipnsName: string, bytes: Uint8Array): Promise<IpnsEntry> {
    let entry: IpnsEntry;
    try {
      entry = await readIpnsRecord(ipnsName, bytes);
    } catch (error) {
      throw new InvalidRecordError((error as Error).message);
    }
    this.#db.transaction(() => {
      this.#put.run({
        ipns_name: entry.ipnsName,
        sequence: sequenceKey(entry.sequence),
        path: entry.value,
        validity: Number(entry.validity),
        ttl: entry.ttl,
        public_key: entry.publicKey.toLowerCase(),
        record: Buffer.from(bytes),
        received_at: Date.now(),
      });
      this.#prune.run({ ipns_name: entry.ipnsName });
    })();
    return entry;
  }
}

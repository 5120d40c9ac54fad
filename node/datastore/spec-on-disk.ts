import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DatastoreSpecMismatchError } from "../errors.ts";
import { type DatastoreSpec, diskSpecText } from "./datastore-spec.ts";

/** The file in the data directory that records the layout its data was written in (kubo's name). */
export const SPEC_FILE = "datastore_spec";

/**
 * Checks the configured spec against the one the data directory was made with, and records it
 * in a directory that has none. A spec that would lay data out otherwise (another store, path or
 * shard function at some mountpoint) is refused with one line naming both; measures and options
 * that do not change the layout may differ.
 */
export async function checkSpecOnDisk(dataDir: string, spec: DatastoreSpec): Promise<"created" | "matched"> {
  const file = join(dataDir, SPEC_FILE);
  const configured = diskSpecText(spec);
  const onDisk = await readFile(file, "utf8").then(
    (text) => text.trim(),
    () => undefined,
  );
  if (onDisk === undefined) {
    await writeSpecFile(dataDir, spec);
    return "created";
  }
  if (canonical(onDisk) !== configured) throw new DatastoreSpecMismatchError(file, onDisk, configured);
  return "matched";
}

/** Writes the data directory's `datastore_spec` (what `strata node init` does). */
export async function writeSpecFile(dataDir: string, spec: DatastoreSpec): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, SPEC_FILE), `${diskSpecText(spec)}\n`);
}

/** The same JSON with its keys sorted, so a spec kubo wrote compares equal; unreadable text as it is. */
function canonical(text: string): string {
  try {
    return diskSpecText(JSON.parse(text) as DatastoreSpec);
  } catch {
    return text;
  }
}

// The browser build's `local-file.ts`: a page has no file system to read a path from.
import { InvalidArgumentError } from "../errors.ts";
import type * as Node from "./local-file.ts";

export const openLocalFile: typeof Node.openLocalFile = async (path) => {
  throw new InvalidArgumentError(
    `a file path (${path}) can be read in Node.js only: in a page, pass a File, a Blob or bytes`,
  );
};

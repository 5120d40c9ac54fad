// @orbitdb/core ships JavaScript without types: the little the collections bench calls.
declare module "@orbitdb/core" {
  interface Documents {
    put(doc: Record<string, unknown>): Promise<string>;
    query<T>(match: (doc: T) => boolean): Promise<T[]>;
    close(): Promise<void>;
  }
  export function createOrbitDB(options: { ipfs: unknown; directory: string }): Promise<{
    open(name: string, options: { type: "documents" }): Promise<Documents>;
    stop(): Promise<void>;
  }>;
}

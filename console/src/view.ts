import type { IndexerClient } from "../../api/indexer/indexer-client.ts";
import type { Settings } from "./config.ts";

/** What every view gets. */
export interface ViewContext {
  settings: Settings;
  indexer: IndexerClient;
  /** Says something in the page's live region (screen readers hear it). */
  announce(text: string): void;
  /** How often live data is fetched again. */
  refreshMs: number;
}

/** A page of the console: its element, started once shown, stopped when left. */
export interface View {
  element: HTMLElement;
  title: string;
  start(): Promise<void>;
  stop(): void;
}

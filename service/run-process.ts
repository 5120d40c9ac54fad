import { createLogger, type Logger } from "./logger.ts";

/**
 * How a service process ends, for a supervisor (systemd, Kubernetes, `strata node start`) to act
 * on. Compatible with the codes `strata --help` documents: 2 is a mistake to fix before starting
 * again, 5 something unreachable that may come back (restart later).
 */
export const ExitCode = {
  /** Stopped by SIGINT or SIGTERM, everything closed. */
  ok: 0,
  /** Crashed (an uncaught error, the service ending on its own with an error), did not stop within the grace time, or was signalled again while stopping. */
  failed: 1,
  /** The configuration is missing or invalid, does not match the chain (wrong key, chain or database), or names a port in use. */
  config: 2,
  /** The chain could not be reached at start. */
  unreachable: 5,
} as const;

/** A long-running service: started by `start`, stopped once by `stop`. */
export interface Stoppable {
  stop(): Promise<void>;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** Errors of `start` that mean exit code 2 (configuration) or 5 (chain unreachable). */
export interface StartErrors {
  config?: ErrorClass[];
  unreachable?: ErrorClass[];
}

export interface RunProcessOptions<C extends { logLevel: string }, S extends Stoppable> {
  /** The logger's name: `strata-node`, `strata-indexer`. */
  name: string;
  /** Reads and validates the configuration; whatever it throws exits with code 2. */
  loadConfig: () => Promise<C>;
  start: (config: C, logger: Logger) => Promise<S>;
  /** Settles when the service ends on its own; a rejection stops the process with code 1. */
  ended?: (service: S) => Promise<unknown>;
  errors?: StartErrors;
  /** How long `stop()` may take before the process exits with code 1 anyway (10 s). */
  graceMs?: number;
  /**
   * Hears why the process is about to exit with an error (bad configuration, a failed start, a
   * crash) after it is logged: `strata node start` prints it as one line naming the fix.
   */
  onFatal?: (error: unknown, exitCode: number) => void;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Runs a service as the process: loads its configuration, starts it, and stops it once on
 * SIGINT/SIGTERM, an uncaught error or the service ending on its own, within one grace time;
 * then exits with a code of `ExitCode`. A second signal while stopping exits at once with code 1.
 */
export async function runProcess<C extends { logLevel: string }, S extends Stoppable>(
  options: RunProcessOptions<C, S>,
): Promise<void> {
  let config: C;
  try {
    config = await options.loadConfig();
  } catch (error) {
    createLogger("info", { name: options.name }).fatal({ err: error }, "bad configuration");
    options.onFatal?.(error, ExitCode.config);
    return process.exit(ExitCode.config);
  }
  const logger = createLogger(config.logLevel, { name: options.name });
  // signals are handled before the service starts: one that comes during start stops it once up
  let started: Promise<S> | undefined;
  const stop = stopOnce(() => started as Promise<S>, logger, options.graceMs ?? 10_000);
  const crash = (why: string) => (error: unknown) => {
    logger.fatal({ err: error }, why);
    options.onFatal?.(error, ExitCode.failed);
    stop(ExitCode.failed, why);
  };
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      if (stop(ExitCode.ok, signal)) return;
      logger.error({ signal }, "signalled again while stopping; exiting");
      process.exit(ExitCode.failed);
    });
  }
  process.on("uncaughtException", crash("uncaught exception"));
  process.on("unhandledRejection", crash("unhandled rejection"));

  started = options.start(config, logger);
  let service: S;
  try {
    service = await started;
  } catch (error) {
    const code = startExitCode(error, options.errors);
    logger.fatal({ err: error, exit_code: code }, "could not start");
    options.onFatal?.(error, code);
    return process.exit(code);
  }
  void options.ended?.(service).catch(crash("the service stopped"));
}

/**
 * `stop(code, why)`: stops the service (once it is up, if a signal came during start) and exits
 * with `code`, or with 1 if stopping fails or outlasts the grace time. False when already stopping.
 */
function stopOnce(
  started: () => Promise<Stoppable>,
  logger: Logger,
  graceMs: number,
): (code: number, why: string) => boolean {
  let stopping = false;
  return (code, why) => {
    if (stopping) return false;
    stopping = true;
    logger.info({ why }, "stopping");
    setTimeout(() => {
      logger.error({ grace_ms: graceMs }, "did not stop in time; exiting");
      process.exit(ExitCode.failed);
    }, graceMs);
    started()
      .then((service) => service.stop())
      .then(
        () => process.exit(code),
        (error: unknown) => {
          logger.error({ err: error }, "stop failed");
          process.exit(ExitCode.failed);
        },
      );
    return true;
  };
}

/** A listen address taken or not allowed (EADDRINUSE, EACCES), anywhere in the error or its causes. */
export function isListenRefused(error: unknown): boolean {
  for (
    let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 8;
    depth++
  ) {
    if (e.code === "EADDRINUSE" || e.code === "EACCES") return true;
    if (typeof e.message === "string" && /\b(EADDRINUSE|EACCES)\b/.test(e.message)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

function startExitCode(error: unknown, errors: StartErrors = {}): number {
  if (errors.config?.some((type) => error instanceof type)) return ExitCode.config;
  // a port in use or not allowed is the configuration's to fix
  if (isListenRefused(error)) return ExitCode.config;
  if (errors.unreachable?.some((type) => error instanceof type)) return ExitCode.unreachable;
  return ExitCode.failed;
}

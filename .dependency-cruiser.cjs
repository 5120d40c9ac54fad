// The layer rules of issue 13 ("layers that point one way"), checked by `npm run lint:layers`.
//
//   protocol/                  what every party computes: imports no other Strata folder
//   api/                       the HTTP contracts shared by servers and clients: protocol/ only
//   service/                   the service kernel (logs, metrics, ticker, shutdown): protocol/ and api/ only
//   node/, indexer/            the two services: service/, protocol/, api/; never each other nor sdk/
//   sdk/                       the client: protocol/ and api/ only
//   console/                   the web console, a page: api/, protocol/ and sdk/; nothing imports it
//   devnet/, cli/, scripts/    the top: anything but test/ and bench/
//   test/, bench/              imported by nobody (test files may import test/helpers/)
//
// Type-only imports count: a layer that needs another's types depends on it.

/** Every Strata folder holding TypeScript, as a path alternation. */
const ALL = "api|bench|cli|console|devnet|indexer|node|protocol|scripts|sdk|service|test";

/** The folders a layer must not reach, written as the complement of what it may import. */
const outside = (...allowed) =>
  `^(${ALL.split("|")
    .filter((folder) => !allowed.includes(folder))
    .join("|")})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "protocol-is-the-base",
      comment: "protocol/ is what every party computes identically: it imports no other Strata folder.",
      severity: "error",
      from: { path: "^protocol/" },
      to: { path: outside("protocol") },
    },
    {
      name: "api-only-on-protocol",
      comment: "api/ (schemas shared by the services and the SDK) builds on protocol/ alone.",
      severity: "error",
      from: { path: "^api/" },
      to: { path: outside("api", "protocol") },
    },
    {
      name: "service-kernel-only-on-protocol-and-api",
      comment: "service/ is the kernel node/ and indexer/ stand on: it knows neither of them.",
      severity: "error",
      from: { path: "^service/" },
      to: { path: outside("service", "protocol", "api", "test") },
    },
    {
      name: "sdk-only-on-protocol-and-api",
      comment: "sdk/ is client-only: among Strata folders it imports protocol/ and api/, nothing else.",
      severity: "error",
      from: { path: "^sdk/" },
      to: { path: outside("sdk", "protocol", "api", "test") },
    },
    {
      name: "node-only-on-service-protocol-api",
      comment: "node/ stands on service/, protocol/ and api/; it does not import sdk/ or indexer/.",
      severity: "error",
      from: { path: "^node/" },
      to: { path: outside("node", "service", "protocol", "api", "test") },
    },
    {
      name: "indexer-only-on-service-protocol-api",
      comment: "indexer/ stands on service/, protocol/ and api/; it does not import sdk/ or node/.",
      severity: "error",
      from: { path: "^indexer/" },
      to: { path: outside("indexer", "service", "protocol", "api", "test") },
    },
    {
      name: "console-is-a-page",
      comment:
        "console/ runs in a browser: it reads the indexer through api/'s client and signs through the SDK's browser build (sdk/, protocol/), and imports no service, CLI or harness.",
      severity: "error",
      from: { path: "^console/" },
      to: { path: outside("console", "api", "protocol", "sdk") },
    },
    {
      name: "nothing-imports-the-console",
      comment: "console/ is an app at the top: nothing imports it (its build is served as files).",
      severity: "error",
      from: { pathNot: "^console/" },
      to: { path: "^console/" },
    },
    {
      name: "nothing-imports-the-top",
      comment: "cli/, devnet/ and scripts/ sit on top: only they (and tests) import them.",
      severity: "error",
      from: { path: "^(api|indexer|node|protocol|sdk|service)/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(cli|devnet|scripts)/" },
    },
    {
      name: "nothing-imports-tests",
      comment: "Only tests import test/ (a unit test beside its code may use test/helpers/).",
      severity: "error",
      from: { pathNot: ["^test/", "\\.test\\.ts$"] },
      to: { path: "^test/" },
    },
    {
      name: "tests-import-only-helpers",
      comment: "A test file imports test/helpers/, never another test file.",
      severity: "error",
      from: {},
      to: { path: "\\.test\\.ts$" },
    },
    {
      name: "nothing-imports-benches",
      comment: "bench/ measures the code; nothing outside it imports it.",
      severity: "error",
      from: { pathNot: "^bench/" },
      to: { path: "^bench/" },
    },
    {
      name: "no-circular",
      comment: "No import cycles, within a folder or across folders.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Strata's own folders only: packages and built files are not layers.
    includeOnly: `^(${ALL})/`,
    exclude: { path: "(^|/)(node_modules|artifacts|cache|build)/|^sdk/dist/|^console/(dist|[.]dist-[^/]*)/" },
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".json"],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};

export {
  type RestoredMessage,
  restoredTypedData,
  restoredTypes,
  vaultsDomain,
} from "./restored-typed-data.ts";

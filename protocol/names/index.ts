export { contenthashOf, pathOfContenthash } from "./contenthash.ts";
export { ipnsKeyBytes, ipnsKeyFromSignature, ipnsNameOf } from "./ipns-key.ts";
export {
  canonicalIpnsName,
  type IpnsEntry,
  ipnsDigestOf,
  ipnsRecordOf,
  MAX_IPNS_RECORD_BYTES,
  readIpnsRecord,
  recordMatchesUpdate,
  rfc3339Nanos,
} from "./ipns-record.ts";
export {
  ipnsKeyTypedData,
  ipnsKeyTypes,
  type NameUpdate,
  nameIdOf,
  publishTypedData,
  publishTypes,
  registryDomain,
  updateHashOf,
} from "./name-typed-data.ts";

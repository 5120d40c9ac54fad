/**
 * The media type of an IPNS record (IPFS specs: routing v1, trustless gateway). Apart from the
 * schemas so that a client (a page's bundle) can use it without TypeBox.
 */
export const IPNS_RECORD_TYPE = "application/vnd.ipfs.ipns-record";

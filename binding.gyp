{
  "targets": [
    {
      "target_name": "strata_merkle",
      "sources": ["native/merkle.c"],
      "cflags": ["-O3"],
      "defines": ["NAPI_VERSION=8"]
    },
    {
      "target_name": "strata_erasure",
      "sources": ["native/erasure.c"],
      "cflags": ["-O3"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}

{
  "targets": [
    {
      "target_name": "strata_merkle",
      "sources": ["native/merkle.c"],
      "cflags": ["-O3"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}

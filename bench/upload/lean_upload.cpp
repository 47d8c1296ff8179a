// SPDX-License-Identifier: Apache-2.0
// `pledgebooth upload` without the rest of the app linked in: the same upload_batch call, so
// run.sh can show the uploader's own peak RSS apart from the app's shared libraries.
#include <curl/curl.h>

#include <cstdio>
#include <cstdlib>

#include "pb/config.h"
#include "pb/uploader.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s BOOTH_TOML PARALLEL\n", argv[0]);
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  pb::config::Config config = pb::config::load_config(argv[1]);
  pb::upload::BatchOptions options;
  options.parallel = std::atoi(argv[2]);
  auto r = pb::upload::upload_batch(config, config.storage.data_dir, options);
  int rc = 2;
  if (r) {
    std::printf("uploaded %lld in %.2f s; %lld pending, %lld failed\n",
                static_cast<long long>(r->progress.done), r->seconds,
                static_cast<long long>(r->after.pending), static_cast<long long>(r->after.failed));
    rc = r->queue_empty() ? 0 : 1;
  }
  curl_global_cleanup();
  return rc;
}

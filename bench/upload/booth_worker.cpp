// SPDX-License-Identifier: Apache-2.0
// The booth's background uploader (OutboxWorker) alone, for bench/upload/link-back.sh:
// loads a booth.toml, uploads as the kiosk would, and stops on SIGTERM or SIGINT.
#include <curl/curl.h>
#include <signal.h>

#include <cstdio>
#include <exception>

#include "pb/config.h"
#include "pb/uploader.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s BOOTH_TOML\n", argv[0]);
    return 2;
  }
  // Block the stop signals before any thread starts, then wait for one here.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = 0;
  pb::config::Config config;
  try {
    config = pb::config::load_config(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  {
    pb::upload::OutboxWorker worker(config);
    worker.start();
    int sig = 0;
    sigwait(&stop, &sig);
    worker.stop();
    auto s = worker.status();
    std::printf("done %lld, pending %lld, failed %lld\n", static_cast<long long>(s.done),
                static_cast<long long>(s.pending), static_cast<long long>(s.failed));
  }
  curl_global_cleanup();
  return rc;
}

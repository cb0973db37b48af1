// Raw argon2id verification throughput: N threads each verify one PHC string in a loop for a
// fixed duration. Prints {"threads":N,"verifies_per_sec":X,"per_core":Y}. A measurement, never a
// pass/fail check.
//
//   vault_hash_bench [--memory-kib 19456] [--passes 2] [--threads <cores>] [--duration 5]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "crypto/sodium.hpp"

namespace {

void Usage() {
  std::fprintf(stderr,
               "usage: vault_hash_bench [--memory-kib N] [--passes N] [--threads N] "
               "[--duration SECONDS]\n");
}

}  // namespace

int main(int argc, char** argv) {
  unsigned cores = std::thread::hardware_concurrency();
  if (cores == 0) cores = 1;
  std::size_t memory_kib = 19456;
  unsigned long long passes = 2;
  unsigned threads = cores;
  double duration = 5.0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      Usage();
      return 0;
    }
    if (i + 1 >= argc) {
      Usage();
      return 2;
    }
    const char* v = argv[++i];
    if (a == "--memory-kib") memory_kib = std::strtoull(v, nullptr, 10);
    else if (a == "--passes") passes = std::strtoull(v, nullptr, 10);
    else if (a == "--threads") threads = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else if (a == "--duration") duration = std::strtod(v, nullptr);
    else {
      Usage();
      return 2;
    }
  }
  if (memory_kib < 8 || passes < 1 || threads < 1 || !(duration > 0)) {
    Usage();
    return 2;
  }
  if (!vault::crypto::InitSodium()) {
    std::fprintf(stderr, "libsodium failed to initialise\n");
    return 1;
  }
  vault::crypto::Argon2idHasher hasher({memory_kib, passes});
  const std::string password = "correct horse battery staple";
  auto phc = hasher.Hash(password);
  if (!phc) {
    std::fprintf(stderr, "hashing failed: %s\n", phc.error().detail.c_str());
    return 1;
  }
  if (!hasher.Verify(*phc, password)) {
    std::fprintf(stderr, "verification of a fresh hash failed\n");
    return 1;
  }

  std::atomic<bool> go{false}, stop{false};
  std::atomic<bool> failed{false};
  std::vector<unsigned long long> counts(threads, 0);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      unsigned long long n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (!hasher.Verify(*phc, password)) failed = true;
        ++n;
      }
      counts[t] = n;
    });
  }
  auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  std::this_thread::sleep_for(std::chrono::duration<double>(duration));
  stop = true;
  for (auto& th : pool) th.join();
  // Verifications in flight when `stop` was set finish after the deadline; measure until the
  // last one ends so the rate is not inflated.
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed) {
    std::fprintf(stderr, "a verification failed\n");
    return 1;
  }
  unsigned long long total = 0;
  for (auto c : counts) total += c;
  double rate = static_cast<double>(total) / elapsed;
  double per_core = rate / static_cast<double>(threads < cores ? threads : cores);
  std::printf(
      "{\"threads\":%u,\"verifies_per_sec\":%.2f,\"per_core\":%.2f,\"verifies\":%llu,"
      "\"seconds\":%.3f,\"memory_kib\":%zu,\"passes\":%llu,\"cores\":%u}\n",
      threads, rate, per_core, total, elapsed, memory_kib, passes, cores);
  return 0;
}

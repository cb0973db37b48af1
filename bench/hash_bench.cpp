// Raw argon2id verification throughput: N threads each verify one PHC string in a loop for a
// fixed duration. A measurement, never a pass/fail check.
//
//   vault_hash_bench [--memory-kib 19456] [--passes 2] [--threads <cores>] [--duration 5]
//                    [--impl compare|auto|sodium|generic|avx2|avx512]
//
// --impl compare (the default) measures libsodium and Vault's own kernel (kAuto) side by side
// in one run, at 1 thread and at --threads, in the order libsodium, ours, ours, libsodium so
// that a drift of the machine's speed during the run does not favour either. It prints a table
// on stderr and one JSON line on stdout whose "verifies_per_sec"/"per_core" are ours at
// --threads (what the server runs), with the libsodium and 1-thread figures beside them.
// Any other --impl measures that implementation alone and prints
// {"impl":…,"threads":N,"verifies_per_sec":X,"per_core":Y,…}.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "crypto/argon2.hpp"
#include "crypto/sodium.hpp"

namespace {

using vault::crypto::Argon2Impl;

void Usage() {
  std::fprintf(stderr,
               "usage: vault_hash_bench [--memory-kib N] [--passes N] [--threads N] "
               "[--duration SECONDS] [--impl compare|auto|sodium|generic|avx2|avx512]\n");
}

struct Rate {
  unsigned long long verifies = 0;
  double seconds = 0;
  double per_sec() const { return seconds > 0 ? static_cast<double>(verifies) / seconds : 0; }
};

const std::string kPassword = "correct horse battery staple";

// Verifications per second of `phc` with `threads` threads for `duration` seconds; sets
// failed if any verification returned false.
Rate Measure(const vault::crypto::Argon2idHasher& hasher, const std::string& phc, unsigned threads,
             double duration, std::atomic<bool>& failed) {
  std::atomic<bool> go{false}, stop{false};
  std::atomic<unsigned> ready{0};
  std::vector<unsigned long long> counts(threads, 0);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      // One untimed verification first: a long-lived hashing thread (the server's pool) has
      // its work memory mapped already.
      if (!hasher.Verify(phc, kPassword)) failed = true;
      ++ready;
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      unsigned long long n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (!hasher.Verify(phc, kPassword)) failed = true;
        ++n;
      }
      counts[t] = n;
    });
  }
  while (ready.load() < threads) std::this_thread::yield();
  auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  std::this_thread::sleep_for(std::chrono::duration<double>(duration));
  stop = true;
  for (auto& th : pool) th.join();
  // Verifications in flight when `stop` was set finish after the deadline; measure until the
  // last one ends so the rate is not inflated.
  Rate r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto c : counts) r.verifies += c;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned cores = std::thread::hardware_concurrency();
  if (cores == 0) cores = 1;
  std::size_t memory_kib = 19456;
  unsigned long long passes = 2;
  unsigned threads = cores;
  double duration = 5.0;
  std::string impl_name = "compare";
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
    if (a == "--memory-kib")
      memory_kib = std::strtoull(v, nullptr, 10);
    else if (a == "--passes")
      passes = std::strtoull(v, nullptr, 10);
    else if (a == "--threads")
      threads = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else if (a == "--duration")
      duration = std::strtod(v, nullptr);
    else if (a == "--impl")
      impl_name = v;
    else {
      Usage();
      return 2;
    }
  }
  Argon2Impl impl = Argon2Impl::kAuto;
  const bool compare = impl_name == "compare";
  if (memory_kib < 8 || passes < 1 || threads < 1 || !(duration > 0) ||
      (!compare && !vault::crypto::ParseArgon2Impl(impl_name, impl))) {
    Usage();
    return 2;
  }
  if (!vault::crypto::InitSodium()) {
    std::fprintf(stderr, "libsodium failed to initialise\n");
    return 1;
  }
  if (!vault::crypto::Argon2ImplSupported(impl)) {
    std::fprintf(stderr, "this CPU cannot run the %s kernel\n", impl_name.c_str());
    return 1;
  }
  const char* ours_name = vault::crypto::Argon2ImplName(
      impl == Argon2Impl::kAuto ? vault::crypto::BestArgon2Impl() : impl);
  vault::crypto::Argon2idHasher ours({memory_kib, passes, impl});
  vault::crypto::Argon2idHasher sodium({memory_kib, passes, Argon2Impl::kSodium});
  // Both verify the same string: the formats are interchangeable.
  auto phc = sodium.Hash(kPassword);
  if (!phc) {
    std::fprintf(stderr, "hashing failed: %s\n", phc.error().detail.c_str());
    return 1;
  }
  if (!ours.Verify(*phc, kPassword) || !sodium.Verify(*phc, kPassword)) {
    std::fprintf(stderr, "verification of a fresh hash failed\n");
    return 1;
  }
  const double busy = static_cast<double>(threads < cores ? threads : cores);
  std::atomic<bool> failed{false};

  if (!compare) {
    Rate r = Measure(ours, *phc, threads, duration, failed);
    if (failed) {
      std::fprintf(stderr, "a verification failed\n");
      return 1;
    }
    std::printf(
        "{\"impl\":\"%s\",\"threads\":%u,\"verifies_per_sec\":%.2f,\"per_core\":%.2f,"
        "\"verifies\":%llu,\"seconds\":%.3f,\"memory_kib\":%zu,\"passes\":%llu,\"cores\":%u}\n",
        ours_name, threads, r.per_sec(), r.per_sec() / busy, r.verifies, r.seconds, memory_kib,
        passes, cores);
    return 0;
  }

  std::fprintf(stderr, "argon2id verify, m=%zu KiB t=%llu p=1, %g s per measurement, %u cores\n",
               memory_kib, passes, duration, cores);
  Rate sodium_1 = Measure(sodium, *phc, 1, duration, failed);
  Rate ours_1 = Measure(ours, *phc, 1, duration, failed);
  Rate ours_n = Measure(ours, *phc, threads, duration, failed);
  Rate sodium_n = Measure(sodium, *phc, threads, duration, failed);
  if (failed) {
    std::fprintf(stderr, "a verification failed\n");
    return 1;
  }
  std::fprintf(stderr,
               "  threads  libsodium 1.0.18 /s (per core)  Vault %-7s /s (per core)  ratio\n",
               ours_name);
  std::fprintf(stderr, "  %7u  %11.1f (%8.1f)          %11.1f (%8.1f)         %5.2f\n", 1u,
               sodium_1.per_sec(), sodium_1.per_sec(), ours_1.per_sec(), ours_1.per_sec(),
               ours_1.per_sec() / sodium_1.per_sec());
  std::fprintf(stderr, "  %7u  %11.1f (%8.1f)          %11.1f (%8.1f)         %5.2f\n", threads,
               sodium_n.per_sec(), sodium_n.per_sec() / busy, ours_n.per_sec(),
               ours_n.per_sec() / busy, ours_n.per_sec() / sodium_n.per_sec());
  std::printf(
      "{\"impl\":\"%s\",\"threads\":%u,\"verifies_per_sec\":%.2f,\"per_core\":%.2f,"
      "\"verifies_per_sec_1t\":%.2f,\"sodium_verifies_per_sec\":%.2f,\"sodium_per_core\":%.2f,"
      "\"sodium_verifies_per_sec_1t\":%.2f,\"memory_kib\":%zu,\"passes\":%llu,\"cores\":%u,"
      "\"seconds_each\":%g}\n",
      ours_name, threads, ours_n.per_sec(), ours_n.per_sec() / busy, ours_1.per_sec(),
      sodium_n.per_sec(), sodium_n.per_sec() / busy, sodium_1.per_sec(), memory_kib, passes, cores,
      duration);
  return 0;
}

// Standalone driver for fuzz_argon2.cpp, so a plain g++ build runs the fuzz target in CI:
//   vault_argon2_fuzz --runs N [--seed S]   N pseudo-random inputs (fixed seed: reproducible)
//   vault_argon2_fuzz FILE...               each file as one input (e.g. a libFuzzer crash)
// Exits 0 when every input passed; the target aborts on a mismatch.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  unsigned long runs = 0;
  unsigned long long seed = 1;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) {
      runs = std::strtoul(argv[++i], nullptr, 10);
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      files.push_back(a);
    }
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", f.c_str());
      return 2;
    }
    std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(data.data(), data.size());
  }
  std::mt19937_64 rng(seed);
  for (unsigned long r = 0; r < runs; ++r) {
    std::vector<std::uint8_t> data(rng() % 160);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    LLVMFuzzerTestOneInput(data.data(), data.size());
  }
  std::printf("argon2 fuzz: %lu random inputs and %zu files passed (seed %llu)\n", runs,
              files.size(), seed);
  return 0;
}

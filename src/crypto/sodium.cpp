#include "crypto/sodium.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/encoding.hpp"

namespace vault::crypto {

bool InitSodium() { return sodium_init() >= 0; }

std::string SodiumRandom::Bytes(std::size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);  // OS CSPRNG (getrandom)
  return out;
}

std::string HmacSecretHasher::KeyedHash(std::string_view purpose, std::string_view data) const {
  // HMAC-SHA-256 under the server secret: a leaked database alone cannot confirm a guessed
  // token, and the purpose prefix keeps hashes of one kind from being replayed as another.
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key_.data()), key_.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(purpose.data()),
                                purpose.size());
  unsigned char zero = 0;
  crypto_auth_hmacsha256_update(&st, &zero, 1);
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  return core::Hex(std::string_view(reinterpret_cast<char*>(mac), sizeof mac));
}

core::Result<std::string> Argon2idHasher::Hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params_.passes,
                            params_.memory_kib * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return core::Fail(core::Code::kInternal, "password.hash_failed", "argon2id ran out of memory");
  return std::string(out);
}

bool Argon2idHasher::Verify(std::string_view phc, std::string_view password) const {
  if (phc.empty() || phc.size() >= crypto_pwhash_STRBYTES) return false;
  std::string s(phc);  // NUL-terminated copy
  return crypto_pwhash_str_verify(s.c_str(), password.data(), password.size()) == 0;
}

bool Argon2idHasher::NeedsRehash(std::string_view phc) const {
  if (phc.empty() || phc.size() >= crypto_pwhash_STRBYTES) return true;
  std::string s(phc);
  return crypto_pwhash_str_needs_rehash(s.c_str(), params_.passes, params_.memory_kib * 1024) != 0;
}

core::Result<std::string> LoadOrCreateServerSecret(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    std::string secret(32, '\0');
    randombytes_buf(secret.data(), secret.size());  // 256-bit key for HMAC and encryption
    std::string tmp = path + ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      if (!f) return core::Fail(core::Code::kUnavailable, "config.secret_file",
                                "cannot create the server secret file " + path);
      ::chmod(tmp.c_str(), 0600);
      f << core::Hex(secret) << "\n";
      f.flush();
      if (!f) return core::Fail(core::Code::kUnavailable, "config.secret_file",
                                "cannot write the server secret file " + path);
    }
    fs::rename(tmp, path, ec);
    if (ec) return core::Fail(core::Code::kUnavailable, "config.secret_file",
                              "cannot create the server secret file " + path);
  }
  std::ifstream f(path, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r' || content.back() == ' '))
    content.pop_back();
  if (content.size() < 32)
    return core::Fail(core::Code::kUnavailable, "config.secret_file",
                      "the server secret in " + path + " is shorter than 32 characters");
  return content;
}

}  // namespace vault::crypto

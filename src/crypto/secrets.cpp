#include "crypto/secrets.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace vault::crypto {

namespace {

std::string DeriveBoxKey(const std::string& server_secret, std::string_view purpose) {
  std::string key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES, '\0');
  // BLAKE2b keyed by the server secret over the purpose: one independent key per use.
  std::string label = "vault-secretbox:" + std::string(purpose);
  crypto_generichash(reinterpret_cast<unsigned char*>(key.data()), key.size(),
                     reinterpret_cast<const unsigned char*>(label.data()), label.size(),
                     reinterpret_cast<const unsigned char*>(server_secret.data()),
                     std::min<std::size_t>(server_secret.size(), crypto_generichash_KEYBYTES_MAX));
  return key;
}

}  // namespace

SodiumSecretBox::SodiumSecretBox(const Keyring& keyring, std::string_view purpose) {
  const auto& keys = keyring.keys();
  for (auto it = keys.rbegin(); it != keys.rend(); ++it)
    keys_.emplace_back(it->id, DeriveBoxKey(it->secret, purpose));
}

SodiumSecretBox::SodiumSecretBox(const std::string& server_secret, std::string_view purpose)
    : SodiumSecretBox(Keyring::Single("k0", server_secret), purpose) {}

std::string SodiumSecretBox::Seal(std::string_view plaintext) const {
  // XChaCha20-Poly1305: a random 192-bit nonce per message is safe, and the tag detects edits.
  std::string box(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() +
                      crypto_aead_xchacha20poly1305_ietf_ABYTES,
                  '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), nullptr, 0,
      nullptr, nonce, reinterpret_cast<const unsigned char*>(keys_.front().second.data()));
  std::string b64(sodium_base64_encoded_len(box.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(box.data()),
                    box.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  // k0's values keep the form they had before the keyring ('$' is not a base64 character).
  if (keys_.front().first == "k0") return b64;
  return keys_.front().first + "$" + b64;
}

core::Result<std::string> SodiumSecretBox::Open(std::string_view sealed) const {
  auto bad = [] {
    return core::Fail(core::Code::kInternal, "crypto.unseal",
                      "a sealed secret could not be opened (altered, or another server secret)");
  };
  std::string_view id = "k0";  // a value without a key id is the legacy secret's
  if (auto dollar = sealed.find('$'); dollar != std::string_view::npos) {
    id = sealed.substr(0, dollar);
    sealed.remove_prefix(dollar + 1);
  }
  const std::string* key = nullptr;
  for (const auto& [kid, k] : keys_)
    if (kid == id) key = &k;
  if (!key)
    return core::Fail(core::Code::kInternal, "crypto.unseal",
                      "a sealed secret names key " + std::string(id.substr(0, 12)) +
                          ", which this node's keyring does not have");
  std::string box(sealed.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(box.data()), box.size(), sealed.data(),
                        sealed.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return bad();
  box.resize(len);
  constexpr std::size_t kOverhead =
      crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (box.size() < kOverhead) return bad();
  std::string plain(box.size() - kOverhead, '\0');
  unsigned long long plen = 0;
  const auto* nonce = reinterpret_cast<const unsigned char*>(box.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &plen, nullptr,
          nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
          box.size() - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, nullptr, 0, nonce,
          reinterpret_cast<const unsigned char*>(key->data())) != 0)
    return bad();
  plain.resize(plen);
  return plain;
}

std::string OpensslOtp::Hotp(std::string_view key, std::uint64_t counter) const {
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  // HMAC-SHA-1 is what RFC 6238 authenticator apps implement; its collision weakness does not
  // affect HMAC.
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg, sizeof msg, mac, &mac_len);
  int offset = mac[mac_len - 1] & 0x0F;
  std::uint32_t bin = ((mac[offset] & 0x7Fu) << 24) | (mac[offset + 1] << 16) |
                      (mac[offset + 2] << 8) | mac[offset + 3];
  char out[8];
  std::snprintf(out, sizeof out, "%06u", bin % 1000000u);
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_len);
  return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

}  // namespace vault::crypto

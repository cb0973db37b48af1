#include "crypto/keyring.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/encoding.hpp"

namespace vault::crypto {
namespace {

core::Error BadKeyring(const std::string& detail) {
  return core::Error{core::Code::kInvalidArgument, "config.keyring", "", detail};
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool HasSpace(std::string_view s) { return s.find_first_of(" \t") != std::string_view::npos; }

// The number of a key id "k<digits>" (at most 9 digits), or -1.
long IdNumber(std::string_view id) {
  if (id.size() < 2 || id.size() > 10 || id[0] != 'k') return -1;
  long n = 0;
  auto [p, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), n);
  if (ec != std::errc() || p != id.data() + id.size()) return -1;
  return n;
}

constexpr std::size_t kMinKeyLength = 32;  // as the legacy secret file: at least 128 bits of hex

}  // namespace

core::Result<Keyring> Keyring::Parse(std::string_view text, const std::string& source,
                                     bool semicolons) {
  struct Line {
    int number;
    std::string_view text;
  };
  std::vector<Line> lines;
  int number = 0;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find_first_of(semicolons ? "\n;" : "\n", start);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    std::string_view line = Trim(text.substr(start, end - start));
    if (!line.empty() && line.front() != '#') lines.push_back({number, line});
    start = end + 1;
  }
  Keyring ring;
  if (lines.empty()) return core::Fail(BadKeyring(source + " holds no key"));
  // The legacy file: one secret alone, used as is (HMAC key and box key derivation), as before.
  if (lines.size() == 1 && !HasSpace(lines[0].text)) {
    if (lines[0].text.size() < kMinKeyLength)
      return core::Fail(BadKeyring("the server secret in " + source + " is shorter than " +
                                   std::to_string(kMinKeyLength) + " characters"));
    ring.keys_.push_back({"k0", std::string(lines[0].text)});
    return ring;
  }
  for (const Line& l : lines) {
    const std::string where = source + " line " + std::to_string(l.number);
    auto space = l.text.find_first_of(" \t");
    std::string_view id = l.text.substr(0, space);
    std::string_view key =
        space == std::string_view::npos ? std::string_view() : Trim(l.text.substr(space));
    // Never the line itself in a message: it holds a key.
    if (IdNumber(id) < 0 || key.empty() || HasSpace(key))
      return core::Fail(BadKeyring(where + " is not \"<key id> <key>\" (key ids k0, k1, …)"));
    if (key.size() < kMinKeyLength)
      return core::Fail(BadKeyring(where + ": the key of " + std::string(id) + " is shorter than " +
                                   std::to_string(kMinKeyLength) + " characters"));
    if (ring.Find(id))
      return core::Fail(BadKeyring(where + ": key id " + std::string(id) + " appears twice"));
    ring.keys_.push_back({std::string(id), std::string(key)});
  }
  return ring;
}

Keyring Keyring::Single(std::string id, std::string secret) {
  Keyring ring;
  ring.keys_.push_back({std::move(id), std::move(secret)});
  return ring;
}

const KeyringKey* Keyring::Find(std::string_view id) const {
  for (const auto& k : keys_)
    if (k.id == id) return &k;
  return nullptr;
}

std::string Keyring::NextId() const {
  long next = 0;
  for (const auto& k : keys_) next = std::max(next, IdNumber(k.id) + 1);
  return "k" + std::to_string(next);
}

Keyring Keyring::With(std::string secret) const {
  Keyring ring = *this;
  ring.keys_.push_back({NextId(), std::move(secret)});
  return ring;
}

std::string Keyring::Text() const {
  if (keys_.size() == 1 && keys_[0].id == "k0") return keys_[0].secret + "\n";
  std::string out =
      "# Atomyx Vault keyring (ADR 0011): \"<key id> <key>\" per line; the last line is the "
      "primary.\n"
      "# Keep every line: older keys still open the sessions, keys, TOTP seeds and audit events\n"
      "# they made. Every node on one database needs this same file.\n";
  for (const auto& k : keys_) out += k.id + " " + k.secret + "\n";
  return out;
}

bool Keyring::operator==(const Keyring& other) const {
  if (keys_.size() != other.keys_.size()) return false;
  for (std::size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i].id != other.keys_[i].id ||
        !core::ConstantTimeEquals(keys_[i].secret, other.keys_[i].secret))
      return false;
  return true;
}

std::string CheckValue(const KeyringKey& key) {
  // An HMAC output reveals nothing about its key, and this purpose is used for nothing else, so
  // the value can be stored in the database without weakening the key or standing in for a hash.
  return HmacSecretHasher(key.secret).KeyedHash("keyring_check", "atomyx-vault keyring check v1");
}

std::string NewKeySecret() {
  std::string key(32, '\0');
  randombytes_buf(key.data(), key.size());  // 256 bits from the OS CSPRNG
  std::string hex = core::Hex(key);
  sodium_memzero(key.data(), key.size());
  return hex;
}

namespace {

bool Exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

core::Error FileError(const std::string& detail) {
  return core::Error{core::Code::kUnavailable, "config.secret_file", "", detail};
}

// Writes `content` to a new 0600 temporary file beside `path` and fsyncs it; returns its name.
core::Result<std::string> WriteTemp(const std::string& path, const std::string& content) {
  std::string nonce(8, '\0');
  randombytes_buf(nonce.data(), nonce.size());
  std::string tmp = path + ".tmp-" + core::Hex(nonce);
  // 0600 from creation: a chmod after open would leave a moment in which another user could
  // open the file and read the keys once written.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return core::Fail(FileError("cannot create " + tmp + ": " + std::strerror(errno)));
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    ::unlink(tmp.c_str());
    return core::Fail(FileError("cannot write " + tmp));
  }
  return tmp;
}

void SyncFolder(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);  // the rename itself is durable only once the folder is
  ::close(fd);
}

core::Result<void> CreateKeyringFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    fs::create_directories(parent, ec);
    fs::permissions(parent, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  // A new keyring is one key k0 in the legacy one-line form: versions before the keyring read it.
  VAULT_ASSIGN_OR_RETURN(auto tmp, WriteTemp(path, Keyring::Single("k0", NewKeySecret()).Text()));
  // link() publishes the complete file only if none exists: when another process starting at
  // the same moment won, both use its keyring. rename() where hard links are not supported.
  bool published = ::link(tmp.c_str(), path.c_str()) == 0 || errno == EEXIST ||
                   ::rename(tmp.c_str(), path.c_str()) == 0;
  ::unlink(tmp.c_str());
  if (!published) return core::Fail(FileError("cannot write the server secret file " + path));
  SyncFolder(path);
  return {};
}

}  // namespace

core::Result<Keyring> ReadKeyringFile(const std::string& path) {
  if (!Exists(path))
    return core::Fail(core::Code::kNotFound, "config.secret_file", "no secret file " + path);
  std::ifstream f(path, std::ios::binary);
  if (!f) return core::Fail(FileError("cannot read the server secret file " + path));
  std::string content((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto ring = Keyring::Parse(content, "VAULT_SECRET_FILE " + path);
  sodium_memzero(content.data(), content.size());
  return ring;
}

core::Result<Keyring> LoadOrCreateKeyring(const std::string& path, const std::string& env_value) {
  if (!env_value.empty()) return Keyring::Parse(env_value, "VAULT_SECRET", true);
  if (!Exists(path)) VAULT_TRY(CreateKeyringFile(path));
  return ReadKeyringFile(path);
}

core::Result<void> WriteKeyringFile(const std::string& path, const Keyring& keyring) {
  std::string text = keyring.Text();
  auto tmp = WriteTemp(path, text);
  sodium_memzero(text.data(), text.size());
  if (!tmp) return core::Fail(tmp.error());
  if (::rename(tmp->c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp->c_str());
    return core::Fail(FileError("cannot replace " + path + ": " + std::strerror(err)));
  }
  SyncFolder(path);
  return {};
}

KeyringHasher::KeyringHasher(const Keyring& keyring) {
  const auto& keys = keyring.keys();
  for (auto it = keys.rbegin(); it != keys.rend(); ++it)
    hashers_.emplace_back(it->id, std::make_unique<HmacSecretHasher>(it->secret));
}

std::string KeyringHasher::KeyedHash(std::string_view purpose, std::string_view data) const {
  return hashers_.front().second->KeyedHash(purpose, data);
}

std::vector<std::string> KeyringHasher::KeyedHashes(std::string_view purpose,
                                                    std::string_view data) const {
  std::vector<std::string> out;
  out.reserve(hashers_.size());
  for (const auto& [id, h] : hashers_) out.push_back(h->KeyedHash(purpose, data));
  return out;
}

std::optional<std::string> KeyringHasher::KeyedHashWith(std::string_view key_id,
                                                        std::string_view purpose,
                                                        std::string_view data) const {
  for (const auto& [id, h] : hashers_)
    if (id == key_id) return h->KeyedHash(purpose, data);
  return std::nullopt;
}

}  // namespace vault::crypto

// The keyring (ADR 0011): parsing the legacy and the multi-key forms, refusals that name the
// line without quoting it, hashes and sealed values across a rotation, the file round trip.
#include "crypto/keyring.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/ports.hpp"
#include "crypto/secrets.hpp"
#include "crypto/sodium.hpp"

namespace vault::crypto {
namespace {

const std::string kA(64, 'a'), kB(64, 'b'), kC(64, 'c');

Keyring Parsed(const std::string& text, bool semicolons = false) {
  auto ring = Keyring::Parse(text, "test", semicolons);
  EXPECT_TRUE(ring) << (ring ? "" : ring.error().detail);
  return ring ? *ring : Keyring::Single("none", "");
}

std::string ErrorOf(const std::string& text) {
  auto ring = Keyring::Parse(text, "VAULT_SECRET_FILE f");
  EXPECT_FALSE(ring);
  if (ring) return "";
  EXPECT_EQ(ring.error().id, "config.keyring");
  EXPECT_EQ(ring.error().detail.find(kA), std::string::npos) << "a key in a message";
  return ring.error().detail;
}

TEST(Keyring, TheLegacyOneLineSecretIsKeyK0UsedAsWritten) {
  Keyring ring = Parsed(kA + "\n");
  ASSERT_EQ(ring.keys().size(), 1u);
  EXPECT_EQ(ring.primary().id, "k0");
  EXPECT_EQ(ring.primary().secret, kA);
  // Hashes are what the single secret gave before the keyring: nothing written before changes.
  EXPECT_EQ(KeyringHasher(ring).KeyedHash("session", "t"),
            HmacSecretHasher(kA).KeyedHash("session", "t"));
  EXPECT_EQ(ring.Text(), kA + "\n");  // still the one-line form older versions read
  EXPECT_EQ(Parsed("  " + kA + " \r\n\n").primary().secret, kA);
}

TEST(Keyring, LinesAreIdAndKeyWithTheLastOneThePrimary) {
  Keyring ring = Parsed("# comment\nk0 " + kA + "\n\n  k1\t" + kB + "  \r\n# end\n");
  ASSERT_EQ(ring.keys().size(), 2u);
  EXPECT_EQ(ring.keys()[0].id, "k0");
  EXPECT_EQ(ring.keys()[0].secret, kA);
  EXPECT_EQ(ring.primary().id, "k1");
  EXPECT_EQ(ring.primary().secret, kB);
  EXPECT_EQ(ring.NextId(), "k2");
  ASSERT_NE(ring.Find("k0"), nullptr);
  EXPECT_EQ(ring.Find("k7"), nullptr);
  // VAULT_SECRET: ';' separates lines too; the file form does not split on it.
  Keyring env = Parsed("k1 " + kA + ";k2 " + kB, true);
  EXPECT_EQ(env.primary().id, "k2");
  EXPECT_FALSE(Keyring::Parse("k1 " + kA + ";k2 " + kB, "f"));
  // A single keyed line is a keyring of one key, not the legacy form.
  EXPECT_EQ(Parsed("k3 " + kC).primary().id, "k3");
}

TEST(Keyring, BadLinesAreRefusedNamingTheLineNeverQuotingIt) {
  EXPECT_NE(ErrorOf("k0 " + kA + "\nk1 " + kA + " extra\n").find("line 2"), std::string::npos);
  EXPECT_NE(ErrorOf("k0 " + kA + "\nkey1 " + kB).find("line 2 is not"), std::string::npos);
  EXPECT_NE(ErrorOf("k0 " + kA + "\nk1").find("line 2"), std::string::npos);
  EXPECT_NE(ErrorOf("k0 " + kA + "\nk-1 " + kB).find("line 2"), std::string::npos);
  EXPECT_NE(ErrorOf("# c\nk0 " + kA + "\nk1 short").find("line 3: the key of k1 is shorter"),
            std::string::npos);
  EXPECT_NE(ErrorOf("k1 " + kA + "\nk1 " + kB).find("line 2: key id k1 appears twice"),
            std::string::npos);
  EXPECT_NE(ErrorOf("# only a comment\n\n").find("holds no key"), std::string::npos);
  EXPECT_NE(ErrorOf("tooshort").find("shorter than 32"), std::string::npos);
  EXPECT_NE(ErrorOf("").find("VAULT_SECRET_FILE f"), std::string::npos);
}

TEST(Keyring, KeyedHashesArePrimaryFirstThenOlderNewestFirst) {
  Keyring ring = Parsed("k0 " + kA + "\nk1 " + kB + "\nk2 " + kC);
  KeyringHasher h(ring);
  EXPECT_EQ(h.PrimaryKeyId(), "k2");
  auto hashes = h.KeyedHashes("session", "token");
  ASSERT_EQ(hashes.size(), 3u);
  EXPECT_EQ(hashes[0], HmacSecretHasher(kC).KeyedHash("session", "token"));
  EXPECT_EQ(hashes[1], HmacSecretHasher(kB).KeyedHash("session", "token"));
  EXPECT_EQ(hashes[2], HmacSecretHasher(kA).KeyedHash("session", "token"));
  EXPECT_EQ(h.KeyedHash("session", "token"), hashes[0]);
  EXPECT_EQ(h.KeyedHashWith("k1", "session", "token"), hashes[1]);
  EXPECT_FALSE(h.KeyedHashWith("k9", "session", "token"));
}

TEST(Keyring, FindUnderAnyKeyStopsAtTheFirstHitAndTriesEveryKeyOnAMiss) {
  KeyringHasher h(Parsed("k0 " + kA + "\nk1 " + kB));
  const std::string old_hash = HmacSecretHasher(kA).KeyedHash("session", "t");
  std::vector<std::string> asked;
  auto find = [&](const std::string& hash) -> core::Result<std::optional<int>> {
    asked.push_back(hash);
    if (hash == old_hash) return std::optional<int>(7);
    return std::optional<int>();
  };
  auto found = core::FindUnderAnyKey(h, "session", "t", find);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ(**found, 7);
  EXPECT_EQ(asked.size(), 2u);  // the primary's first, then k0's
  asked.clear();
  auto missing = core::FindUnderAnyKey(h, "session", "other", find);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  EXPECT_EQ(asked.size(), 2u);
}

TEST(Keyring, SealedValuesNameTheirKeyAndOpenAfterARotation) {
  ASSERT_TRUE(InitSodium());
  Keyring before = Parsed(kA);
  SodiumSecretBox old_box(before, "totp");
  std::string legacy = old_box.Seal("seed before");
  EXPECT_EQ(legacy.find('$'), std::string::npos);  // k0: the form it had before the keyring
  EXPECT_EQ(*SodiumSecretBox(kA, "totp").Open(legacy), "seed before");

  Keyring after = before.With(kB);
  EXPECT_EQ(after.primary().id, "k1");
  SodiumSecretBox box(after, "totp");
  std::string sealed = box.Seal("seed after");
  EXPECT_EQ(sealed.rfind("k1$", 0), 0u);
  EXPECT_EQ(*box.Open(sealed), "seed after");
  EXPECT_EQ(*box.Open(legacy), "seed before");  // the older key still opens what it sealed
  // A node without k1 cannot open it and says which key it lacks.
  auto refused = old_box.Open(sealed);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().detail.find("key k1"), std::string::npos);
  // Another purpose, or an edited id, does not open it.
  EXPECT_FALSE(SodiumSecretBox(after, "signing_key").Open(sealed));
  EXPECT_FALSE(box.Open("k0$" + sealed.substr(3)));
}

TEST(Keyring, CheckValuesDifferPerKeyAndAreNotTheKeyOrAStoredHash) {
  KeyringKey a{"k1", kA}, b{"k1", kB};
  EXPECT_EQ(CheckValue(a), CheckValue(a));
  EXPECT_NE(CheckValue(a), CheckValue(b));
  EXPECT_EQ(CheckValue(a).size(), 64u);
  EXPECT_EQ(CheckValue(a).find(kA.substr(0, 8)), std::string::npos);
}

TEST(Keyring, AFileIsCreatedOnceRotatedAtomicallyAndReadBack) {
  ASSERT_TRUE(InitSodium());
  auto dir =
      std::filesystem::temp_directory_path() / ("vault-keyring-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string path = (dir / "sub" / "secret.key").string();
  auto created = LoadOrCreateKeyring(path, "");
  ASSERT_TRUE(created) << created.error().detail;
  EXPECT_EQ(created->primary().id, "k0");
  EXPECT_EQ(created->primary().secret.size(), 64u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = LoadOrCreateKeyring(path, "");
  ASSERT_TRUE(again);
  EXPECT_TRUE(*again == *created);  // not replaced

  Keyring rotated = created->With(NewKeySecret());
  ASSERT_TRUE(WriteKeyringFile(path, rotated));
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto read = ReadKeyringFile(path);
  ASSERT_TRUE(read) << read.error().detail;
  EXPECT_TRUE(*read == rotated);
  EXPECT_EQ(read->keys()[0].secret, created->primary().secret);
  EXPECT_EQ(read->primary().id, "k1");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "sub"), {}), 1);  // no tmp

  // VAULT_SECRET wins over a file, which is then neither read nor created.
  auto env = LoadOrCreateKeyring((dir / "none").string(), "k5 " + kC);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->primary().id, "k5");
  EXPECT_FALSE(std::filesystem::exists(dir / "none"));
  EXPECT_EQ(ReadKeyringFile((dir / "none").string()).error().code, core::Code::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vault::crypto

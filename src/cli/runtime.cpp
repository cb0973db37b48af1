#include "cli/runtime.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "app/keyring_check.hpp"

namespace vault::cli {

core::Timestamp SystemClock::Now() const {
  core::Timestamp now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  if (offset_file_.empty()) return now;
  std::ifstream f(offset_file_);
  long long offset = 0;
  if (f >> offset) now += offset;
  return now;
}

core::Result<std::unique_ptr<Runtime>> MakeRuntime(const config::Config& cfg, int pool_size) {
  if (!crypto::InitSodium())
    return core::Fail(core::Code::kInternal, "crypto.init", "libsodium failed to initialise");
  auto rt = std::make_unique<Runtime>();
  rt->cfg = cfg;
  rt->clock = std::make_unique<SystemClock>(cfg.clock_offset_file);
  VAULT_ASSIGN_OR_RETURN(auto keyring, crypto::LoadOrCreateKeyring(cfg.secret_file, cfg.secret));
  rt->keyring = std::move(keyring);
  rt->secrets = std::make_unique<crypto::KeyringHasher>(rt->keyring);
  rt->box = std::make_unique<crypto::SodiumSecretBox>(rt->keyring, "totp");
  // Signing keys are sealed under a key of their own (another purpose label): one key per use.
  rt->signing_box = std::make_unique<crypto::SodiumSecretBox>(rt->keyring, "signing_key");
  rt->callback_box = std::make_unique<crypto::SodiumSecretBox>(rt->keyring, "callback_signing");
  // Queued mail holds links with one-time tokens: sealed at rest under a key of its own.
  rt->mail_box = std::make_unique<crypto::SodiumSecretBox>(rt->keyring, "mail_outbox");
  rt->outbox = std::make_unique<app::MailOutbox>(*rt->mail_box, rt->random, *rt->clock);
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  auto pool = std::make_unique<crypto::PooledHasher>(
      std::make_unique<crypto::Argon2idHasher>(
          crypto::Argon2Params{cfg.argon2_memory_kib, cfg.argon2_passes}),
      cfg.hash_threads > 0 ? cfg.hash_threads : static_cast<int>(cores));
  rt->pool = pool.get();
  rt->hasher = std::make_unique<CountingHasher>(std::move(pool));
  rt->policy = std::make_unique<core::PasswordPolicy>(cfg.password_min_length);
  VAULT_ASSIGN_OR_RETURN(auto opened, storage::OpenStore(cfg.database, pool_size));
  rt->opened = std::move(opened);
  // After the migrations: a node whose keyring differs from the database's writers would reject
  // their sessions and keys and write rows they cannot read, so it does not start.
  std::vector<app::KeyringKeyCheck> checks;
  for (const auto& k : rt->keyring.keys()) checks.push_back({k.id, crypto::CheckValue(k)});
  app::AuditLog audit(*rt->secrets, rt->random, *rt->clock);
  VAULT_ASSIGN_OR_RETURN(rt->keys_registered,
                         app::CheckKeyring(*rt->opened.store, *rt->clock, audit, checks));
  return rt;
}

}  // namespace vault::cli

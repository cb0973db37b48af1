#include "app/session_cache.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace vault::app {

using core::Result;

namespace {

constexpr int kLoadPage = 5000;

// The packed form: each string as a 2-byte length and its bytes, then the times and the flags.
// No password hash: nothing on a session's path needs it (a re-check reads storage), and a
// process dump should not hand out hashes to crack.
void PutString(std::string& out, const std::string& s) {
  std::uint16_t n = static_cast<std::uint16_t>(std::min<std::size_t>(s.size(), 0xffff));
  out.append(reinterpret_cast<const char*>(&n), sizeof n).append(s, 0, n);
}
void PutInt(std::string& out, std::int64_t v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

std::string Pack(const core::Account& a) {
  std::string out;
  out.reserve(a.id.size() + a.email.size() + a.email_norm.size() + a.name.size() + a.locale.size() +
              a.time_zone.size() + a.last_workspace_id.size() + 7 * 2 + 3 * 8 + 1);
  for (const auto* s :
       {&a.id, &a.email, &a.email_norm, &a.name, &a.locale, &a.time_zone, &a.last_workspace_id})
    PutString(out, *s);
  PutInt(out, a.created_at);
  PutInt(out, a.updated_at);
  PutInt(out, a.last_sign_in_at);
  out.push_back(static_cast<char>((a.email_verified ? 1 : 0) | (a.disabled ? 2 : 0) |
                                  (a.super_admin ? 4 : 0)));
  return out;
}

core::Account Unpack(std::string_view in) {
  core::Account a;
  auto take = [&in](void* to, std::size_t n) {
    std::memcpy(to, in.data(), n);
    in.remove_prefix(n);
  };
  for (auto* s :
       {&a.id, &a.email, &a.email_norm, &a.name, &a.locale, &a.time_zone, &a.last_workspace_id}) {
    std::uint16_t n;
    take(&n, sizeof n);
    s->assign(in.substr(0, n));
    in.remove_prefix(n);
  }
  take(&a.created_at, sizeof a.created_at);
  take(&a.updated_at, sizeof a.updated_at);
  take(&a.last_sign_in_at, sizeof a.last_sign_in_at);
  a.email_verified = in[0] & 1;
  a.disabled = in[0] & 2;
  a.super_admin = in[0] & 4;
  return a;
}

}  // namespace

SessionCache::SessionCache(core::Store& store, core::Clock& clock,
                           const core::SecretHasher& secrets, const AccountSettings& settings,
                           std::size_t profile_bytes)
    : store_(store),
      clock_(clock),
      secrets_(secrets),
      settings_(settings),
      profiles_(profile_bytes) {}

Result<std::size_t> SessionCache::Load() {
  const core::Timestamp now = clock_.Now();
  std::size_t cached = 0;
  std::string after;
  while (true) {
    std::vector<core::Session> page;
    // Per page: a change during the page's read makes only its rows stale, not the rest.
    const std::uint32_t epoch = index_.Epoch();
    VAULT_TRY(store_.Read([&](core::Tx& tx) -> Result<void> {
      VAULT_ASSIGN_OR_RETURN(auto rows, tx.ListLiveSessions(now, after, kLoadPage));
      page = std::move(rows);
      return {};
    }));
    for (const auto& s : page)
      if (s.last_seen_at + settings_.session_idle_seconds > now && index_.Put(s, epoch)) ++cached;
    if (page.size() < static_cast<std::size_t>(kLoadPage)) break;
    after = page.back().id;
  }
  return cached;
}

Result<std::optional<AuthContext>> SessionCache::Authenticate(const std::string& token,
                                                              const ClientInfo& client) {
  const core::Timestamp now = clock_.Now();
  const std::uint32_t ip_hash = SessionIndex::IpHash(client.ip);
  // Under every keyring key, primary first: sessions opened before a rotation stay signed in.
  for (std::size_t i = 0; i < secrets_.KeyCount(); ++i) {
    const SessionIndex::Key key = secrets_.KeyedDigest(i, "session", token);
    auto hit = index_.Use(key, now, settings_.session_idle_seconds,
                          settings_.touch_interval_seconds, ip_hash);
    if (hit.state == SessionIndex::State::kMiss) continue;
    // The absolute end is fixed at sign-in: no node can have moved it.
    if (hit.state == SessionIndex::State::kExpired) return std::optional<AuthContext>{};
    // Idle here, but another node may have served it since: its last-seen is in storage.
    if (hit.state == SessionIndex::State::kIdle) break;
    if (hit.touch_due) QueueTouch(hit.session_id, now, client.ip);
    std::optional<Profile> profile;
    {
      std::shared_lock lock(profiles_mu_);
      const PackedProfile* p = profiles_.Find(hit.account_id);
      // Older than the account's last change: stale, read again.
      if (p && p->epoch >= hit.account_changed)
        profile = Profile{Unpack(p->fields), p->mfa_enabled, p->epoch};
    }
    if (!profile) {
      VAULT_ASSIGN_OR_RETURN(auto loaded, LoadProfile(hit.account_id));
      profile = std::move(loaded);
    }
    if (!profile || profile->account.disabled) return std::optional<AuthContext>{};
    AuthContext ctx;
    ctx.client = client;
    ctx.session.id = std::move(hit.session_id);
    ctx.session.account_id = std::move(hit.account_id);
    ctx.session.created_at = hit.created_at;
    ctx.session.expires_at = hit.expires_at;
    ctx.session.last_seen_at = now;
    ctx.session.ip = client.ip;  // a changed IP is being written (touch_due)
    // Not kept in memory: the sign-in's agent, which the same client sends again (as OpenSession
    // stores it, cut to 512 bytes); GET /api/v1/me/sessions lists the stored one.
    ctx.session.user_agent = client.user_agent.substr(0, 512);
    ctx.account = std::move(profile->account);
    ctx.mfa_enabled = profile->mfa_enabled;
    return std::optional<AuthContext>{std::move(ctx)};
  }
  return FromStore(token, client, now);
}

Result<std::optional<AuthContext>> SessionCache::FromStore(const std::string& token,
                                                           const ClientInfo& client,
                                                           core::Timestamp now) {
  const std::uint32_t epoch = index_.Epoch();  // before the read: a change meanwhile wins
  std::optional<core::Session> session;
  std::optional<Profile> profile;
  VAULT_TRY(store_.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(
        auto s, core::FindUnderAnyKey(secrets_, "session", token, [&](const std::string& hash) {
          return tx.FindSessionByTokenHash(hash);
        }));
    if (!s) return {};
    session = std::move(s);
    VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById(session->account_id));
    if (!a) return {};
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(a->id));
    profile = Profile{std::move(*a), totp && totp->confirmed, epoch};
    return {};
  }));
  // Counted once done: a network thread's attempt that must move to the pool is not a read.
  db_reads_++;
  if (!session) return std::optional<AuthContext>{};  // unknown tokens are not cached
  core::Session& s = *session;
  {
    // A last-seen this node buffered is newer than the stored one (the store lags a flush).
    std::lock_guard lock(touch_mu_);
    if (auto it = touches_.find(s.id); it != touches_.end() && it->second.at > s.last_seen_at) {
      s.last_seen_at = it->second.at;
      s.ip = it->second.ip;
    }
  }
  if (s.expires_at <= now || s.last_seen_at + settings_.session_idle_seconds <= now || !profile ||
      profile->account.disabled) {
    if (auto key = SessionIndex::KeyOf(s.token_hash)) index_.Erase(*key);
    return std::optional<AuthContext>{};
  }
  if (s.last_seen_at + settings_.touch_interval_seconds <= now || s.ip != client.ip) {
    QueueTouch(s.id, now, client.ip);
    s.last_seen_at = now;
    s.ip = client.ip;
  }
  index_.Put(s, epoch);
  PutProfile(*profile);
  AuthContext ctx;
  ctx.client = client;
  ctx.session = std::move(s);
  ctx.account = std::move(profile->account);
  ctx.mfa_enabled = profile->mfa_enabled;
  return std::optional<AuthContext>{std::move(ctx)};
}

Result<std::optional<SessionCache::Profile>> SessionCache::LoadProfile(
    const std::string& account_id) {
  const std::uint32_t epoch = index_.Epoch();
  std::optional<Profile> out;
  VAULT_TRY(store_.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById(account_id));
    if (!a) return {};
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(a->id));
    out = Profile{std::move(*a), totp && totp->confirmed, epoch};
    return {};
  }));
  db_reads_++;
  if (out) PutProfile(*out);
  return out;
}

void SessionCache::PutProfile(const Profile& profile) {
  PackedProfile p{Pack(profile.account), profile.mfa_enabled, profile.epoch};
  // The key, the packed fields, and the map's and the clock ring's nodes around them.
  std::size_t bytes =
      sizeof(PackedProfile) + p.fields.capacity() + 2 * profile.account.id.size() + 128;
  std::unique_lock lock(profiles_mu_);
  profiles_.Put(profile.account.id, std::move(p), bytes);
}

void SessionCache::Invalidate(const std::string& account_id) {
  index_.InvalidateAccount(account_id);
  std::unique_lock lock(profiles_mu_);
  profiles_.Erase(account_id);
}

void SessionCache::QueueTouch(const std::string& session_id, core::Timestamp at,
                              const std::string& ip) {
  std::lock_guard lock(touch_mu_);
  Touch& t = touches_[session_id];
  if (at >= t.at) t = Touch{at, ip};
}

Result<int> SessionCache::FlushTouches() {
  // Copied, not taken: until the write commits, a storage read of these sessions (a miss) must
  // still find their newer last-seen here (FromStore).
  std::vector<core::SessionTouch> batch;
  {
    std::lock_guard lock(touch_mu_);
    batch.reserve(touches_.size());
    for (const auto& [id, t] : touches_) batch.push_back({id, t.at, t.ip});
  }
  if (batch.empty()) return 0;
  VAULT_TRY(store_.Write([&](core::Tx& tx) { return tx.TouchSessions(batch); }));
  {
    std::lock_guard lock(touch_mu_);
    for (const auto& t : batch) {  // written: gone, unless a newer one came meanwhile
      auto it = touches_.find(t.id);
      if (it != touches_.end() && it->second.at <= t.last_seen_at) touches_.erase(it);
    }
  }
  flushes_++;
  return static_cast<int>(batch.size());
}

std::size_t SessionCache::Sweep() {
  return index_.Sweep(clock_.Now(), settings_.session_idle_seconds);
}

std::size_t SessionCache::bytes() const {
  std::shared_lock lock(profiles_mu_);
  return index_.bytes() + profiles_.bytes();
}

}  // namespace vault::app

#include "app/tokens.hpp"

#include "core/encoding.hpp"

namespace vault::app {

std::string TokenHashPurpose(core::TokenPurpose p) {
  return "ott:" + std::string(core::TokenPurposeName(p));
}

core::Result<std::string> IssueOneTimeToken(core::Tx& tx, core::Random& random,
                                            const core::SecretHasher& secrets,
                                            const core::Clock& clock, core::OneTimeToken token,
                                            core::Timestamp lifetime) {
  std::string secret = core::NewToken(random);
  token.token_hash = secrets.KeyedHash(TokenHashPurpose(token.purpose), secret);
  token.created_at = clock.Now();
  token.expires_at = token.created_at + lifetime;
  VAULT_TRY(tx.InsertToken(token));
  return secret;
}

}  // namespace vault::app

#include "support/fixtures.hpp"

#include <random>

#include "storage/postgres/pg_conn.hpp"

namespace vault::testing {
namespace {

std::string RandomSuffix() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 12; ++i) s += kHex[rd() % 16];
  return s;
}

}  // namespace

std::vector<std::string> Backends() { return {"sqlite", "postgres"}; }

TempDatabase::TempDatabase(const std::string& backend) : backend_(backend) {
  if (backend == "sqlite") {
    dir_ = std::filesystem::temp_directory_path() / ("vault-ut-" + RandomSuffix());
    std::filesystem::create_directories(dir_);
    url_ = "sqlite:" + (dir_ / "vault.db").string();
    return;
  }
  const char* admin = std::getenv("VAULT_TEST_PG_URL");
  if (!admin) return;
  admin_url_ = admin;
  db_name_ = "vault_ut_" + RandomSuffix();
  auto conn = storage::PgConn::Open(admin_url_);
  if (!conn) throw std::runtime_error("cannot reach PostgreSQL: " + conn.error().detail);
  auto r = (*conn)->Exec("CREATE DATABASE " + db_name_);
  if (!r) throw std::runtime_error("cannot create database: " + r.error().detail);
  auto slash = admin_url_.rfind('/');
  auto query = admin_url_.find('?', slash);
  url_ = admin_url_.substr(0, slash + 1) + db_name_ +
         (query == std::string::npos ? "" : admin_url_.substr(query));
}

TempDatabase::~TempDatabase() {
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  if (!db_name_.empty()) {
    if (auto conn = storage::PgConn::Open(admin_url_))
      (void)(*conn)->Exec("DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)");
  }
}

storage::OpenedStore TempDatabase::Open(int pool_size) const {
  auto opened = storage::OpenStore(url_, pool_size);
  if (!opened) throw std::runtime_error("cannot open store: " + opened.error().detail);
  return std::move(*opened);
}

}  // namespace vault::testing

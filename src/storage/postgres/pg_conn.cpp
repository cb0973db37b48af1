#include "storage/postgres/pg_conn.hpp"

#include <libpq-fe.h>

#include <cstring>

namespace vault::storage {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

core::Error ErrorOf(PGconn* conn, const PGresult* res) {
  std::string msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  if (state && std::strcmp(state, "23505") == 0)
    return core::Error{core::Code::kAlreadyExists, "storage.unique_violation", "", msg};
  if (PQstatus(conn) != CONNECTION_OK || (state && std::strncmp(state, "08", 2) == 0))
    return core::Error{core::Code::kUnavailable, "storage.unavailable", "", msg};
  if (state && (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0))
    return core::Error{core::Code::kUnavailable, "storage.conflict", "", msg};
  return core::Error{core::Code::kInternal, "storage.error", "", msg};
}

}  // namespace

core::Result<std::unique_ptr<PgConn>> PgConn::Open(const std::string& url) {
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    // The URL may hold a password: report the server's message only.
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    return core::Fail(core::Code::kUnavailable, "storage.unavailable",
                      "cannot connect to PostgreSQL: " + msg);
  }
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgConn>(new PgConn(c));
}

PgConn::~PgConn() { PQfinish(conn_); }

core::Result<std::vector<SqlRow>> PgConn::Query(std::string_view sql,
                                                const std::vector<SqlValue>& params) {
  if (PQstatus(conn_) != CONNECTION_OK) PQreset(conn_);
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (auto* n = std::get_if<std::int64_t>(&params[i])) {
      texts[i] = std::to_string(*n);
      values[i] = texts[i].c_str();
    } else if (auto* s = std::get_if<std::string>(&params[i])) {
      // Text parameters are C strings: an embedded NUL would silently cut the value.
      if (s->find('\0') != std::string::npos)
        return core::Fail(core::Code::kInvalidArgument, "validation.invalid_characters",
                          "text must not contain NUL characters");
      values[i] = s->c_str();
    }
  }
  std::string q(sql);
  PgResult res(PQexecParams(conn_, q.c_str(), static_cast<int>(params.size()), nullptr,
                            values.data(), nullptr, nullptr, 0));
  ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return core::Fail(ErrorOf(conn_, res.get()));
  std::vector<SqlRow> rows;
  int n = PQntuples(res.get()), m = PQnfields(res.get());
  rows.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    SqlRow row;
    row.cols.reserve(static_cast<std::size_t>(m));
    for (int j = 0; j < m; ++j) {
      if (PQgetisnull(res.get(), i, j))
        row.cols.emplace_back(std::nullopt);
      else
        row.cols.emplace_back(std::string(PQgetvalue(res.get(), i, j),
                                          static_cast<std::size_t>(PQgetlength(res.get(), i, j))));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

core::Result<void> PgConn::SignalChange() {
  auto r = Query("SELECT pg_notify($1, '')", {std::string(kChangeChannel)});
  if (!r) return core::Fail(r.error());
  return {};
}

core::Result<void> PgConn::Exec(std::string_view sql) {
  if (PQstatus(conn_) != CONNECTION_OK) PQreset(conn_);
  std::string q(sql);
  PgResult res(PQexec(conn_, q.c_str()));
  ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return core::Fail(ErrorOf(conn_, res.get()));
  return {};
}

}  // namespace vault::storage

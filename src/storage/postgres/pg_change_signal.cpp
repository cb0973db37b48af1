#include "storage/postgres/pg_change_signal.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include "storage/postgres/pg_conn.hpp"

namespace vault::storage {

PgChangeSignal::PgChangeSignal(std::string url) : url_(std::move(url)) {
  if (::pipe(wake_) == 0) {
    for (int fd : wake_) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  } else {
    wake_[0] = wake_[1] = -1;
  }
}

PgChangeSignal::~PgChangeSignal() {
  Disconnect();
  for (int fd : wake_)
    if (fd >= 0) ::close(fd);
}

void PgChangeSignal::Interrupt() {
  if (wake_[1] < 0) return;
  char b = 1;
  (void)!::write(wake_[1], &b, 1);  // a full pipe already holds a wake-up
}

bool PgChangeSignal::Connect() {
  conn_ = PQconnectdb(url_.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    Disconnect();
    return false;
  }
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  const std::string listen = std::string("LISTEN ") + kChangeChannel;
  PGresult* res = PQexec(conn_, listen.c_str());
  const bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
  PQclear(res);
  if (!ok) Disconnect();
  return ok;
}

void PgChangeSignal::Disconnect() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

bool PgChangeSignal::Sleep(std::chrono::milliseconds timeout) {
  pollfd p{wake_[0], POLLIN, 0};
  if (::poll(&p, wake_[0] >= 0 ? 1 : 0, static_cast<int>(timeout.count())) > 0) {
    char buf[64];
    while (::read(wake_[0], buf, sizeof buf) > 0) {
    }
  }
  return false;
}

bool PgChangeSignal::Wait(std::chrono::milliseconds timeout) {
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    Disconnect();
    const auto now = std::chrono::steady_clock::now();
    if (now < next_connect_) return Sleep(timeout);
    next_connect_ = now + std::chrono::seconds(1);  // a database that is down is not hammered
    // Listening again: whatever was signalled while no connection listened is lost, so the
    // caller polls the feed at once (true).
    if (Connect()) return true;
    return Sleep(timeout);
  }
  // A signal that arrived with an earlier read is already buffered.
  if (PGnotify* n = PQnotifies(conn_)) {
    PQfreemem(n);
    while ((n = PQnotifies(conn_))) PQfreemem(n);
    return true;
  }
  pollfd fds[2] = {{PQsocket(conn_), POLLIN, 0}, {wake_[0], POLLIN, 0}};
  int ready = ::poll(fds, wake_[0] >= 0 ? 2 : 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return false;
  if (wake_[0] >= 0 && (fds[1].revents & POLLIN)) {
    char buf[64];
    while (::read(wake_[0], buf, sizeof buf) > 0) {
    }
    return false;
  }
  if (PQconsumeInput(conn_) == 0) {  // the connection is gone: reconnect on the next Wait
    Disconnect();
    next_connect_ = {};
    return true;
  }
  bool got = false;
  while (PGnotify* n = PQnotifies(conn_)) {
    got = true;
    PQfreemem(n);
  }
  return got;
}

}  // namespace vault::storage

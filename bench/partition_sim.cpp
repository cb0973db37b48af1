// Partitioning simulation for ADR 0015 (docs/adr/0015-partitioning-past-one-machine.md):
// a synthetic data set (accounts, workspaces, one product per workspace, a grant per member),
// a compact per-workspace model like app::AccessModel's (ids interned to 32-bit indexes, sorted
// vectors), partitioned by workspace over N simulated nodes with rendezvous hashing (R copies).
// Prints, per N: model bytes per node and max/mean balance, the rate of a routed access check
// (product → workspace → hash → node → lookup) beside the unpartitioned model in the same run,
// the share of workspaces that move when a node joins or leaves (ideal 1/(N+1) and 1/N), and how
// many account-wide reads ("my workspaces") need a fan-out. Single process, single thread: the
// "nodes" are separate maps in one address space, so the rate ratio shows the routing cost
// only (no network hop, no smaller per-node working set). Never fails on figures.
//
//   g++ -O2 -std=c++20 -o partition_sim bench/partition_sim.cpp   (bench/partition_sim.sh does it)
//   ./partition_sim [--accounts 1000000] [--workspaces 100000] [--members 50] [--nodes 4,8,16]
//                   [--replicas 2] [--partitions 4096] [--queries 2000000] [--skew] [--seed
//                   20261130]
// --partitions P: workspaces hash to P fixed virtual partitions, partitions go to nodes by
// rendezvous hashing and the router keeps the partition → node table (O(1) per route; the unit
// that moves and loads); 0 = rendezvous per workspace (O(N) per route).
// --skew draws workspace sizes from a Pareto distribution (alpha 1.5, same mean, capped at 20,000)
// instead of exactly --members each: a few very large workspaces, as in real tenancies.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

std::uint64_t Mix(std::uint64_t x) {  // splitmix64 finaliser: a good 64-bit hash of an integer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Rng {  // splitmix64 stream: seeded, identical on every platform
  std::uint64_t s;
  std::uint64_t Next() { return Mix(s++); }
  std::uint32_t Below(std::uint32_t n) { return static_cast<std::uint32_t>(Next() % n); }
  double Unit() { return static_cast<double>(Next() >> 11) / 9007199254740992.0; }
};

// The model, as the lead's app::AccessModel holds it: 32-bit interned indexes, sorted vectors.
struct Member {
  std::uint32_t account;
  std::uint32_t role;
};  // role 0 owner .. 3 member
struct Grant {
  std::uint32_t principal;
  std::uint32_t role;
};  // role index in the type
struct Product {
  std::uint32_t id;
  std::uint32_t flags;
  std::vector<Grant> grants;
};
struct Snapshot {
  std::vector<Member> members;
  std::vector<Product> products;
};

struct Node {
  std::unordered_map<std::uint32_t, std::uint32_t> index;  // workspace index → slot in snaps
  std::vector<Snapshot> snaps;
  std::size_t Bytes() const {
    std::size_t b = snaps.capacity() * sizeof(Snapshot) + index.bucket_count() * sizeof(void*) +
                    index.size() * 32;  // a hash node: key, value, next pointer, malloc header
    for (const auto& s : snaps) {
      b += s.members.capacity() * sizeof(Member) + s.products.capacity() * sizeof(Product);
      for (const auto& p : s.products) b += p.grants.capacity() * sizeof(Grant);
    }
    return b;
  }
};

struct Data {
  std::uint32_t accounts = 0;
  std::vector<Snapshot> ws;                 // the whole data set, one snapshot per workspace
  std::vector<std::uint32_t> product_ws;    // product index → workspace index (1 per workspace)
  std::vector<std::uint8_t> account_flags;  // bit 0 disabled, bit 1 2FA: replicated everywhere
  std::vector<std::uint32_t> acc_off, acc_ws;  // account → its workspaces (CSR)
};

Data Generate(std::uint32_t accounts, std::uint32_t workspaces, std::uint32_t members, bool skew,
              Rng& rng) {
  Data d;
  d.accounts = accounts;
  d.ws.resize(workspaces);
  d.product_ws.resize(workspaces);
  d.account_flags.resize(accounts);
  for (auto& f : d.account_flags) f = (rng.Below(100) == 0 ? 1 : 0) | (rng.Below(4) == 0 ? 2 : 0);
  std::vector<std::uint32_t> count(accounts + 1, 0);
  for (std::uint32_t w = 0; w < workspaces; ++w) {
    std::uint32_t n = members;
    if (skew) {  // Pareto(alpha 1.5, xm = mean/3): mean = members before the cap
      double x = (members / 3.0) / std::pow(1.0 - rng.Unit(), 1.0 / 1.5);
      n = static_cast<std::uint32_t>(std::clamp(x, 1.0, std::min(20000.0, double(accounts))));
    }
    std::vector<Member> ms;
    ms.reserve(n);
    while (ms.size() < n) {
      for (std::size_t i = ms.size(); i < n; ++i) ms.push_back({rng.Below(accounts), 3});
      std::sort(ms.begin(), ms.end(), [](auto& a, auto& b) { return a.account < b.account; });
      ms.erase(std::unique(ms.begin(), ms.end(),
                           [](auto& a, auto& b) { return a.account == b.account; }),
               ms.end());
    }
    ms[rng.Below(n)].role = 0;  // one owner
    Product p{w, 1, {}};
    p.grants.reserve(n);
    for (const auto& m : ms) p.grants.push_back({m.account, 1 + (m.account % 3)});
    for (const auto& m : ms) ++count[m.account + 1];
    d.ws[w].members = std::move(ms);
    d.ws[w].products.push_back(std::move(p));
    d.product_ws[w] = w;
  }
  for (std::uint32_t a = 0; a < accounts; ++a) count[a + 1] += count[a];
  d.acc_off = count;
  d.acc_ws.resize(count[accounts]);
  for (std::uint32_t w = 0; w < workspaces; ++w)
    for (const auto& m : d.ws[w].members) d.acc_ws[count[m.account]++] = w;
  return d;
}

// Rendezvous (highest random weight) hashing: each (workspace, node id) pair gets a score; the
// R highest scores own the workspace. Node ids are stable names, so a node leaving moves only
// its own workspaces and a node joining takes ~1/(N+1) from everyone. A node list holds each
// node's hashed id (its seed), so a route costs one hash of the workspace and one Mix per node.
using NodeList = std::vector<std::uint64_t>;
NodeList Nodes(std::uint32_t n, std::uint32_t skip = ~0u) {  // ids 0..n-1 except skip
  NodeList v;
  for (std::uint32_t id = 0; id < n; ++id)
    if (id != skip) v.push_back(Mix(id + 0x5eedULL));
  return v;
}
void Owners(std::uint32_t ws, const NodeList& nodes, std::uint32_t r,
            std::uint32_t* out) {  // out[0..r): positions in nodes, best first
  std::vector<std::pair<std::uint64_t, std::uint32_t>> s;
  const std::uint64_t h = Mix(ws);
  for (std::uint32_t i = 0; i < nodes.size(); ++i) s.push_back({Mix(h ^ nodes[i]), i});
  std::partial_sort(s.begin(), s.begin() + r, s.end(), std::greater<>());
  for (std::uint32_t k = 0; k < r; ++k) out[k] = s[k].second;
}
std::uint32_t Primary(std::uint32_t ws, const NodeList& nodes) {
  std::uint32_t best = 0;
  std::uint64_t top = 0, h = Mix(ws);
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    std::uint64_t s = Mix(h ^ nodes[i]);
    if (s > top) top = s, best = i;
  }
  return best;
}

// Jump consistent hash (Lamping & Veach 2014), for comparison: O(log N), no table, but buckets
// are numbered 0..N-1, so only the last one can leave without a remapping layer.
std::uint32_t Jump(std::uint64_t key, std::uint32_t buckets) {
  std::int64_t b = -1, j = 0;
  while (j < static_cast<std::int64_t>(buckets)) {
    b = j;
    key = key * 2862933555777941757ULL + 1;
    j = static_cast<std::int64_t>((b + 1) * (double(1LL << 31) / double((key >> 33) + 1)));
  }
  return static_cast<std::uint32_t>(b);
}

struct Query {
  std::uint32_t account, product;
};

// The check, as the model answers it: account facts (replicated), membership, grant.
inline int Check(const Node& n, const std::vector<std::uint8_t>& flags, std::uint32_t ws,
                 const Query& q) {
  if (flags[q.account] & 1) return 1;  // account_disabled
  auto it = n.index.find(ws);
  if (it == n.index.end()) return 2;  // not here (a routing error)
  const Snapshot& s = n.snaps[it->second];
  auto m = std::lower_bound(s.members.begin(), s.members.end(), q.account,
                            [](const Member& x, std::uint32_t a) { return x.account < a; });
  if (m == s.members.end() || m->account != q.account) return 3;  // not_member
  for (const auto& p : s.products) {
    if (p.id != q.product) continue;
    auto g = std::lower_bound(p.grants.begin(), p.grants.end(), q.account,
                              [](const Grant& x, std::uint32_t a) { return x.principal < a; });
    return g != p.grants.end() && g->principal == q.account ? 0 : 4;  // allowed / no_grant
  }
  return 5;  // product_not_found
}

template <class F>
double Rate(const std::vector<Query>& qs, F&& f, long* sink) {
  // CPU time of this thread, not wall time: other processes (compilers on a shared machine)
  // take the core away without changing what a check costs.
  auto cpu = [] {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
  };
  double t0 = cpu();
  long acc = 0;
  for (const auto& q : qs) acc += f(q);
  double s = cpu() - t0;
  *sink += acc;
  return qs.size() / s;
}

void Add(Node& n, std::uint32_t w, const Snapshot& s) {
  n.index.emplace(w, static_cast<std::uint32_t>(n.snaps.size()));
  n.snaps.push_back(s);
}

double Mib(double b) { return b / 1048576.0; }

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t o_accounts = 1000000, o_workspaces = 100000, o_members = 50, o_replicas = 2,
                o_parts = 4096, queries = 2000000, seed = 20261130;
  bool skew = false;
  std::string node_list = "4,8,16";
  const std::map<std::string, std::uint64_t*> opts = {{"--accounts", &o_accounts},
                                                      {"--workspaces", &o_workspaces},
                                                      {"--members", &o_members},
                                                      {"--replicas", &o_replicas},
                                                      {"--partitions", &o_parts},
                                                      {"--queries", &queries},
                                                      {"--seed", &seed}};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--skew") {
      skew = true;
    } else if (i + 1 < argc && (opts.count(a) || a == "--nodes")) {
      if (a == "--nodes")
        node_list = argv[++i];
      else
        *opts.at(a) = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "bad option %s (see the header of partition_sim.cpp)\n", argv[i]);
      return 2;
    }
  }
  if (o_accounts == 0 || o_workspaces == 0 || o_members == 0 || o_members > o_accounts ||
      o_replicas == 0 || o_replicas > 8 || o_accounts >= (1ULL << 32) ||
      o_workspaces >= (1ULL << 32) || o_parts >= (1ULL << 32)) {
    std::fprintf(
        stderr,
        "need accounts, workspaces, members > 0, members <= accounts, 1 <= replicas <= 8\n");
    return 2;
  }
  const auto accounts = static_cast<std::uint32_t>(o_accounts);
  const auto workspaces = static_cast<std::uint32_t>(o_workspaces);
  const auto members = static_cast<std::uint32_t>(o_members);
  const auto replicas = static_cast<std::uint32_t>(o_replicas);
  const auto parts = static_cast<std::uint32_t>(o_parts);
  std::vector<std::uint32_t> ns;
  for (const char* p = node_list.c_str(); *p;) {
    char* end;
    unsigned long v = std::strtoul(p, &end, 10);
    if (end == p) break;
    if (v >= 2 && v <= 1024) ns.push_back(static_cast<std::uint32_t>(v));
    p = *end ? end + 1 : end;
  }

  Rng rng{seed};
  auto t0 = std::chrono::steady_clock::now();
  Data d = Generate(accounts, workspaces, members, skew, rng);
  std::size_t memberships = 0;
  for (const auto& s : d.ws) memberships += s.members.size();
  std::printf(
      "data set: %u accounts, %u workspaces, %zu memberships, %zu grants%s (seed %llu, %.1f s)\n",
      accounts, workspaces, memberships, memberships, skew ? ", Pareto sizes" : "",
      static_cast<unsigned long long>(seed),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

  // Queries: 90% a member of the product's workspace (allowed), 10% a random account (mostly
  // not_member); same set for every configuration.
  std::vector<Query> qs(queries);
  for (auto& q : qs) {
    std::uint32_t w = rng.Below(workspaces);
    const auto& ms = d.ws[w].members;
    q = {rng.Below(10) ? ms[rng.Below(static_cast<std::uint32_t>(ms.size()))].account
                       : rng.Below(accounts),
         w};
  }

  Node whole;
  whole.snaps.reserve(workspaces);
  for (std::uint32_t w = 0; w < workspaces; ++w) Add(whole, w, d.ws[w]);
  const double whole_bytes = whole.Bytes();
  long sink = 0;
  auto unpartitioned = [&](const Query& q) {
    return Check(whole, d.account_flags, d.product_ws[q.product], q);
  };
  const double base_rate = Rate(qs, unpartitioned, &sink);
  std::printf(
      "unpartitioned model: %.1f MiB (%.1f B per membership incl. its grant), %.0f checks/s\n",
      Mib(whole_bytes), whole_bytes / memberships, base_rate);

  std::printf(
      "\n| nodes | copies | MiB/node mean | max/mean | member accounts/node | routed checks/s | "
      "÷ unpartitioned | route only ns | node-local checks/s | moved on join (ideal) | moved on "
      "leave (ideal) | jump: moved on join | \"my workspaces\" fan-out | nodes per such read |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  // The rendezvous key of a workspace: its virtual partition, or itself.
  auto key = [&](std::uint32_t w) {
    return parts ? static_cast<std::uint32_t>(Mix(w ^ 0x9a27ULL) % parts) : w;
  };
  for (std::uint32_t n : ns) {
    const std::uint32_t r = std::min(replicas, n);
    auto ids = Nodes(n);
    std::vector<Node> nodes(n);
    std::vector<std::uint32_t> primary(workspaces);
    std::vector<std::uint32_t> table(parts);  // partition → primary node, as the router holds it
    std::uint32_t own[8];
    for (std::uint32_t p = 0; p < parts; ++p) table[p] = Primary(p, ids);
    std::vector<std::uint32_t> present(n <= 32 ? accounts : 0);  // bit k: a member on node k
    for (std::uint32_t w = 0; w < workspaces; ++w) {
      Owners(key(w), ids, r, own);
      primary[w] = own[0];
      for (std::uint32_t k = 0; k < r; ++k) {
        Add(nodes[own[k]], w, d.ws[w]);
        if (!present.empty())
          for (const auto& m : d.ws[w].members) present[m.account] |= 1u << own[k];
      }
    }
    double member_accounts = 0;  // mean accounts a node interns fully: members of its workspaces
    for (auto bits : present) member_accounts += __builtin_popcount(bits);
    member_accounts /= n;
    double sum = 0, mx = 0;
    for (const auto& nd : nodes) {
      double b = nd.Bytes();
      sum += b;
      mx = std::max(mx, b);
    }
    const double mean = sum / n;
    // The unpartitioned model again, just before: the machine's load drifts between rows.
    const double base = Rate(qs, unpartitioned, &sink);
    // Routed check: product → workspace (the id maps to it) → rendezvous → node → lookup. Reads
    // go to the primary; a replica answers when it is down (not simulated).
    auto route = [&](std::uint32_t w) { return parts ? table[key(w)] : Primary(w, ids); };
    auto routed = [&](const Query& q) {
      std::uint32_t w = d.product_ws[q.product];
      return Check(nodes[route(w)], d.account_flags, w, q);
    };
    const double rate = Rate(qs, routed, &sink);
    auto route_only = [&](const Query& q) { return int(route(d.product_ws[q.product])); };
    const double route_ns = 1e9 / Rate(qs, route_only, &sink);
    // One node answering only the checks routed to it, with no routing: its working set is
    // about R/N of the model, which is where a partitioned node gains back the hop's cost.
    std::vector<Query> mine;
    for (const auto& q : qs)
      if (primary[d.product_ws[q.product]] == 0) mine.push_back(q);
    auto on_node0 = [&](const Query& q) {
      return Check(nodes[0], d.account_flags, d.product_ws[q.product], q);
    };
    const double local = mine.empty() ? 0.0 : Rate(mine, on_node0, &sink);
    nodes.clear();
    // A node joins (id n) / node n/2 leaves: share of workspaces whose primary changes.
    auto joined = Nodes(n + 1), left = Nodes(n, n / 2);
    std::size_t moved_join = 0, moved_leave = 0, jump_moved = 0;
    for (std::uint32_t w = 0; w < workspaces; ++w) {
      moved_join += Primary(key(w), joined) != primary[w];  // positions 0..n-1 keep their ids
      std::uint32_t l = Primary(key(w), left);  // a position: ids above n/2 shift down by one
      moved_leave += l + (l >= n / 2) != primary[w];
      std::uint64_t key = Mix(w);
      jump_moved += Jump(key, n) != Jump(key, n + 1);
    }
    // Account-wide reads: an account's workspaces live on the nodes that own them; a read such
    // as "my workspaces" needs every one of those nodes unless an account-partitioned index
    // answers it (ADR 0015).
    std::size_t with_ws = 0, fanout = 0, touched = 0;
    std::vector<std::uint8_t> seen(n);
    for (std::uint32_t a = 0; a < accounts; ++a) {
      std::uint32_t b = d.acc_off[a], e = d.acc_off[a + 1];
      if (b == e) continue;
      std::fill(seen.begin(), seen.end(), 0);
      std::size_t k = 0;
      for (std::uint32_t i = b; i < e; ++i) k += !seen[primary[d.acc_ws[i]]]++;
      ++with_ws;
      fanout += k > 1;
      touched += k;
    }
    std::printf(
        "| %u | %u | %.1f | %.3f | %.0f | %.0f | %.2f | %.0f | %.0f | %.4f (%.4f) | %.4f (%.4f) | "
        "%.4f | %.1f%% | %.2f |\n",
        n, r, Mib(mean), mx / mean, member_accounts, rate, rate / base, route_ns, local,
        double(moved_join) / workspaces, 1.0 / (n + 1), double(moved_leave) / workspaces, 1.0 / n,
        double(jump_moved) / workspaces, with_ws ? 100.0 * fanout / with_ws : 0.0,
        with_ws ? double(touched) / with_ws : 0.0);
  }
  const double scale = 1e7 / workspaces;  // to the ADR's 10M workspaces (100M accounts at 1M/100k)
  std::printf(
      "\n- model bytes scale with memberships: x%.0f (%.0fM workspaces) would be %.1f GiB "
      "unpartitioned, before account facts, keys and sessions\n",
      scale, workspaces * scale / 1e6, whole_bytes * scale / 1073741824.0);
  std::printf("- routing: %s; reads go to the first copy\n",
              parts ? "workspace -> one of --partitions virtual partitions -> partition table "
                      "(rendezvous-built)"
                    : "rendezvous over the node list per workspace");
  std::printf(
      "- account facts for every account (exists, disabled, 2FA) replicated on every node as a "
      "sorted array of 16-byte ids + flags: %u x 17 B = %.1f MiB per node (not in MiB/node); the "
      "full "
      "intern entry (~60 B, to be measured) only for the member accounts/node column\n",
      accounts, Mib(17.0 * accounts));
  std::printf("- checksum %ld (keeps the lookups from being optimised away)\n", sink);
  return 0;
}

#!/usr/bin/env python3
"""The filter sweep of the ticket list (issue 25): every pair of filters with every sort, and a
fixed-seed random sample of larger mixes, each read as the all-tickets page's first page (list
and count) by an admin. Prints a Markdown table of the slowest five and the spread of all.

A role's own list with a filter is a mix too (its scope is the other condition): with the
agent's and the user's tokens, each filter of their lists with each sort is swept as well.

usage: sweep.py APP TOKEN AGENT_ID RARE_WORD [REQUESTS] [SAMPLE] [AGENT_TOKEN USER_TOKEN]
  APP        host:port of the server
  TOKEN      an admin's bearer token
  AGENT_ID   an agent with tickets (the assignee filter)
  RARE_WORD  a word few tickets hold (the seed log names one)
  AGENT_TOKEN, USER_TOKEN  that agent's and a user's bearer tokens (their own lists)
Each mix is read REQUESTS times (default 7) after one read to warm it; its time is the median.
"""
import http.client
import itertools
import json
import random
import statistics
import sys
import time

STATUSES = ["open", "in-progress", "on-hold", "closed"]
PRIORITIES = ["low", "medium", "high", "critical"]
CATEGORIES = ["account", "technical", "security", "billing", "general"]
SORTS = ["newest", "oldest", "updated", "priority"]


def filters(agent, rare):
    """Each filter the list offers, with the values the pairs use: the commonest status is
    `closed` and the rarest `on-hold`, so both ends of each filter's spread are swept."""
    return {
        "status": ["in-progress", "closed"],
        "priority": ["critical"],
        "category": ["billing"],
        "assignedTo": [str(agent)],
        "unassigned": ["true"],
        "overdue": ["true"],
        "q": ["printer", rare],
    }


def singles(agent, rare):
    """Each filter alone with each sort: what the pairs are measured against."""
    for name, values in filters(agent, rare).items():
        for value in values:
            for sort in SORTS:
                yield {name: value, "sort": sort}


def pairs(agent, rare):
    table = filters(agent, rare)
    for a, b in itertools.combinations(table, 2):
        if {a, b} == {"assignedTo", "unassigned"}:
            continue  # the page offers one assignee box: a person or "unassigned"
        for va in table[a]:
            for vb in table[b]:
                for sort in SORTS:
                    yield {a: va, b: vb, "sort": sort}


def sample(agent, rare, n, seed=25):
    """n larger mixes (three filters or more), drawn from every value each filter has."""
    rng = random.Random(seed)
    values = {
        "status": STATUSES,
        "priority": PRIORITIES,
        "category": CATEGORIES,
        "assignee": [("assignedTo", str(agent)), ("unassigned", "true")],
        "overdue": ["true"],
        "q": ["printer", "password", rare],
    }
    for _ in range(n):
        mix = {}
        for name in rng.sample(sorted(values), rng.randint(3, len(values))):
            v = rng.choice(values[name])
            key, v = v if isinstance(v, tuple) else (name, v)
            mix[key] = v
        mix["sort"] = rng.choice(SORTS)
        yield mix


def scoped(rare):
    """Each filter of a role's own list (status, priority, category, overdue, search) with
    each sort: the list's scope and the filter make a mix."""
    table = {"status": STATUSES, "priority": ["critical"], "category": ["billing"], "overdue": ["true"], "q": ["printer", rare]}
    for name, values in table.items():
        for value in values:
            for sort in SORTS:
                yield {name: value, "sort": sort}


def query(mix, base="/api/tickets"):
    return base + "?" + "&".join(f"{k}={v}" for k, v in mix.items())


def timed(conn, token, path):
    start = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status} {body[:200]!r}")
    return elapsed, json.loads(body)


def main():
    app, token, agent, rare = sys.argv[1:5]
    requests = int(sys.argv[5]) if len(sys.argv) > 5 else 7
    n_sample = int(sys.argv[6]) if len(sys.argv) > 6 else 40
    own = sys.argv[7:9]
    conn = http.client.HTTPConnection(app, timeout=300)
    results = []
    mixes = [("single", token, query(m)) for m in singles(agent, rare)] + [("pair", token, query(m)) for m in pairs(agent, rare)]
    mixes += [("sample", token, query(m)) for m in sample(agent, rare, n_sample)]
    for who, base in zip(own, ["/api/agents/assigned-tickets", "/api/users/my-tickets"]):
        mixes += [("own", who, query(m, base)) for m in scoped(rare)]
    for kind, who, path in mixes:
        _, body = timed(conn, who, path)
        times = [timed(conn, who, path)[0] for _ in range(requests)]
        shown = body.get("total")
        if body.get("totalCapped"):
            shown = f"{shown}+"
        results.append((statistics.median(times), max(times), kind, path, shown))
    results.sort(reverse=True)
    single = [r for r in results if r[2] == "single"]
    results = [r for r in results if r[2] != "single"]
    for median, worst, kind, path, shown in single + results:  # every mix, slowest first, for a closer look
        print(f"{median:9.2f} {worst:9.2f} {kind:6} {shown!s:>8} {path}", file=sys.stderr)
    ms = [r[0] for r in results]
    n_pairs = sum(1 for r in results if r[2] == "pair")
    n_own = sum(1 for r in results if r[2] == "own")
    print(f"{len(results)} mixes ({n_pairs} pairs × sorts, {len(results) - n_pairs - n_own} sampled, seed 25, "
          f"{n_own} of an agent's and a user's own lists), "
          f"{requests} reads each: median of medians {statistics.median(ms):.2f} ms, "
          f"slowest {ms[0]:.2f} ms. Each filter alone ({len(single)} with each sort): median "
          f"{statistics.median(r[0] for r in single):.2f} ms, slowest {single[0][0]:.2f} ms "
          f"(`{single[0][3].replace(str(agent), 'agent1').replace(rare, 'RARE')}`).\n")
    print("| slowest mixes | kind | matches | median ms | max ms |")
    print("|---|---|---|---|---|")
    for median, worst, kind, path, shown in results[:5]:
        print(f"| `{path.replace(str(agent), 'agent1').replace(rare, 'RARE')}` | {kind} | {shown} | {median:.2f} | {worst:.2f} |")


if __name__ == "__main__":
    main()

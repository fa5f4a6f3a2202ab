"""What the operator declares for every index the app and the indexer make: its replicas
(ELASTICSEARCH_REPLICAS), and the health a new index must reach before its alias switches to it
(ELASTICSEARCH_WAIT_FOR_STATUS). Plain values, built from the settings by the app and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from elasticsearch import AsyncElasticsearch


@dataclass(frozen=True)
class IndexPolicy:
    """The defaults hold on any engine, one node included; the app and the CLI pass the operator's
    (`index_policy(settings)`)."""

    # A number of replicas whatever the cluster's size ("1"), or a range the engine fits to its data nodes
    # ("0-all": a copy on every node, "0-2").
    replicas: str = "0-all"
    # green: every copy placed, so losing a node next loses nothing; yellow: the primaries only.
    wait_for_status: str = "yellow"
    wait_seconds: float = 300.0

    def replica_settings(self) -> dict:
        """As index settings. A number turns auto-expansion off: left on, it would override the number."""
        if self.replicas.isdigit():
            return {"number_of_replicas": int(self.replicas), "auto_expand_replicas": "false"}
        return {"auto_expand_replicas": self.replicas}


# For callers that pass none (tests, tools): what holds on any engine.
DEFAULT_POLICY = IndexPolicy()


def index_policy(settings, *, embedded: bool) -> IndexPolicy:
    """The operator's policy (`settings` duck-typed: search/ never reads them itself). Unset, the wait is for
    green on a cluster and for yellow on the embedded engine: osmem counts a replica it cannot place on its
    one node even with `0-all`, so it never answers green."""
    status = settings.elasticsearch_wait_for_status or ("yellow" if embedded else "green")
    return IndexPolicy(settings.elasticsearch_replicas, status, settings.elasticsearch_wait_for_status_seconds)


class IndexNotReady(RuntimeError):
    """A new index did not reach the declared health in time: it must not serve."""


async def wait_until_ready(client: AsyncElasticsearch, index: str, policy: IndexPolicy) -> None:
    """Until `index` reaches the declared health; IndexNotReady, saying why, when it does not in time."""
    # The wait happens on the cluster: the request's own timeout must outlast it (the app's client: 5 s).
    answer = await client.options(request_timeout=policy.wait_seconds + 10, ignore_status=408).cluster.health(
        index=index, wait_for_status=policy.wait_for_status, timeout=f"{round(policy.wait_seconds * 1000)}ms")
    health = answer.body
    if answer.meta.status != 408 and not health.get("timed_out"):
        return
    seen = (f"{index} is {health.get('status')} after {policy.wait_seconds:g} s, not {policy.wait_for_status} "
            f"({health.get('unassigned_shards', 0)} shard copies unassigned, "
            f"{health.get('initializing_shards', 0)} initializing, on {health.get('number_of_data_nodes')} data "
            "nodes)")
    if health.get("initializing_shards") or health.get("relocating_shards"):
        why = "its copies were still being made: raise ELASTICSEARCH_WAIT_FOR_STATUS_SECONDS"
    elif health.get("status") == "red":
        why = "its primary shards cannot be allocated: see GET _cluster/allocation/explain"
    else:
        why = "replicas cannot be allocated: set ELASTICSEARCH_REPLICAS or ELASTICSEARCH_WAIT_FOR_STATUS=yellow"
    raise IndexNotReady(f"{seen}: {why}")

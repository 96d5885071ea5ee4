//! Reads of the counters that triggers keep in step with `tickets`: a few rows per call,
//! however many tickets there are. (How a list's total is counted is each database's own:
//! `list_total`, after the one rule of `counting::list_count`.)

macro_rules! counters_code {
    () => {
        use crate::domain::{AgentPerformance, AgentStats, StatusCounts};
        use crate::server::store::rows::{counter_key, mean_hours, status_counts_from_rows};

        /// Tickets per status in a scope, from at most four counter rows.
        pub(in crate::server::store) async fn counts_in(conn: &mut <Db as sqlx::Database>::Connection, scope: TicketScope) -> Result<StatusCounts, StoreError> {
            let (name, id) = counter_key(scope);
            let rows: Vec<(String, i64)> = sqlx::query_as("SELECT status, n FROM ticket_counts WHERE scope = $1 AND scope_id = $2")
                .bind(name)
                .bind(id)
                .fetch_all(conn)
                .await?;
            Ok(status_counts_from_rows(rows))
        }

        /// Tickets with the query's status, priority and category (each optional), from at
        /// most a few dozen rows of ticket_kind_counts.
        pub(in crate::server::store) async fn kind_count(conn: &mut <Db as sqlx::Database>::Connection, query: &TicketQuery) -> Result<i64, StoreError> {
            let mut count = QueryBuilder::<Db>::new("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM ticket_kind_counts WHERE 1 = 1");
            if let Some(s) = query.status {
                count.push(" AND status = ").push_bind(s.as_str());
            }
            if let Some(p) = query.priority {
                count.push(" AND priority = ").push_bind(p.as_str());
            }
            if let Some(c) = &query.category {
                count.push(" AND category = ").push_bind(c.clone());
            }
            Ok(count.build_query_scalar().fetch_one(conn).await?)
        }

        /// An agent's figures: `counts` are the agent's ticket counts (their assignee scope).
        pub(in crate::server::store) async fn agent_stats_in(
            conn: &mut <Db as sqlx::Database>::Connection,
            agent_id: i64,
            counts: &StatusCounts,
        ) -> Result<AgentStats, StoreError> {
            let sums: Option<(i64, i64)> = sqlx::query_as("SELECT resolved, resolution_secs FROM agent_resolution WHERE agent_id = $1")
                .bind(agent_id)
                .fetch_optional(conn)
                .await?;
            Ok(AgentStats {
                assigned: counts.total,
                resolved: counts.closed,
                pending: counts.total - counts.closed,
                avg_resolution_hours: sums.and_then(|(n, secs)| mean_hours(n, secs)),
            })
        }

        /// Every agent's figures, from the counters (see `Store::agent_totals`), by name as
        /// SQLite's BINARY collation orders it (see `NAME_ORDER`). The assignee counters are
        /// summed in one pass (a few rows per agent), not looked up twice per agent: on
        /// PostgreSQL those 400 lookups were 2.5 ms of database time per admin dashboard.
        pub(in crate::server::store) async fn agent_totals_in(conn: &mut <Db as sqlx::Database>::Connection) -> Result<Vec<AgentPerformance>, StoreError> {
            static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                let values = "a.agent_id, a.agent_name, a.is_active, a.assigned, a.resolved, a.resolution_secs";
                format!(
                    concat!(
                        "SELECT {} FROM (SELECT u.id AS agent_id, u.name AS sort_name, ", crate::server::store::rows::shown_name!("u"), " AS agent_name,
                            CASE WHEN u.is_active THEN 1 ELSE 0 END AS is_active,
                            CAST(COALESCE(c.assigned, 0) AS BIGINT) AS assigned,
                            CAST(COALESCE(c.resolved, 0) AS BIGINT) AS resolved,
                            COALESCE(r.resolution_secs, 0) AS resolution_secs
                         FROM users u
                         LEFT JOIN (SELECT scope_id, SUM(n) AS assigned, SUM(CASE WHEN status = 'closed' THEN n ELSE 0 END) AS resolved
                                    FROM ticket_counts WHERE scope = 'assignee' GROUP BY scope_id) c ON c.scope_id = u.id
                         LEFT JOIN agent_resolution r ON r.agent_id = u.id
                         WHERE u.role = 'agent' AND u.deleted_at IS NULL) a"
                    ),
                    json_rows(values, &format!("{}, a.agent_id", NAME_ORDER.replace("u.name", "a.sort_name")))
                )
            });
            let (json,): (String,) = sqlx::query_as(&SQL).fetch_one(conn).await?;
            crate::server::store::rows::agents_from_json(&json)
        }

        impl Store {
            /// Tickets per status in a scope, from at most four counter rows.
            #[tracing::instrument(skip_all, name = "store.ticket_counts")]
            pub async fn ticket_counts(&self, scope: TicketScope) -> Result<StatusCounts, StoreError> {
                counts_in(&mut *self.reader().acquire().await?, scope).await
            }

            /// Not-closed tickets that nobody works on.
            #[tracing::instrument(skip_all, name = "store.unassigned_open")]
            pub async fn unassigned_open(&self) -> Result<i64, StoreError> {
                let counts = self.ticket_counts(TicketScope::AssignedTo(0)).await?;
                Ok(counts.total - counts.closed)
            }

            /// An agent's assigned, resolved and pending counts and mean resolution time.
            #[tracing::instrument(skip_all, name = "store.agent_stats")]
            pub async fn agent_stats(&self, agent_id: i64) -> Result<AgentStats, StoreError> {
                let mut conn = self.reader().acquire().await?;
                let counts = counts_in(&mut conn, TicketScope::AssignedTo(agent_id)).await?;
                agent_stats_in(&mut conn, agent_id, &counts).await
            }

            /// Open (not closed) tickets assigned to an agent: their current load.
            #[tracing::instrument(skip_all, name = "store.open_load")]
            pub async fn open_load(&self, agent_id: i64) -> Result<i64, StoreError> {
                let counts = self.ticket_counts(TicketScope::AssignedTo(agent_id)).await?;
                Ok(counts.total - counts.closed)
            }

            /// Every agent's assigned, resolved, open and mean resolution hours, over all
            /// their tickets.
            #[tracing::instrument(skip_all, name = "store.agent_totals")]
            pub async fn agent_totals(&self) -> Result<Vec<AgentPerformance>, StoreError> {
                agent_totals_in(&mut *self.reader().acquire().await?).await
            }
        }
    };
}
pub(crate) use counters_code;

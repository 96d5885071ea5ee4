//! The table of recent ticket changes behind the live event stream: written in each change's
//! transaction (`write_live_events`, called by `Changes::commit`), read by each instance's pump
//! after the last id it has seen, and pruned after `events.keep_minutes`.
//!
//! The ids commit in the order they were given, so a reader that has seen id N never meets a
//! smaller id later: SQLite's single writer commits one change at a time; PostgreSQL commits
//! concurrent transactions in any order, so a trigger of the table makes each write take its
//! turn (an advisory lock held to the commit) and another wakes every instance once the change
//! commits (NOTIFY; migration 0013).

macro_rules! live_code {
    () => {
        fn live_row(row: (i64, i64, i64, String, i64, Option<i64>, Option<i64>, Option<String>, bool)) -> crate::domain::LiveRecord {
            let (id, at, ticket, kind, requester, assignee, assignee_before, status, staff_only) = row;
            crate::domain::LiveRecord {
                id,
                at,
                ticket,
                kind: crate::domain::LiveKind::parse(&kind).unwrap_or(crate::domain::LiveKind::Updated),
                requester,
                assignee,
                assignee_before,
                status: status.as_deref().and_then(TicketStatus::parse),
                staff_only,
            }
        }

        async fn write_live_events(tx: &mut Transaction<'static, Db>, events: &[crate::domain::LiveRecord]) -> Result<(), StoreError> {
            if events.is_empty() {
                return Ok(());
            }
            let mut qb = QueryBuilder::<Db>::new(
                "INSERT INTO live_events (at, ticket_id, kind, requester_id, assignee_id, assignee_before, status, staff_only) ",
            );
            qb.push_values(events, |mut b, e| {
                b.push_bind(e.at)
                    .push_bind(e.ticket)
                    .push_bind(e.kind.as_str())
                    .push_bind(e.requester)
                    .push_bind(e.assignee)
                    .push_bind(e.assignee_before)
                    .push_bind(e.status.map(|s| s.as_str()))
                    .push_bind(e.staff_only);
            });
            qb.build().execute(&mut **tx).await?;
            Ok(())
        }

        impl Store {
            /// Writes the `account` event of `user` (see `live::account_changed`).
            #[tracing::instrument(skip_all, name = "store.live_account")]
            pub async fn live_account(&self, user: i64, at: i64) -> Result<(), StoreError> {
                let record = crate::domain::LiveRecord {
                    id: 0,
                    at,
                    ticket: 0,
                    kind: crate::domain::LiveKind::Account,
                    requester: user,
                    assignee: None,
                    assignee_before: None,
                    status: None,
                    staff_only: true,
                };
                let mut tx = begin(self.writer()).await?;
                write_live_events(&mut tx, std::slice::from_ref(&record)).await?;
                tx.commit().await?;
                Ok(())
            }

            /// Live events after the id `after`, oldest first.
            #[tracing::instrument(skip_all, name = "store.live_since")]
            pub async fn live_since(&self, after: i64, limit: i64) -> Result<Vec<crate::domain::LiveRecord>, StoreError> {
                let rows: Vec<(i64, i64, i64, String, i64, Option<i64>, Option<i64>, Option<String>, bool)> = sqlx::query_as(
                    "SELECT id, at, ticket_id, kind, requester_id, assignee_id, assignee_before, status, staff_only
                     FROM live_events WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(self.reader())
                .await?;
                Ok(rows.into_iter().map(live_row).collect())
            }

            /// The oldest and newest ids kept (0 and 0 when none is).
            #[tracing::instrument(skip_all, name = "store.live_bounds")]
            pub async fn live_bounds(&self) -> Result<(i64, i64), StoreError> {
                // Two subqueries: SQLite reads MIN or MAX alone from the key's ends, both at once by a scan.
                let (oldest, newest): (Option<i64>, Option<i64>) =
                    sqlx::query_as("SELECT (SELECT MIN(id) FROM live_events), (SELECT MAX(id) FROM live_events)")
                        .fetch_one(self.reader())
                        .await?;
                Ok((oldest.unwrap_or(0), newest.unwrap_or(0)))
            }

            /// Forgets the events from before `at`, but for the newest; how many. The newest
            /// stays so that its id only ever grows: a kept report is current while it is the
            /// same (`Store::report_inputs`), and an empty table after a quiet spell would give
            /// back an id seen before a change since pruned.
            #[tracing::instrument(skip_all, name = "store.prune_live")]
            pub async fn prune_live(&self, before: i64) -> Result<u64, StoreError> {
                Ok(sqlx::query("DELETE FROM live_events WHERE at < $1 AND id < (SELECT MAX(id) FROM live_events)")
                    .bind(before)
                    .execute(self.writer())
                    .await?
                    .rows_affected())
            }
        }
    };
}
pub(crate) use live_code;

//! Who is on a ticket: one row per open page, lapsing at `expires_at` (unix milliseconds). A
//! page's word that changes what others see (a new page, another state, a page gone) writes a
//! `presence` live event in the same transaction, so every instance's pages hear of it; the
//! word said again on a heartbeat writes only the new expiry. Lapsed rows are removed by
//! `expire_presence`, which tells the pages the same way.

macro_rules! presence_code {
    () => {
        /// The live event telling the staff working `ticket` that who is on it changed.
        async fn presence_event(tx: &mut Transaction<'static, Db>, ticket: i64, now_ms: i64) -> Result<(), StoreError> {
            let row: Option<(i64, Option<i64>, String)> =
                sqlx::query_as("SELECT user_id, assigned_to, status FROM tickets WHERE id = $1").bind(ticket).fetch_optional(&mut **tx).await?;
            let Some((requester, assignee, status)) = row else { return Ok(()) };
            let record = crate::domain::LiveRecord {
                id: 0,
                at: now_ms / 1000,
                ticket,
                kind: crate::domain::LiveKind::Presence,
                requester,
                assignee,
                assignee_before: None,
                status: TicketStatus::parse(&status),
                staff_only: true,
            };
            write_live_events(tx, std::slice::from_ref(&record)).await
        }

        impl Store {
            /// Records what one page says (`None`: it closed) until `expires_ms`; whether others
            /// were told (a live event was written).
            #[tracing::instrument(skip_all, name = "store.set_presence")]
            pub async fn set_presence(
                &self,
                ticket: i64,
                user: i64,
                tab: &str,
                state: Option<&str>,
                now_ms: i64,
                expires_ms: i64,
            ) -> Result<bool, StoreError> {
                let mut tx = begin(self.writer()).await?;
                let before: Option<(String,)> = sqlx::query_as(
                    "SELECT state FROM ticket_presence WHERE ticket_id = $1 AND user_id = $2 AND tab = $3 AND expires_at > $4",
                )
                .bind(ticket)
                .bind(user)
                .bind(tab)
                .bind(now_ms)
                .fetch_optional(&mut *tx)
                .await?;
                match state {
                    Some(state) => {
                        sqlx::query(
                            "INSERT INTO ticket_presence (ticket_id, user_id, tab, state, expires_at) VALUES ($1, $2, $3, $4, $5)
                             ON CONFLICT (ticket_id, user_id, tab) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at",
                        )
                        .bind(ticket)
                        .bind(user)
                        .bind(tab)
                        .bind(state)
                        .bind(expires_ms)
                        .execute(&mut *tx)
                        .await?;
                    }
                    None => {
                        sqlx::query("DELETE FROM ticket_presence WHERE ticket_id = $1 AND user_id = $2 AND tab = $3")
                            .bind(ticket)
                            .bind(user)
                            .bind(tab)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                let told = before.as_ref().map(|(s,)| s.as_str()) != state;
                if told {
                    presence_event(&mut tx, ticket, now_ms).await?;
                }
                tx.commit().await?;
                Ok(told)
            }

            /// The pages open on a ticket now: (user, name, state), the state as stored.
            #[tracing::instrument(skip_all, name = "store.presence")]
            pub async fn presence(&self, ticket: i64, now_ms: i64) -> Result<Vec<(i64, String, String)>, StoreError> {
                Ok(sqlx::query_as(
                    "SELECT p.user_id, u.name, p.state FROM ticket_presence p JOIN users u ON u.id = p.user_id
                     WHERE p.ticket_id = $1 AND p.expires_at > $2",
                )
                .bind(ticket)
                .bind(now_ms)
                .fetch_all(self.reader())
                .await?)
            }

            /// Removes the pages whose word has lapsed and tells each of their tickets' pages;
            /// how many tickets were told. Instances may run it at once: a row is removed once.
            #[tracing::instrument(skip_all, name = "store.expire_presence")]
            pub async fn expire_presence(&self, now_ms: i64) -> Result<usize, StoreError> {
                // Looked for first on a reader: most sweeps find nothing and take no write lock.
                let any: Option<(i64,)> = sqlx::query_as("SELECT ticket_id FROM ticket_presence WHERE expires_at <= $1 LIMIT 1")
                    .bind(now_ms)
                    .fetch_optional(self.reader())
                    .await?;
                if any.is_none() {
                    return Ok(0);
                }
                let mut tx = begin(self.writer()).await?;
                let gone: Vec<(i64,)> = sqlx::query_as("DELETE FROM ticket_presence WHERE expires_at <= $1 RETURNING ticket_id")
                    .bind(now_ms)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut tickets: Vec<i64> = gone.into_iter().map(|(t,)| t).collect();
                tickets.sort_unstable();
                tickets.dedup();
                for ticket in &tickets {
                    presence_event(&mut tx, *ticket, now_ms).await?;
                }
                tx.commit().await?;
                Ok(tickets.len())
            }
        }
    };
}
pub(crate) use presence_code;

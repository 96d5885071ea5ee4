//! Mail taken in: each one recorded with what was done with it (in the transaction of the
//! ticket or reply it became), found again by its Message-ID, and the mails we sent, found by
//! theirs (a reply names them).

macro_rules! inbound_code {
    () => {
        const INSERT_INBOUND: &str = "INSERT INTO inbound_mails
                (message_id, received_at, source, sender, subject, outcome, ticket_id, reason, raw, raw_size)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

        async fn insert_inbound(tx: &mut Transaction<'static, Db>, r: &InboundRecord) -> Result<(), StoreError> {
            sqlx::query(INSERT_INBOUND)
                .bind(&r.message_id)
                .bind(r.received_at)
                .bind(&r.source)
                .bind(&r.sender)
                .bind(&r.subject)
                .bind(&r.outcome)
                .bind(r.ticket_id)
                .bind(&r.reason)
                .bind(&r.raw)
                .bind(r.raw_size)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }

        impl Changes {
            /// Records the mail this change came from; a second copy of it conflicts
            /// (`Constraint::InboundOnce`) and the whole change rolls back.
            #[tracing::instrument(skip_all, name = "store.changes.record_inbound")]
            pub async fn record_inbound(&mut self, r: &InboundRecord) -> Result<(), StoreError> {
                insert_inbound(&mut self.tx, r).await
            }
        }

        impl Store {
            /// Records a mail that became no ticket or reply.
            #[tracing::instrument(skip_all, name = "store.record_inbound")]
            pub async fn record_inbound(&self, r: &InboundRecord) -> Result<(), StoreError> {
                let mut tx = begin(self.writer()).await?;
                insert_inbound(&mut tx, r).await?;
                tx.commit().await?;
                Ok(())
            }

            /// The ticket or reply the mail with this Message-ID became, if it became one.
            #[tracing::instrument(skip_all, name = "store.inbound_taken")]
            pub async fn inbound_taken(&self, message_id: &str) -> Result<Option<(String, Option<i64>)>, StoreError> {
                Ok(sqlx::query_as("SELECT outcome, ticket_id FROM inbound_mails WHERE message_id = $1 AND outcome IN ('created', 'replied')")
                    .bind(message_id)
                    .fetch_optional(self.reader())
                    .await?)
            }

            /// The newest mails taken in, before the id `before` (a page of the admin's list).
            #[tracing::instrument(skip_all, name = "store.inbound_page")]
            pub async fn inbound_page(&self, before: Option<i64>, limit: i64) -> Result<Vec<InboundRow>, StoreError> {
                Ok(sqlx::query_as(
                    "SELECT id, message_id, received_at, source, sender, subject, outcome, ticket_id, reason, raw_size,
                            raw IS NOT NULL AS raw_kept
                     FROM inbound_mails WHERE id < $1 ORDER BY id DESC LIMIT $2",
                )
                .bind(before.unwrap_or(i64::MAX))
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            /// The raw message of a mail taken in, if it was kept.
            #[tracing::instrument(skip_all, name = "store.inbound_raw")]
            pub async fn inbound_raw(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
                let raw: Option<Option<Vec<u8>>> =
                    sqlx::query_scalar("SELECT raw FROM inbound_mails WHERE id = $1").bind(id).fetch_optional(self.reader()).await?;
                Ok(raw.flatten())
            }

            /// The newest mails taken in for a ticket, duplicates left out.
            #[tracing::instrument(skip_all, name = "store.ticket_mails")]
            pub async fn ticket_mails(&self, ticket_id: i64, limit: i64) -> Result<Vec<TicketMailRow>, StoreError> {
                Ok(sqlx::query_as(
                    "SELECT id, received_at, sender, subject, outcome, reason, raw FROM inbound_mails
                     WHERE ticket_id = $1 AND outcome <> 'duplicate' ORDER BY id DESC LIMIT $2",
                )
                .bind(ticket_id)
                .bind(limit)
                .fetch_all(self.reader())
                .await?)
            }

            /// The ticket and recipient of the first of these ids that is a mail we sent.
            #[tracing::instrument(skip_all, name = "store.sent_mail_of")]
            pub async fn sent_mail_of(&self, message_ids: &[String]) -> Result<Option<(i64, Option<i64>)>, StoreError> {
                for id in message_ids.iter().take(20) {
                    let found: Option<(Option<i64>, Option<i64>)> =
                        sqlx::query_as("SELECT ticket_id, recipient_id FROM mail_outbox WHERE message_id = $1")
                            .bind(id.trim_matches(['<', '>']))
                            .fetch_optional(self.reader())
                            .await?;
                    if let Some((Some(ticket), recipient)) = found {
                        return Ok(Some((ticket, recipient)));
                    }
                }
                Ok(None)
            }
        }
    };
}
pub(crate) use inbound_code;

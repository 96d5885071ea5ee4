//! The mail outbox and each person's notification choices. A mail is written by the change
//! that causes it, in its transaction (`Changes::queue_mail`); the outbox worker claims due
//! mail for a lease (`claim_mail`: on PostgreSQL instances skip each other's claims), sends
//! it, and records each attempt (`mails_attempted`, a batch at a time).

macro_rules! mail_code {
    () => {
        const INSERT_MAIL: &str = "INSERT INTO mail_outbox (kind, ticket_id, recipient_id, to_address, subject, body_text, body_html,
                message_id, thread_id, reply_to, created_at, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)";

        async fn insert_mail(tx: &mut Transaction<'static, Db>, mail: &NewMail, now: i64) -> Result<(), StoreError> {
            sqlx::query(INSERT_MAIL)
                .bind(&mail.kind)
                .bind(mail.ticket_id)
                .bind(mail.recipient_id)
                .bind(&mail.to)
                .bind(&mail.subject)
                .bind(&mail.text)
                .bind(&mail.html)
                .bind(&mail.message_id)
                .bind(&mail.thread_id)
                .bind(&mail.reply_to)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }

        impl Changes {
            /// The changes so far, for the notification rule.
            pub fn records(&self) -> &[ChangeRecord] {
                &self.records
            }

            /// A ticket's title and description as this transaction sees them.
            #[tracing::instrument(skip_all, name = "store.changes.ticket_text")]
            pub async fn ticket_text(&mut self, id: i64) -> Result<Option<(String, String)>, StoreError> {
                Ok(sqlx::query_as("SELECT title, description FROM tickets WHERE id = $1").bind(id).fetch_optional(&mut *self.tx).await?)
            }

            /// The accounts among `ids` that are not deleted (active or not), each with the kinds
            /// it switched off, in the order of `ids`: one statement however many people a change
            /// tells, as each is a round trip made while holding the writer.
            #[tracing::instrument(skip_all, name = "store.changes.mail_people")]
            pub async fn mail_people(&mut self, ids: &[i64]) -> Result<Vec<MailPerson>, StoreError> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                // A row per switched-off kind (one with none when there is none).
                let mut qb = QueryBuilder::<Db>::new(
                    "SELECT u.id, u.name, CAST(u.email AS TEXT), u.role, u.is_active, o.kind
                     FROM users u LEFT JOIN mail_opt_outs o ON o.user_id = u.id
                     WHERE u.deleted_at IS NULL AND u.id IN (",
                );
                let mut list = qb.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                qb.push(") ORDER BY u.id, o.kind");
                let rows: Vec<(i64, String, String, String, bool, Option<String>)> =
                    qb.build_query_as().fetch_all(&mut *self.tx).await?;
                let mut people: Vec<MailPerson> = Vec::new();
                for (id, name, email, role, active, kind) in rows {
                    if people.last().is_none_or(|p| p.id != id) {
                        let role = crate::domain::Role::parse(&role).unwrap_or(crate::domain::Role::User);
                        people.push(MailPerson { id, name, email, role, active, opted_out: Vec::new() });
                    }
                    if let (Some(kind), Some(person)) = (kind, people.last_mut()) {
                        person.opted_out.push(kind);
                    }
                }
                let mut ordered = Vec::with_capacity(people.len());
                for id in ids {
                    if let Some(at) = people.iter().position(|p| p.id == *id) {
                        ordered.push(people.swap_remove(at));
                    }
                }
                Ok(ordered)
            }

            /// The active admins and super admins.
            #[tracing::instrument(skip_all, name = "store.changes.admin_ids")]
            pub async fn admin_ids(&mut self) -> Result<Vec<i64>, StoreError> {
                Ok(sqlx::query_scalar(
                    "SELECT id FROM users WHERE role IN ('admin', 'superadmin') AND is_active AND deleted_at IS NULL ORDER BY id",
                )
                .fetch_all(&mut *self.tx)
                .await?)
            }

            /// Writes a mail to the outbox: it is sent once this transaction commits, or never.
            #[tracing::instrument(skip_all, name = "store.changes.queue_mail")]
            pub async fn queue_mail(&mut self, mail: &NewMail) -> Result<(), StoreError> {
                let now = self.now.timestamp();
                insert_mail(&mut self.tx, mail, now).await
            }
        }

        impl Store {
            /// Writes a mail to the outbox on its own (a mail no other change goes with).
            #[tracing::instrument(skip_all, name = "store.queue_mail")]
            pub async fn queue_mail(&self, mail: &NewMail, now: i64) -> Result<(), StoreError> {
                let mut tx = begin(self.writer()).await?;
                insert_mail(&mut tx, mail, now).await?;
                tx.commit().await?;
                Ok(())
            }

            /// Claims up to `limit` mails that are due, for `lease_secs`: until then no other
            /// sender takes them; a sender that dies leaves them to be taken again after it.
            #[tracing::instrument(skip_all, name = "store.claim_mail")]
            pub async fn claim_mail(&self, now: i64, lease_secs: i64, limit: i64) -> Result<Vec<QueuedMail>, StoreError> {
                static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                    format!(
                        "UPDATE mail_outbox SET lease_until = $1 + $2, attempts = attempts + 1
                         WHERE id IN (SELECT id FROM mail_outbox
                                      WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
                                        AND (lease_until IS NULL OR lease_until <= $1)
                                      ORDER BY next_attempt_at, id LIMIT $3{SKIP_LOCKED})
                         RETURNING id, kind, ticket_id, to_address, subject, body_text, body_html, message_id, thread_id,
                                   reply_to, attempts"
                    )
                });
                let mut mails: Vec<QueuedMail> =
                    sqlx::query_as(&SQL).bind(now).bind(lease_secs).bind(limit).fetch_all(self.writer()).await?;
                mails.sort_by_key(|m| m.id);
                Ok(mails)
            }

            /// Records the attempts of a batch of claimed mails in one transaction: one commit
            /// for a batch, not one per mail, so the single writer keeps up with the server.
            #[tracing::instrument(skip_all, name = "store.mails_attempted")]
            pub async fn mails_attempted(&self, now: i64, outcomes: &[(i64, MailOutcome)]) -> Result<(), StoreError> {
                let mut tx = begin(self.writer()).await?;
                for (id, outcome) in outcomes {
                    let error = match outcome {
                        MailOutcome::Sent => {
                            sqlx::query("UPDATE mail_outbox SET sent_at = $2, lease_until = NULL WHERE id = $1")
                                .bind(id)
                                .bind(now)
                                .execute(&mut *tx)
                                .await?;
                            None
                        }
                        MailOutcome::Retry { error, at } => {
                            sqlx::query("UPDATE mail_outbox SET next_attempt_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1")
                                .bind(id)
                                .bind(at)
                                .bind(error)
                                .execute(&mut *tx)
                                .await?;
                            Some(error)
                        }
                        MailOutcome::GiveUp { error } => {
                            sqlx::query("UPDATE mail_outbox SET failed_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1")
                                .bind(id)
                                .bind(now)
                                .bind(error)
                                .execute(&mut *tx)
                                .await?;
                            Some(error)
                        }
                    };
                    sqlx::query("INSERT INTO mail_attempts (mail_id, at, error) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(now)
                        .bind(error)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            /// The outbox at a glance; every count walks a partial index of what is waiting or
            /// failed, capped, never the history of sent mail.
            #[tracing::instrument(skip_all, name = "store.mail_health")]
            pub async fn mail_health(&self, now: i64) -> Result<MailHealth, StoreError> {
                let (waiting, oldest): (i64, Option<i64>) = sqlx::query_as(
                    "SELECT COUNT(*), MIN(created_at) FROM (SELECT created_at FROM mail_outbox
                     WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY next_attempt_at, id LIMIT $1) q",
                )
                .bind(MAIL_DEPTH_CAP + 1)
                .fetch_one(self.reader())
                .await?;
                let failed: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM mail_outbox WHERE failed_at IS NOT NULL ORDER BY failed_at LIMIT $1) q",
                )
                .bind(MAIL_DEPTH_CAP + 1)
                .fetch_one(self.reader())
                .await?;
                let last_error: Option<(i64, String)> =
                    sqlx::query_as("SELECT at, error FROM mail_attempts WHERE error IS NOT NULL ORDER BY id DESC LIMIT 1")
                        .fetch_optional(self.reader())
                        .await?;
                Ok(MailHealth { waiting, oldest_waiting_secs: oldest.map(|at| (now - at).max(0)), failed, last_error })
            }

            /// Makes every waiting mail due now and gives mail given up on a fresh set of
            /// attempts (after the mail server or its settings were fixed). Returns how many.
            #[tracing::instrument(skip_all, name = "store.retry_mail_now")]
            pub async fn retry_mail_now(&self, now: i64) -> Result<i64, StoreError> {
                let mut tx = begin(self.writer()).await?;
                let waiting = sqlx::query(
                    "UPDATE mail_outbox SET next_attempt_at = $1 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at > $1",
                )
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let failed = sqlx::query(
                    "UPDATE mail_outbox SET failed_at = NULL, attempts = 0, next_attempt_at = $1 WHERE failed_at IS NOT NULL",
                )
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
                Ok((waiting + failed) as i64)
            }

            /// The attempts to send one mail, oldest first.
            #[tracing::instrument(skip_all, name = "store.mail_attempts")]
            pub async fn mail_attempts(&self, message_id: &str) -> Result<Vec<MailAttempt>, StoreError> {
                Ok(sqlx::query_as(
                    "SELECT a.at, a.error FROM mail_attempts a JOIN mail_outbox m ON m.id = a.mail_id
                     WHERE m.message_id = $1 ORDER BY a.id",
                )
                .bind(message_id)
                .fetch_all(self.reader())
                .await?)
            }

            /// The notification kinds a person switched off.
            #[tracing::instrument(skip_all, name = "store.mail_opt_outs")]
            pub async fn mail_opt_outs(&self, user_id: i64) -> Result<Vec<String>, StoreError> {
                Ok(sqlx::query_scalar("SELECT kind FROM mail_opt_outs WHERE user_id = $1 ORDER BY kind")
                    .bind(user_id)
                    .fetch_all(self.reader())
                    .await?)
            }

            /// Replaces the kinds a person switched off.
            #[tracing::instrument(skip_all, name = "store.set_mail_opt_outs")]
            pub async fn set_mail_opt_outs(&self, user_id: i64, kinds: &[String]) -> Result<(), StoreError> {
                let mut tx = begin(self.writer()).await?;
                sqlx::query("DELETE FROM mail_opt_outs WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                for kind in kinds {
                    sqlx::query("INSERT INTO mail_opt_outs (user_id, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(user_id)
                        .bind(kind)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use mail_code;

//! Sign-in sessions and attempt throttles: small tables every instance shares, so a session
//! made through one instance works through all, and failures count across all of them.

macro_rules! sessions_code {
    () => {
        /// An account with when its session was last used.
        #[derive(sqlx::FromRow)]
        struct SessionRow {
            #[sqlx(flatten)]
            user: crate::server::store::rows::UserRow,
            last_seen_at: i64,
        }

        /// Sessions and throttle rows this much past their end are swept away at the next sign-in.
        const SWEEP_AFTER_SECS: i64 = 24 * 3600;

        impl Store {
            /// Opens a session, if the account is still active with the password `checked`,
            /// and writes its audit entry, in one transaction; old rows are swept. False: no
            /// session.
            #[tracing::instrument(skip_all, name = "store.open_session")]
            pub async fn open_session(
                &self,
                sid: &str,
                user_id: i64,
                checked: &PasswordHash,
                now: i64,
                expires_at: i64,
                audit: Option<AuditRecord<'_>>,
            ) -> Result<bool, StoreError> {
                let mut tx = begin(self.writer()).await?;
                for sweep in sql::SWEEP {
                    sqlx::query(sweep).bind(now - SWEEP_AFTER_SECS).execute(&mut *tx).await?;
                }
                let opened = sqlx::query(sql::OPEN_SESSION)
                    .bind(sid)
                    .bind(user_id)
                    .bind(now)
                    .bind(expires_at)
                    .bind(checked.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if opened == 0 {
                    return Ok(false);
                }
                if let Some(audit) = audit {
                    insert_audit(&mut tx, Utc::now(), audit).await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            /// The live account behind a session that is still open and was used after
            /// `idle_since`, with when it was last used.
            #[tracing::instrument(skip_all, name = "store.session_user")]
            pub async fn session_user(&self, sid: &str, user_id: i64, now: i64, idle_since: i64) -> Result<Option<(UserRecord, i64)>, StoreError> {
                // Built once: this runs for every signed-in request.
                static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                    let columns = crate::server::store::shared::users::USER_COLUMNS_OF_U;
                    format!(
                        "SELECT {columns}, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id
                         WHERE s.id = $1 AND s.user_id = $2 AND s.expires_at > $3 AND s.last_seen_at > $4 AND u.deleted_at IS NULL"
                    )
                });
                let row = sqlx::query_as::<_, SessionRow>(SQL.as_str())
                    .bind(sid)
                    .bind(user_id)
                    .bind(now)
                    .bind(idle_since)
                    .fetch_optional(self.reader())
                    .await?;
                Ok(row.map(|r| (r.user.into(), r.last_seen_at)))
            }

            /// Marks a session used at `now`.
            #[tracing::instrument(skip_all, name = "store.touch_session")]
            pub async fn touch_session(&self, sid: &str, now: i64) -> Result<(), StoreError> {
                sqlx::query(sql::TOUCH_SESSION).bind(now).bind(sid).execute(self.writer()).await?;
                Ok(())
            }

            /// Signs one session out.
            #[tracing::instrument(skip_all, name = "store.end_session")]
            pub async fn end_session(&self, sid: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM sessions WHERE id = $1").bind(sid).execute(self.writer()).await?;
                Ok(())
            }

            /// How many rows one of the small account tables holds (a scan: for operators and
            /// tests).
            #[tracing::instrument(skip_all, name = "store.count_rows")]
            pub async fn count_rows(&self, table: &str) -> Result<i64, StoreError> {
                let sql = sql::count_rows(table).ok_or_else(|| StoreError::refused("table", format!("{table} is not countable")))?;
                Ok(sqlx::query_scalar(&sql).fetch_one(self.reader()).await?)
            }

            /// Counts one more hit on `key` in its current window (a new window once the old
            /// one is over) and returns the count: one statement, so simultaneous hits, from
            /// any instance, are all counted.
            #[tracing::instrument(skip_all, name = "store.throttle_hit")]
            pub async fn throttle_hit(&self, key: &str, window_secs: i64, now: i64) -> Result<Hits, StoreError> {
                let (count, window_start): (i64, i64) = sqlx::query_as(
                    "INSERT INTO throttles (key, window_start, count) VALUES ($1, $2, 1)
                     ON CONFLICT (key) DO UPDATE SET
                         count = CASE WHEN throttles.window_start <= $2 - $3 THEN 1 ELSE throttles.count + 1 END,
                         window_start = CASE WHEN throttles.window_start <= $2 - $3 THEN $2 ELSE throttles.window_start END
                     RETURNING count, window_start",
                )
                .bind(key)
                .bind(now)
                .bind(window_secs)
                .fetch_one(self.writer())
                .await?;
                Ok(Hits { count, window_start })
            }

            /// The hits of `key` in its current window, counting none.
            #[tracing::instrument(skip_all, name = "store.throttle_peek")]
            pub async fn throttle_peek(&self, key: &str, window_secs: i64, now: i64) -> Result<Option<Hits>, StoreError> {
                let row: Option<(i64, i64)> =
                    sqlx::query_as(sql::THROTTLE_PEEK).bind(key).bind(now - window_secs).fetch_optional(self.reader()).await?;
                Ok(row.map(|(count, window_start)| Hits { count, window_start }))
            }

            /// Forgets a counter (e.g. an account's failures after its owner signs in).
            #[tracing::instrument(skip_all, name = "store.throttle_clear")]
            pub async fn throttle_clear(&self, key: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM throttles WHERE key = $1").bind(key).execute(self.writer()).await?;
                Ok(())
            }
        }

        /// Ends every session of an account, inside the transaction of the change that
        /// requires it.
        pub(in crate::server::store) async fn end_sessions_of(tx: &mut Transaction<'static, Db>, user_id: i64) -> Result<(), StoreError> {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
            Ok(())
        }
    };
}
pub(crate) use sessions_code;

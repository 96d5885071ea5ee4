//! Passwords: setting one, and reset links (made, checked, redeemed). Every change of a
//! password ends the account's sessions and closes its other links in the same transaction.

macro_rules! passwords_code {
    () => {
        impl Store {
            /// Replaces the password in one transaction with what must go with it: every
            /// session of the account ends, open reset links stop working, and the audit entry
            /// is written.
            #[tracing::instrument(skip_all, name = "store.set_password")]
            pub async fn set_password(&self, id: i64, hash: &PasswordHash, now_secs: i64, audit: AuditRecord<'_>) -> Result<(), StoreError> {
                let mut tx = begin(self.writer()).await?;
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash.as_str()).bind(id).execute(&mut *tx).await?;
                end_sessions_of(&mut tx, id).await?;
                close_reset_links(&mut tx, id, now_secs).await?;
                insert_audit(&mut tx, Utc::now(), audit).await?;
                tx.commit().await?;
                Ok(())
            }

            /// A reset link for `user_id`, or with `None` a row that can never be redeemed, with
            /// the mail that carries it written to the outbox in the same transaction.
            #[tracing::instrument(skip_all, name = "store.insert_password_reset")]
            pub async fn insert_password_reset(
                &self,
                user_id: Option<i64>,
                token_hash: &str,
                expires_at: i64,
                mail: Option<&NewMail>,
            ) -> Result<(), StoreError> {
                let mut tx = begin(self.writer()).await?;
                sqlx::query(sql::INSERT_PASSWORD_RESET).bind(token_hash).bind(user_id).bind(expires_at).execute(&mut *tx).await?;
                if let Some(mail) = mail {
                    insert_mail(&mut tx, mail, Utc::now().timestamp()).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            /// Whether a reset link is still usable (checked before paying for a hash).
            #[tracing::instrument(skip_all, name = "store.reset_link_open")]
            pub async fn reset_link_open(&self, token_hash: &str, now_secs: i64) -> Result<bool, StoreError> {
                let open: i64 = sqlx::query_scalar(sql::RESET_LINK_OPEN).bind(token_hash).bind(now_secs).fetch_one(self.reader()).await?;
                Ok(open > 0)
            }

            /// Uses a reset token and sets the new password in one transaction: every session
            /// of the account ends, its other links close, and the audit entry (`action`,
            /// `detail`, from `ip`, by the account itself) is written. Returns the user's id,
            /// or `None` when the token is unknown, used, expired or its account inactive
            /// (then nothing changes). The conditional update takes the link's row: of two
            /// redemptions at once, one wins.
            #[tracing::instrument(skip_all, name = "store.redeem_password_reset")]
            pub async fn redeem_password_reset(
                &self,
                token_hash: &str,
                new_hash: &PasswordHash,
                now_secs: i64,
                (action, detail, ip): (&str, &str, &str),
            ) -> Result<Option<i64>, StoreError> {
                let mut tx = begin(self.writer()).await?;
                let user_id: Option<i64> =
                    sqlx::query_scalar(sql::USE_RESET_LINK).bind(now_secs).bind(token_hash).fetch_optional(&mut *tx).await?;
                let Some(user_id) = user_id else {
                    return Ok(None);
                };
                let email: String = sqlx::query_scalar("UPDATE users SET password_hash = $1 WHERE id = $2 RETURNING CAST(email AS TEXT)")
                    .bind(new_hash.as_str())
                    .bind(user_id)
                    .fetch_one(&mut *tx)
                    .await?;
                end_sessions_of(&mut tx, user_id).await?;
                close_reset_links(&mut tx, user_id, now_secs).await?;
                let audit = AuditRecord { actor_id: Some(user_id), actor_email: &email, action, target: &email, detail, ip };
                insert_audit(&mut tx, Utc::now(), audit).await?;
                tx.commit().await?;
                Ok(Some(user_id))
            }
        }

        /// Any outstanding reset link of the account stops working.
        pub(in crate::server::store) async fn close_reset_links(tx: &mut Transaction<'static, Db>, user_id: i64, now_secs: i64) -> Result<(), StoreError> {
            sqlx::query(sql::CLOSE_RESET_LINKS).bind(now_secs).bind(user_id).execute(&mut **tx).await?;
            Ok(())
        }
    };
}
pub(crate) use passwords_code;

//! Accounts. The rule that an installation keeps an active super admin is checked inside the
//! write (and, where writes run at once, under `lock_account_rules`), so two super admins
//! demoting or deleting each other cannot both succeed.

/// The columns of an account, as `rows::UserRow` reads them (an email compared without regard
/// to case is still read as text).
pub const USER_COLUMNS: &str = "id, name, CAST(email AS TEXT) AS email, password_hash, role, is_active, department, phone, created_at";

/// The same columns of the account `u` in a join.
pub const USER_COLUMNS_OF_U: &str =
    "u.id, u.name, CAST(u.email AS TEXT) AS email, u.password_hash, u.role, u.is_active, u.department, u.phone, u.created_at";

macro_rules! users_code {
    () => {
        use crate::domain::{Profile, Role, RoleCounts};
        use crate::server::store::rows::{contains_pattern, role_counts_from_rows, UserRow};
        use crate::server::store::shared::users::USER_COLUMNS;
        use crate::server::store::Constraint;

        /// Deleted users are kept (their tickets still name them) but never found as accounts.
        const LIVE: &str = "deleted_at IS NULL";

        impl Store {
            #[tracing::instrument(skip_all, name = "store.user_by_email")]
            pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
                static SQL: std::sync::LazyLock<String> =
                    std::sync::LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM users WHERE {EMAIL_IS_PARAM} AND {LIVE}"));
                let row = sqlx::query_as::<_, UserRow>(&SQL).bind(email).fetch_optional(self.reader()).await?;
                Ok(row.map(Into::into))
            }

            #[tracing::instrument(skip_all, name = "store.user_by_id")]
            pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
                static SQL: std::sync::LazyLock<String> =
                    std::sync::LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND {LIVE}"));
                let row = sqlx::query_as::<_, UserRow>(&SQL).bind(id).fetch_optional(self.reader()).await?;
                Ok(row.map(Into::into))
            }

            /// Inserts a user, with its audit entry in the same transaction (an entry without
            /// an actor is attributed to the new account: self-registration). An email already
            /// registered is a conflict on `email` (see `StoreError`).
            #[tracing::instrument(skip_all, name = "store.insert_user")]
            pub async fn insert_user(&self, user: NewUser<'_>, audit: Option<AuditRecord<'_>>) -> Result<UserRecord, StoreError> {
                let sql = format!(
                    "INSERT INTO users (name, email, password_hash, role, department, phone, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {USER_COLUMNS}"
                );
                let mut tx = begin(self.writer()).await?;
                let inserted = sqlx::query_as::<_, UserRow>(&sql)
                    .bind(user.name)
                    .bind(user.email)
                    .bind(user.password_hash.as_str())
                    .bind(user.role.as_str())
                    .bind(user.department)
                    .bind(user.phone)
                    .bind(written_now())
                    .fetch_one(&mut *tx)
                    .await;
                let record = UserRecord::from(inserted?);
                if let Some(mut audit) = audit {
                    audit.actor_id = audit.actor_id.or(Some(record.profile.id));
                    insert_audit(&mut tx, Utc::now(), audit).await?;
                }
                tx.commit().await?;
                Ok(record)
            }

            /// Whether an email is taken, by a live or a deleted account (checked before
            /// paying for a hash).
            #[tracing::instrument(skip_all, name = "store.email_taken")]
            pub async fn email_taken(&self, email: &str) -> Result<bool, StoreError> {
                static SQL: std::sync::LazyLock<String> =
                    std::sync::LazyLock::new(|| format!("SELECT COUNT(*) FROM users WHERE {EMAIL_IS_PARAM}"));
                Ok(sqlx::query_scalar::<_, i64>(&SQL).bind(email).fetch_one(self.reader()).await? > 0)
            }

            #[tracing::instrument(skip_all, name = "store.update_profile")]
            pub async fn update_profile(&self, id: i64, name: &str, phone: &str, department: &str) -> Result<Option<UserRecord>, StoreError> {
                let sql = format!("UPDATE users SET name = $1, phone = $2, department = $3 WHERE id = $4 AND {LIVE} RETURNING {USER_COLUMNS}");
                let row = sqlx::query_as::<_, UserRow>(&sql)
                    .bind(name)
                    .bind(phone)
                    .bind(department)
                    .bind(id)
                    .fetch_optional(self.writer())
                    .await?;
                Ok(row.map(Into::into))
            }

            /// Live (not deleted) accounts, from the per-role counters.
            #[tracing::instrument(skip_all, name = "store.count_users")]
            pub async fn count_users(&self) -> Result<i64, StoreError> {
                Ok(sqlx::query_scalar("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM user_counts").fetch_one(self.reader()).await?)
            }

            /// Live users by role, from the per-role counters.
            #[tracing::instrument(skip_all, name = "store.role_counts")]
            pub async fn role_counts(&self) -> Result<RoleCounts, StoreError> {
                role_counts_in(&mut *self.reader().acquire().await?).await
            }

            /// A page of live users, newest first, optionally filtered by role and by text in
            /// the name or email.
            #[tracing::instrument(skip_all, name = "store.list_users")]
            pub async fn list_users(&self, search: Option<&str>, role: Option<Role>, page: u32, per_page: u32) -> Result<(Vec<Profile>, i64), StoreError> {
                // Without a search the per-role counters hold the total; only a text search
                // counts rows.
                let total = match (search, role) {
                    (None, None) => self.count_users().await?,
                    (None, Some(role)) => self.role_counts().await?.of(role),
                    (Some(_), _) => {
                        let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM users");
                        user_filters(&mut count, search, role);
                        count.build_query_scalar().fetch_one(self.reader()).await?
                    }
                };
                let rows = user_page_in(&mut *self.reader().acquire().await?, search, role, page, per_page).await?;
                Ok((rows, total))
            }

            /// Updates what a super admin may change about an account, with its audit entries,
            /// in one transaction. The write is conditional, so the rules hold however requests
            /// interleave: it applies only if role and activity are still those of `before`
            /// (else 409, changed meanwhile), and never leaves the installation without an
            /// active super admin. A deactivated account's sessions and reset links end with it.
            #[tracing::instrument(skip_all, name = "store.update_user")]
            pub async fn update_user(&self, before: &Profile, change: &UserChange<'_>, audits: &[AuditRecord<'_>]) -> Result<Profile, StoreError> {
                let was_active_superadmin = before.role == Role::Superadmin && before.is_active;
                let stays_active_superadmin = change.role == Role::Superadmin && change.is_active;
                let sql = format!(
                    "UPDATE users SET name = $1, role = $2, is_active = $3, department = $4, phone = $5
                     WHERE id = $6 AND {LIVE} AND role = $7 AND is_active = $8
                       AND ($9 OR EXISTS (SELECT 1 FROM users o WHERE o.role = 'superadmin' AND o.is_active
                                          AND o.deleted_at IS NULL AND o.id <> users.id))
                     RETURNING {USER_COLUMNS}"
                );
                let mut tx = begin(self.writer()).await?;
                lock_account_rules(&mut tx).await?;
                let row = sqlx::query_as::<_, UserRow>(&sql)
                    .bind(change.name)
                    .bind(change.role.as_str())
                    .bind(change.is_active)
                    .bind(change.department)
                    .bind(change.phone)
                    .bind(before.id)
                    .bind(before.role.as_str())
                    .bind(before.is_active)
                    .bind(!was_active_superadmin || stays_active_superadmin)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(row) = row else {
                    return Err(why_not_updated(&mut tx, before).await);
                };
                if before.is_active && !change.is_active {
                    end_sessions_of(&mut tx, before.id).await?;
                    close_reset_links(&mut tx, before.id, Utc::now().timestamp()).await?;
                }
                for audit in audits {
                    insert_audit(&mut tx, Utc::now(), *audit).await?;
                }
                tx.commit().await?;
                Ok(UserRecord::from(row).profile)
            }

            #[tracing::instrument(skip_all, name = "store.recent_users")]
            pub async fn recent_users(&self, limit: i64) -> Result<Vec<Profile>, StoreError> {
                user_page_in(&mut *self.reader().acquire().await?, None, None, 1, limit as u32).await
            }
        }

        /// Live users by role, from the per-role counters.
        pub(in crate::server::store) async fn role_counts_in(conn: &mut <Db as sqlx::Database>::Connection) -> Result<RoleCounts, StoreError> {
            let rows: Vec<(String, i64)> = sqlx::query_as("SELECT role, n FROM user_counts").fetch_all(conn).await?;
            Ok(role_counts_from_rows(rows))
        }

        /// A page of live users, newest first, walking the creation-time index: no count.
        pub(in crate::server::store) async fn user_page_in(
            conn: &mut <Db as sqlx::Database>::Connection,
            search: Option<&str>,
            role: Option<Role>,
            page: u32,
            per_page: u32,
        ) -> Result<Vec<Profile>, StoreError> {
            let mut list = QueryBuilder::<Db>::new(format!("SELECT {USER_COLUMNS} FROM users"));
            user_filters(&mut list, search, role);
            // Numbers of ours, written in, so the statement's one plan knows how few rows are wanted.
            let offset = i64::from(page.max(1) - 1) * i64::from(per_page);
            list.push(format_args!(" ORDER BY created_at DESC, id DESC LIMIT {per_page} OFFSET {offset}"));
            let rows = list.build_query_as::<UserRow>().fetch_all(conn).await?;
            Ok(rows.into_iter().map(|r| UserRecord::from(r).profile).collect())
        }

        /// Why a conditional account write matched no row: gone, changed meanwhile, or it
        /// would have removed the last active super admin.
        async fn why_not_updated(tx: &mut Transaction<'static, Db>, before: &Profile) -> StoreError {
            let now: Result<Option<(String, bool)>, _> = sqlx::query_as(&format!("SELECT role, is_active FROM users WHERE id = $1 AND {LIVE}"))
                .bind(before.id)
                .fetch_optional(&mut **tx)
                .await;
            match now {
                Ok(None) => StoreError::NotFound("user"),
                Ok(Some((role, active))) if role != before.role.as_str() || active != before.is_active => {
                    StoreError::Conflict(Constraint::AccountVersion)
                }
                Ok(Some(_)) => StoreError::Conflict(Constraint::LastSuperAdmin),
                Err(e) => e.into(),
            }
        }

        impl Changes {
            /// Deletes an account but keeps its row for the history: the address is freed for
            /// reuse, the account can no longer sign in, and its open tickets become
            /// unassigned, each with a history entry, through the same write path as every
            /// other ticket change.
            #[tracing::instrument(skip_all, name = "store.changes.delete_user")]
            pub async fn delete_user(&mut self, id: i64, actor: i64) -> Result<bool, StoreError> {
                lock_account_rules(self.tx()).await?;
                let name: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = $1 AND deleted_at IS NULL")
                    .bind(id)
                    .fetch_optional(&mut **self.tx())
                    .await?;
                let Some(name) = name else { return Ok(false) };
                // Checked inside the write, so two super admins deleting each other at once
                // cannot both succeed.
                let done = sqlx::query(
                    "UPDATE users SET deleted_at = $1, is_active = FALSE, email = 'deleted-' || id || '@deleted.invalid',
                         password_hash = '!'
                     WHERE id = $2 AND (role <> 'superadmin' OR NOT is_active
                          OR EXISTS (SELECT 1 FROM users o WHERE o.role = 'superadmin' AND o.is_active
                                     AND o.deleted_at IS NULL AND o.id <> users.id))",
                )
                .bind(written_now())
                .bind(id)
                .execute(&mut **self.tx())
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict(Constraint::LastSuperAdmin));
                }
                end_sessions_of(self.tx(), id).await?;
                let unassign = TicketUpdate { unassign: true, bump_version: true, ..Default::default() };
                let detail = format!("{name} → nobody (account deleted)");
                for ticket in self.open_tickets_of(id).await? {
                    let event = NewEvent { kind: EventKind::Reassigned, detail: detail.clone(), internal: false };
                    self.update(ticket, None, actor, &unassign, &[event]).await?;
                }
                sqlx::query("DELETE FROM password_resets WHERE user_id = $1").bind(id).execute(&mut **self.tx()).await?;
                Ok(true)
            }
        }

        /// The WHERE clause of a user list: live accounts, optionally of one role and
        /// containing `search` (LIKE wildcards in it escaped) in the name or email, in any case.
        fn user_filters(qb: &mut QueryBuilder<'_, Db>, search: Option<&str>, role: Option<Role>) {
            qb.push(" WHERE deleted_at IS NULL");
            if let Some(role) = role {
                qb.push(" AND role = ").push_bind(role.as_str());
            }
            if let Some(search) = search {
                let like = contains_pattern(search);
                qb.push(format_args!(" AND (name {LIKE_ANY_CASE} "))
                    .push_bind(like.clone())
                    .push(format_args!(" ESCAPE '\\' OR CAST(email AS TEXT) {LIKE_ANY_CASE} "))
                    .push_bind(like)
                    .push(" ESCAPE '\\')");
            }
        }
    };
}
pub(crate) use users_code;

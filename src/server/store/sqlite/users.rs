use crate::server::store::rows::*;
use crate::server::store::records::*;
use super::audit::insert_audit;
use super::sessions::end_sessions_of;

use super::Store;
use crate::domain::{EventKind, Profile, Role, RoleCounts};
use sqlx::{QueryBuilder, Sqlite};
use crate::server::store::{Constraint, StoreError};
use chrono::Utc;



pub(super) const USER_COLUMNS: &str = "id, name, email, password_hash, role, is_active, department, phone, created_at";

/// Deleted users are kept (their tickets still name them) but never found as accounts.
const LIVE: &str = "deleted_at IS NULL";

impl Store {
    #[tracing::instrument(skip_all, name = "store.user_by_email")]
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = ? AND {LIVE}");
        let row = sqlx::query_as::<_, UserRow>(&sql).bind(email).fetch_optional(&self.read).await?;
        Ok(row.map(Into::into))
    }

    #[tracing::instrument(skip_all, name = "store.user_by_id")]
    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ? AND {LIVE}");
        let row = sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(&self.read).await?;
        Ok(row.map(Into::into))
    }

    /// Inserts a user, with its audit entry in the same transaction (an entry without an actor
    /// is attributed to the new account: self-registration). An email already registered is a
    /// conflict on `email`.
    #[tracing::instrument(skip_all, name = "store.insert_user")]
    pub async fn insert_user(&self, user: NewUser<'_>, audit: Option<AuditRecord<'_>>) -> Result<UserRecord, StoreError> {
        let sql = format!(
            "INSERT INTO users (name, email, password_hash, role, department, phone, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {USER_COLUMNS}"
        );
        let mut tx = self.write.begin().await?;
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
        // A taken address fails here as a conflict on `users.email` (see `StoreError`).
        let record = UserRecord::from(inserted?);
        if let Some(mut audit) = audit {
            audit.actor_id = audit.actor_id.or(Some(record.profile.id));
            insert_audit(&mut tx, Utc::now(), audit).await?;
        }
        tx.commit().await?;
        Ok(record)
    }

    /// Whether an email is taken by a live account (checked before paying for a hash).
    #[tracing::instrument(skip_all, name = "store.email_taken")]
    pub async fn email_taken(&self, email: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE email = ?").bind(email).fetch_one(&self.read).await? > 0)
    }

    #[tracing::instrument(skip_all, name = "store.update_profile")]
    pub async fn update_profile(
        &self,
        id: i64,
        name: &str,
        phone: &str,
        department: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!(
            "UPDATE users SET name = ?, phone = ?, department = ? WHERE id = ? RETURNING {USER_COLUMNS}"
        );
        let row = sqlx::query_as::<_, UserRow>(&sql)
            .bind(name)
            .bind(phone)
            .bind(department)
            .bind(id)
            .fetch_optional(&self.write)
            .await?;
        Ok(row.map(Into::into))
    }

    /// Live (not deleted) accounts, from the per-role counters (migration 0009).
    #[tracing::instrument(skip_all, name = "store.count_users")]
    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COALESCE(SUM(n), 0) FROM user_counts").fetch_one(&self.read).await?)
    }

    /// Live users by role, from the per-role counters.
    #[tracing::instrument(skip_all, name = "store.role_counts")]
    pub async fn role_counts(&self) -> Result<RoleCounts, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT role, n FROM user_counts").fetch_all(&self.read).await?;
        Ok(role_counts_from_rows(rows))
    }

    /// A page of live users, newest first, optionally filtered by role and by text in the
    /// name or email.
    #[tracing::instrument(skip_all, name = "store.list_users")]
    pub async fn list_users(&self, search: Option<&str>, role: Option<Role>, page: u32, per_page: u32) -> Result<(Vec<Profile>, i64), StoreError> {
        // Without a search the per-role counters hold the total; only a text search counts rows.
        let total = match (search, role) {
            (None, None) => self.count_users().await?,
            (None, Some(role)) => self.role_counts().await?.of(role),
            (Some(_), _) => {
                let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM users");
                user_filters(&mut count, search, role);
                count.build_query_scalar().fetch_one(&self.read).await?
            }
        };
        let rows = self.user_page(search, role, page, per_page).await?;
        Ok((rows, total))
    }

    /// Newest first, walking the creation-time index: no count.
    async fn user_page(&self, search: Option<&str>, role: Option<Role>, page: u32, per_page: u32) -> Result<Vec<Profile>, StoreError> {
        let mut list = QueryBuilder::<Sqlite>::new(format!("SELECT {USER_COLUMNS} FROM users"));
        user_filters(&mut list, search, role);
        list.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(i64::from(per_page));
        list.push(" OFFSET ").push_bind(i64::from(page - 1) * i64::from(per_page));
        let rows = list.build_query_as::<UserRow>().fetch_all(&self.read).await?;
        Ok(rows.into_iter().map(|r| UserRecord::from(r).profile).collect())
    }

    /// Updates what a super admin may change about an account, with its audit entries, in one
    /// transaction. The write is conditional, so the rules hold however requests interleave:
    /// it applies only if role and activity are still those of `before` (else 409, changed
    /// meanwhile), and never leaves the installation without an active super admin. A
    /// deactivated account's sessions end with it.
    #[tracing::instrument(skip_all, name = "store.update_user")]
    pub async fn update_user(&self, before: &Profile, change: &UserChange<'_>, audits: &[AuditRecord<'_>]) -> Result<Profile, StoreError> {
        let was_active_superadmin = before.role == Role::Superadmin && before.is_active;
        let stays_active_superadmin = change.role == Role::Superadmin && change.is_active;
        let sql = format!(
            "UPDATE users SET name = ?, role = ?, is_active = ?, department = ?, phone = ?
             WHERE id = ? AND {LIVE} AND role = ? AND is_active = ?
               AND (? OR EXISTS (SELECT 1 FROM users o WHERE o.role = 'superadmin' AND o.is_active = 1
                                 AND o.deleted_at IS NULL AND o.id <> users.id))
             RETURNING {USER_COLUMNS}"
        );
        let mut tx = self.write.begin().await?;
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
            return Err(self.why_not_updated(&mut tx, before).await);
        };
        if before.is_active && !change.is_active {
            // A deactivated account keeps no session and no open reset link.
            end_sessions_of(&mut tx, before.id).await?;
            super::passwords::close_reset_links(&mut tx, before.id, Utc::now().timestamp()).await?;
        }
        for audit in audits {
            insert_audit(&mut tx, Utc::now(), *audit).await?;
        }
        tx.commit().await?;
        Ok(UserRecord::from(row).profile)
    }

    /// Why a conditional account write matched no row: gone, changed meanwhile, or it would
    /// have removed the last active super admin.
    async fn why_not_updated(&self, tx: &mut sqlx::Transaction<'static, Sqlite>, before: &Profile) -> StoreError {
        let now: Result<Option<(String, bool)>, _> = sqlx::query_as(&format!("SELECT role, is_active FROM users WHERE id = ? AND {LIVE}"))
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

    #[tracing::instrument(skip_all, name = "store.recent_users")]
    pub async fn recent_users(&self, limit: i64) -> Result<Vec<Profile>, StoreError> {
        self.user_page(None, None, 1, limit as u32).await
    }
}

impl super::Changes {
    /// Deletes an account but keeps its row for the history: the address is freed for reuse,
    /// the account can no longer sign in, and its open tickets become unassigned, each with a
    /// history entry, through the same write path as every other ticket change.
    #[tracing::instrument(skip_all, name = "store.changes.delete_user")]
    pub async fn delete_user(&mut self, id: i64, actor: i64) -> Result<bool, StoreError> {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = ? AND deleted_at IS NULL")
            .bind(id)
            .fetch_optional(&mut **self.tx())
            .await?;
        let Some(name) = name else { return Ok(false) };
        // Checked inside the write, so two super admins deleting each other at once cannot
        // both succeed.
        let done = sqlx::query(
            "UPDATE users SET deleted_at = ?, is_active = 0, email = 'deleted-' || id || '@deleted.invalid',
                 password_hash = '!'
             WHERE id = ? AND (role <> 'superadmin' OR is_active = 0
                  OR EXISTS (SELECT 1 FROM users o WHERE o.role = 'superadmin' AND o.is_active = 1
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
        sqlx::query("DELETE FROM password_resets WHERE user_id = ?").bind(id).execute(&mut **self.tx()).await?;
        Ok(true)
    }
}

/// The WHERE clause of a user list: live accounts, optionally of one role and containing
/// `search` (LIKE wildcards in it escaped) in the name or email.
fn user_filters(qb: &mut QueryBuilder<'_, Sqlite>, search: Option<&str>, role: Option<Role>) {
    qb.push(" WHERE deleted_at IS NULL");
    if let Some(role) = role {
        qb.push(" AND role = ").push_bind(role.as_str());
    }
    if let Some(search) = search {
        let like = contains_pattern(search);
        qb.push(" AND (name LIKE ").push_bind(like.clone()).push(" ESCAPE '\\' OR email LIKE ").push_bind(like).push(" ESCAPE '\\')");
    }
}

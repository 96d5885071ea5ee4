use super::tickets::{NewEvent, TicketUpdate};
use super::{is_unique_violation, Store};
use crate::domain::{EventKind, Profile, Role, RoleCounts};
use sqlx::{QueryBuilder, Sqlite};
use crate::error::AppError;
use crate::server::security::PasswordHash;
use chrono::{DateTime, Utc};

/// A user as stored, including the secret parts pages never see.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub profile: Profile,
    pub password_hash: PasswordHash,
    pub tokens_valid_after: i64,
}

pub struct UserChange<'a> {
    pub name: &'a str,
    pub role: Role,
    pub is_active: bool,
    pub department: &'a str,
    pub phone: &'a str,
}

pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a PasswordHash,
    pub role: Role,
    pub department: &'a str,
    pub phone: &'a str,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    name: String,
    email: String,
    password_hash: String,
    role: String,
    is_active: bool,
    department: String,
    phone: String,
    created_at: DateTime<Utc>,
    tokens_valid_after: i64,
}

impl From<UserRow> for UserRecord {
    fn from(row: UserRow) -> Self {
        UserRecord {
            profile: Profile {
                id: row.id,
                name: row.name,
                email: row.email,
                // The CHECK constraint admits only the four role names.
                role: Role::parse(&row.role).unwrap_or(Role::User),
                created_at: row.created_at,
                is_active: row.is_active,
                department: row.department,
                phone: row.phone,
            },
            password_hash: PasswordHash::from_stored(row.password_hash),
            tokens_valid_after: row.tokens_valid_after,
        }
    }
}

const USER_COLUMNS: &str = "id, name, email, password_hash, role, is_active, department, phone, created_at, tokens_valid_after";

/// Deleted users are kept (their tickets still name them) but never found as accounts.
const LIVE: &str = "deleted_at IS NULL";

impl Store {
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, AppError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = ? AND {LIVE}");
        let row = sqlx::query_as::<_, UserRow>(&sql).bind(email).fetch_optional(&self.read).await?;
        Ok(row.map(Into::into))
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>, AppError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ? AND {LIVE}");
        let row = sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(&self.read).await?;
        Ok(row.map(Into::into))
    }

    /// Inserts a user; an email already registered is a conflict on `email`.
    pub async fn insert_user(&self, user: NewUser<'_>) -> Result<UserRecord, AppError> {
        let sql = format!(
            "INSERT INTO users (name, email, password_hash, role, department, phone, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {USER_COLUMNS}"
        );
        let inserted = sqlx::query_as::<_, UserRow>(&sql)
            .bind(user.name)
            .bind(user.email)
            .bind(user.password_hash.as_str())
            .bind(user.role.as_str())
            .bind(user.department)
            .bind(user.phone)
            .bind(Utc::now())
            .fetch_one(&self.write)
            .await;
        match inserted {
            Ok(row) => Ok(row.into()),
            Err(e) if is_unique_violation(&e) => {
                Err(AppError::conflict_on("email", "An account with this email already exists."))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn update_profile(
        &self,
        id: i64,
        name: &str,
        phone: &str,
        department: &str,
    ) -> Result<Option<UserRecord>, AppError> {
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

    /// Replaces the password and ends every session issued before `now_secs`.
    pub async fn set_password(&self, id: i64, hash: &PasswordHash, now_secs: i64) -> Result<(), AppError> {
        sqlx::query("UPDATE users SET password_hash = ?, tokens_valid_after = ? WHERE id = ?")
            .bind(hash.as_str())
            .bind(now_secs)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn set_user_active(&self, id: i64, active: bool) -> Result<bool, AppError> {
        let done = sqlx::query("UPDATE users SET is_active = ? WHERE id = ?")
            .bind(active)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Live (not deleted) accounts, from the per-role counters (migration 0009).
    pub async fn count_users(&self) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar("SELECT COALESCE(SUM(n), 0) FROM user_counts").fetch_one(&self.read).await?)
    }

    /// Live users by role, from the per-role counters.
    pub async fn role_counts(&self) -> Result<RoleCounts, AppError> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT role, n FROM user_counts").fetch_all(&self.read).await?;
        let mut counts = RoleCounts::default();
        for (role, n) in rows {
            match Role::parse(&role) {
                Some(Role::User) => counts.users = n,
                Some(Role::Agent) => counts.agents = n,
                Some(Role::Admin) => counts.admins = n,
                Some(Role::Superadmin) => counts.superadmins = n,
                None => {}
            }
        }
        Ok(counts)
    }

    pub async fn count_active_superadmins(&self) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'superadmin' AND is_active = 1 AND deleted_at IS NULL")
            .fetch_one(&self.read)
            .await?)
    }

    /// A page of live users, newest first, optionally filtered by role and by text in the
    /// name or email.
    pub async fn list_users(&self, search: Option<&str>, role: Option<Role>, page: u32, per_page: u32) -> Result<(Vec<Profile>, i64), AppError> {
        fn filters(qb: &mut QueryBuilder<'_, Sqlite>, search: Option<&str>, role: Option<Role>) {
            qb.push(" WHERE deleted_at IS NULL");
            if let Some(role) = role {
                qb.push(" AND role = ").push_bind(role.as_str());
            }
            if let Some(search) = search {
                let like = format!("%{}%", search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
                qb.push(" AND (name LIKE ").push_bind(like.clone()).push(" ESCAPE '\\' OR email LIKE ").push_bind(like).push(" ESCAPE '\\')");
            }
        }
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM users");
        filters(&mut count, search, role);
        let total: i64 = count.build_query_scalar().fetch_one(&self.read).await?;
        let mut list = QueryBuilder::<Sqlite>::new(format!("SELECT {USER_COLUMNS} FROM users"));
        filters(&mut list, search, role);
        list.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(i64::from(per_page));
        list.push(" OFFSET ").push_bind(i64::from(page - 1) * i64::from(per_page));
        let rows = list.build_query_as::<UserRow>().fetch_all(&self.read).await?;
        Ok((rows.into_iter().map(|r| UserRecord::from(r).profile).collect(), total))
    }

    /// Updates what a super admin may change about an account.
    pub async fn update_user(&self, id: i64, change: &UserChange<'_>) -> Result<Option<Profile>, AppError> {
        let sql = format!(
            "UPDATE users SET name = ?, role = ?, is_active = ?, department = ?, phone = ?
             WHERE id = ? AND {LIVE} RETURNING {USER_COLUMNS}"
        );
        let row = sqlx::query_as::<_, UserRow>(&sql)
            .bind(change.name)
            .bind(change.role.as_str())
            .bind(change.is_active)
            .bind(change.department)
            .bind(change.phone)
            .bind(id)
            .fetch_optional(&self.write)
            .await?;
        Ok(row.map(|r| UserRecord::from(r).profile))
    }

    pub async fn recent_users(&self, limit: i64) -> Result<Vec<Profile>, AppError> {
        Ok(self.list_users(None, None, 1, limit as u32).await?.0)
    }

    pub async fn insert_password_reset(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), AppError> {
        sqlx::query("INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (?, ?, ?)")
            .bind(token_hash)
            .bind(user_id)
            .bind(expires_at)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Uses a reset token and sets the new password in one transaction. Returns the user's id,
    /// or `None` when the token is unknown, used or expired (then nothing changes).
    pub async fn redeem_password_reset(
        &self,
        token_hash: &str,
        new_hash: &PasswordHash,
        now_secs: i64,
    ) -> Result<Option<i64>, AppError> {
        let mut tx = self.write.begin().await?;
        let user_id: Option<i64> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = ?
             WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id",
        )
        .bind(now_secs)
        .bind(token_hash)
        .bind(now_secs)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        sqlx::query("UPDATE users SET password_hash = ?, tokens_valid_after = ? WHERE id = ?")
            .bind(new_hash.as_str())
            .bind(now_secs)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        // Any other outstanding link for this account stops working too.
        sqlx::query("UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL")
            .bind(now_secs)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }
}

impl super::Changes {
    /// Deletes an account but keeps its row for the history: the address is freed for reuse,
    /// the account can no longer sign in, and its open tickets become unassigned, each with a
    /// history entry, through the same write path as every other ticket change.
    pub async fn delete_user(&mut self, id: i64, actor: i64) -> Result<bool, AppError> {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = ? AND deleted_at IS NULL")
            .bind(id)
            .fetch_optional(&mut **self.tx())
            .await?;
        let Some(name) = name else { return Ok(false) };
        sqlx::query(
            "UPDATE users SET deleted_at = ?, is_active = 0, email = 'deleted-' || id || '@deleted.invalid',
                 password_hash = '!', tokens_valid_after = ?
             WHERE id = ?",
        )
        .bind(Utc::now())
        .bind(Utc::now().timestamp() + 1)
        .bind(id)
        .execute(&mut **self.tx())
        .await?;
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
